"""Benchmark of the table-rotation engine (issue 5). Not a test: prints a table of figures.

    .venv/bin/python bench/rotation.py [--seed 2026] [--time-limit 10] [--only 120/8/8]

Instances are synthetic assemblies drawn from a fixed seed with the issue's distributions
(gender 51/49; age 16–29 22%, 30–44 25%, 45–59 25%, 60–74 18%, 75+ 10%; education low 30 /
mid 40 / high 30; area urban 40 / suburban 30 / town 18 / rural 12). Each size runs twice:
"socialise" (no balance) and "diverse" (balance on all four; priorities gender 4, age 3,
education 1, area 1). Then 120/8/8 with 5 keep-apart pairs and one person pinned to table 1,
whose round 5 is repaired after 3 absences and 2 late arrivals (and, harder, after 5 people
of one table stay away).

Columns: repeated pairs Σ max(0, c − 1), the most any pair meets, band misses (round, table,
attribute value cells outside ⌊s·share⌋..⌈s·share⌉), tables off band ((round, table, attribute)
with any value outside), whole-horizon seconds, seconds per round (horizon / rounds) and "next
round": seconds to plan the last round again live, the others given as history.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitation.rotation import (  # noqa: E402
    Constraints,
    Member,
    Plan,
    RotationProblem,
    TableLayout,
    plan_rounds,
    repair_round,
)

DISTRIBUTIONS = {
    "gender": {"female": 0.51, "male": 0.49},
    "age": {"16-29": 0.22, "30-44": 0.25, "45-59": 0.25, "60-74": 0.18, "75+": 0.10},
    "education": {"low": 0.30, "mid": 0.40, "high": 0.30},
    "area": {"urban": 0.40, "suburban": 0.30, "town": 0.18, "rural": 0.12},
}
DIVERSE = {"gender": 4.0, "age": 3.0, "education": 1.0, "area": 1.0}
SIZES = [  # people, table size, rounds, table count (None: ⌈people / size⌉)
    (36, 6, 4, None),
    (36, 6, 5, None),
    (36, 6, 6, None),
    (36, 6, 12, None),
    (48, 6, 8, None),
    (100, 8, 8, 13),
    (120, 8, 8, None),
    (200, 8, 10, None),
]
TARGETS = {  # (mode, people, rounds): (repeats ≤, band misses ≤, note)
    ("socialise", 36, 4): (2, None, ""),
    ("socialise", 36, 5): (12, None, ""),
    ("socialise", 36, 6): (25, None, "no pair > 2"),
    ("socialise", 48, 8): (20, None, ""),
    ("socialise", 100, 8): (5, None, ""),
    ("socialise", 120, 8): (0, None, ""),
    ("socialise", 200, 10): (0, None, ""),
    ("diverse", 36, 6): (80, 10, "GroupSelect 396 / 72"),
    ("diverse", 120, 8): (60, 30, "GroupSelect 2042 / 128"),
    ("diverse", 200, 10): (100, 20, "GroupSelect 3662 / 190"),
}


def assembly(n: int, seed: int) -> list[Member]:
    """n synthetic members, attributes drawn independently from the issue's distributions."""
    rng = np.random.default_rng([seed, n])
    columns = {}
    for name, dist in DISTRIBUTIONS.items():
        labels = list(dist)
        columns[name] = rng.choice(labels, size=n, p=list(dist.values()))
    return [
        Member(f"m{i:03d}", {name: str(columns[name][i]) for name in DISTRIBUTIONS})
        for i in range(n)
    ]


@dataclass
class Row:
    name: str
    mode: str
    repeats: int
    max_meet: int
    misses: int
    off: int
    seconds: float
    per_round: float
    next_round: float
    target: str
    met: str


def _target(mode: str, n: int, rounds: int, plan: Plan) -> tuple[str, str]:
    key = (mode, n, rounds)
    if key not in TARGETS:
        return "", ""
    reps, misses, note = TARGETS[key]
    ok = plan.stats.repeated_pairs <= reps
    text = f"≤ {reps}"
    if misses is not None:
        text += f" / ≤ {misses}"
        ok &= plan.stats.band_misses <= misses
    if note == "no pair > 2":
        ok &= plan.stats.max_pair_meetings <= 2
    if note:
        text += f" ({note})"
    return text, "yes" if ok else "no"


def run_sizes(seed: int, time_limit: float, only: str | None) -> list[Row]:
    rows = []
    for n, size, rounds, count in SIZES:
        name = f"{n}/{size}/{rounds}"
        if only and only != name:
            continue
        members = assembly(n, seed)
        layout = TableLayout(count=count) if count else TableLayout(size=size)
        for mode, balance in (("socialise", {}), ("diverse", DIVERSE)):
            problem = RotationProblem(members, rounds, layout, balance=balance)
            start = time.perf_counter()
            plan = plan_rounds(problem, seed, time_limit=time_limit, clock=time.perf_counter)
            seconds = time.perf_counter() - start
            nxt = RotationProblem(members, 1, layout, balance=balance, history=plan.rounds[:-1])
            start = time.perf_counter()
            plan_rounds(nxt, seed, time_limit=time_limit, clock=time.perf_counter)
            next_round = time.perf_counter() - start
            target, met = _target(mode, n, rounds, plan)
            stats = plan.stats
            rows.append(
                Row(
                    name,
                    mode,
                    stats.repeated_pairs,
                    stats.max_pair_meetings,
                    stats.band_misses,
                    stats.tables_off_band,
                    seconds,
                    seconds / rounds,
                    next_round,
                    target,
                    met,
                )
            )
            print(_line(rows[-1]), file=sys.stderr, flush=True)
    return rows


def run_repair(seed: int, time_limit: float) -> dict[str, object]:
    """120/8/8 with keep-apart pairs and a pin; round 5 repaired after absences and arrivals."""
    members = assembly(120, seed)
    rng = np.random.default_rng([seed, 5])
    ids = [m.id for m in members]
    picks = [ids[i] for i in rng.permutation(120)]
    apart = [(picks[2 * k], picks[2 * k + 1]) for k in range(5)]
    pinned = {picks[10]: 0}
    constraints = Constraints(keep_apart=apart, pinned=pinned)
    layout = TableLayout(size=8)
    problem = RotationProblem(members, 8, layout, constraints=constraints)
    start = time.perf_counter()
    plan = plan_rounds(problem, seed, time_limit=time_limit, clock=time.perf_counter)
    seconds = time.perf_counter() - start
    absent = set(picks[20:23])
    late = assembly(122, seed + 1)[120:]
    late = [Member(f"late{k}", m.attributes) for k, m in enumerate(late)]
    everyone = list(members) + late
    present = frozenset(m.id for m in everyone) - absent
    others = [tables for r, tables in enumerate(plan.rounds) if r != 4]
    again = RotationProblem(everyone, 1, layout, present, others, constraints)
    start = time.perf_counter()
    repair = repair_round(again, plan.rounds[4], seed)
    repair_seconds = time.perf_counter() - start
    broken = 0
    where = {pid: t for t, table in enumerate(repair.tables) for pid in table}
    broken += sum(1 for a, b in apart if a in where and b in where and where[a] == where[b])
    broken += sum(1 for pid, t in pinned.items() if pid in where and where[pid] != t)
    for tables in plan.rounds:
        w = {pid: t for t, table in enumerate(tables) for pid in table}
        broken += sum(1 for a, b in apart if w[a] == w[b])
        broken += sum(1 for pid, t in pinned.items() if w[pid] != t)
    # A harder case: five people of one table (not the pinned one) stay away, nobody arrives.
    table = next(t for t in plan.rounds[4] if not set(t) & set(pinned))
    gone = set(table[:5])
    again = RotationProblem(members, 1, layout, frozenset(ids) - gone, others, constraints)
    start = time.perf_counter()
    hollow = repair_round(again, plan.rounds[4], seed)
    hollow_seconds = time.perf_counter() - start
    where = {pid: t for t, tbl in enumerate(hollow.tables) for pid in tbl}
    broken += sum(1 for a, b in apart if a in where and b in where and where[a] == where[b])
    broken += sum(1 for pid, t in pinned.items() if pid in where and where[pid] != t)
    return {
        "plan_repeats": plan.stats.repeated_pairs,
        "plan_max_meet": plan.stats.max_pair_meetings,
        "plan_seconds": round(seconds, 2),
        "repair_seconds": round(repair_seconds, 3),
        "moved": len(repair.moved),
        "seated": len(repair.seated),
        "removed": len(repair.removed),
        "sizes": sorted({len(t) for t in repair.tables}),
        "repair_new_repeats": repair.stats.new_repeats,
        "five_absent_at_one_table_seconds": round(hollow_seconds, 3),
        "five_absent_at_one_table_moved": len(hollow.moved),
        "five_absent_at_one_table_new_repeats": hollow.stats.new_repeats,
        "hard_constraints_broken": broken,
    }


def _line(r: Row) -> str:
    return (
        f"| {r.name} | {r.mode} | {r.repeats} | {r.max_meet} | {r.misses} | {r.off} | "
        f"{r.seconds:.2f} | {r.per_round:.2f} | {r.next_round:.2f} | {r.target} | {r.met} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=10.0, help="per plan, seconds")
    parser.add_argument("--only", help="one size, e.g. 120/8/8 (skips the repair case)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    rows = run_sizes(args.seed, args.time_limit, args.only)
    repair = None if args.only else run_repair(args.seed, args.time_limit)
    if args.json:
        print(json.dumps({"sizes": [r.__dict__ for r in rows], "repair": repair}, indent=1))
        return 0
    print(
        "| n/size/rounds | mode | repeated pairs | max meets | band misses | tables off band "
        "| horizon s | s/round | next round s | target (repeats / misses) | met |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(_line(r))
    if repair:
        print()
        print(
            "120/8/8, 5 keep-apart pairs, 1 pinned to table 1; round 5 repaired after 3 "
            "absences and 2 late arrivals:"
        )
        for key, value in repair.items():
            print(f"- {key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
