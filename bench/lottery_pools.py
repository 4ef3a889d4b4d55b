"""Generated volunteer pools at national scale, for bench/lottery.py (issue 17).

    .venv/bin/python bench/lottery_pools.py --size 5000 --panel 110 --out /tmp/pool5000
        -> /tmp/pool5000/people.csv, /tmp/pool5000/quotas.csv  (household columns: address)

Deterministic: ``random.Random(seed)`` only (default seed 17, the issue's number), so a pool is
named by (size, panel, features, seed). The model, chosen to look like a real recruitment round
rather than to be easy:

- ``features`` features (default: 4 at 2,000, 5 at 5,000, 6 at 10,000), each with 4–6 values and
  population shares drawn once per feature.
- Self-selection: volunteers are not the population. Each value has a response bias in
  [0.5, 2] (older and more educated people answer more often, say), so the pool's shares differ
  from the population's — the quotas then make the over-represented cells less likely to be
  drawn than the under-represented ones, which is what makes the lottery non-trivial.
- Correlation: one latent trait per person shifts every feature's value towards one end, so
  feature combinations are far from independent (many rare combinations = many classes).
- Households: about 6 % of the volunteers share an address with another volunteer (pairs and a
  few triples); members of a household share the region-like first feature.
- Quotas: the population share × panel size, ±5 % of it (at least ±1 seat), so that the quotas
  are representative of the population and not of the pool.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from facilitation.sortition import Person, Quota  # noqa: E402

SEED = 17
FEATURE_NAMES = ("region", "age", "education", "gender", "work", "origin")
HOUSEHOLD_COLUMNS = ["address"]


@dataclass(frozen=True)
class Pool:
    name: str
    people: list[Person]
    quotas: list[Quota]
    panel_size: int
    rows: list[dict[str, str]]  # people.csv rows: id, features, address


# The three national-scale sizes: (pool, panel, features).
SIZES = {
    "pool2000_80": (2000, 80, 4),
    "pool5000_110": (5000, 110, 5),
    "pool10000_160": (10000, 160, 6),
}


def _shares(rng: random.Random, n: int) -> list[float]:
    raw = [rng.uniform(0.5, 1.5) for _ in range(n)]
    total = sum(raw)
    return [r / total for r in raw]


def generate(size: int, panel: int, features: int = 5, seed: int = SEED) -> Pool:
    """A pool of ``size`` volunteers and quotas for ``panel`` seats (see the module docstring)."""
    if not 1 <= features <= len(FEATURE_NAMES):
        raise ValueError(f"features must be 1..{len(FEATURE_NAMES)}")
    rng = random.Random(seed * 1_000_003 + size * 101 + panel * 7 + features)
    names = FEATURE_NAMES[:features]
    values = {f: [f"{f[:3]}{j}" for j in range(rng.randint(4, 6))] for f in names}
    population = {f: _shares(rng, len(vs)) for f, vs in values.items()}
    bias = {f: [rng.uniform(0.5, 2.0) for _ in vs] for f, vs in values.items()}
    strength = {f: rng.uniform(0.0, 0.8) for f in names}  # how much the latent trait pulls

    def draw_value(f: str, latent: float) -> str:
        vs = values[f]
        last = len(vs) - 1
        weights = [
            population[f][j] * bias[f][j] * math.exp(strength[f] * latent * (j / last - 0.5) * 2)
            for j in range(len(vs))
        ]
        return rng.choices(vs, weights)[0]

    rows: list[dict[str, str]] = []
    people: list[Person] = []
    i = 0
    household = 0
    while len(rows) < size:
        latent = rng.gauss(0.0, 1.0)
        # ~6 % of volunteers are in shared households: groups of 2 (mostly) or 3
        shared = rng.random() < 0.03
        members = 1 if not shared else (3 if rng.random() < 0.15 else 2)
        members = min(members, size - len(rows))
        address = f"street {household}" if members > 1 else f"single {i}"
        region = draw_value(names[0], latent)
        for _ in range(members):
            vals = {names[0]: region}
            for f in names[1:]:
                vals[f] = draw_value(f, latent + rng.gauss(0.0, 0.5))
            pid = f"v{i:05d}"
            rows.append({"id": pid, **vals, "address": address})
            people.append(Person(pid, vals, address if members > 1 else None))
            i += 1
        household += members > 1
    quotas = []
    for f in names:
        for j, v in enumerate(values[f]):
            target = population[f][j] * panel
            slack = max(1.0, 0.05 * target)
            quotas.append(
                Quota(f, v, max(0, math.floor(target - slack)), math.ceil(target + slack))
            )
    return Pool(f"pool{size}_{panel}", people, quotas, panel, rows)


def named(name: str, seed: int = SEED) -> Pool:
    size, panel, features = SIZES[name]
    return generate(size, panel, features, seed)


def write(pool: Pool, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(pool.rows[0]))
        writer.writeheader()
        writer.writerows(pool.rows)
    with (out / "quotas.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["feature", "value", "min", "max"])
        for q in pool.quotas:
            writer.writerow([q.feature, q.value, q.min, q.max])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--panel", type=int, default=110)
    parser.add_argument("--features", type=int, default=5)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    pool = generate(args.size, args.panel, args.features, args.seed)
    write(pool, args.out)
    shared = sum(1 for p in pool.people if p.household is not None)
    print(
        f"{pool.name}: {len(pool.people)} volunteers ({shared} in shared households), "
        f"{len(pool.quotas)} quotas, panel {pool.panel_size}, seed {args.seed} -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
