"""Benchmark: samling's lottery against the Sortition Foundation's `sortition-algorithms` (peer).

    .venv/bin/python bench/lottery.py [--skip-peer] [--peer-backend mip|highspy] [--panels 1000]
        [--instances dk815_36,example_small_20,example_large_200] [--markdown]
    .venv/bin/python bench/lottery.py --national [--time-limit 60] [--algorithms leximin,goldilocks]
        [--pools pool2000_80,pool5000_110,pool10000_160] [--baseline-root /tmp/old-checkout]

``--national``: the generated national-scale pools of bench/lottery_pools.py (seed 17): time,
floor, bound, gap, the lottery's floor, Gini and the highest probability, for each algorithm,
each run in its own process under ``--time-limit``. ``--baseline-root``: also run the engine of
another checkout (e.g. ``git archive`` of an older commit) on the same instances in the same
run, for a side-by-side comparison on a loaded machine.

For each instance: min / median / max selection probability and Gini of the optimal
distribution, runtime, and the same for the m-panel lottery actually drawn from; every lottery
panel is checked against every quota and the household rule.

The peer is GPL-3.0 and is never a samling dependency: it lives in its own virtualenv
(``bench/.venv-peer``, gitignored) and runs in a subprocess of this script::

    python3 -m venv bench/.venv-peer
    bench/.venv-peer/bin/pip install sortition-algorithms==0.12.15 mip

In the peer's process this file only calls the library's public functions (``read_in_features``,
``read_in_people``, ``find_distribution_maximin``, ``lottery_rounding``); nothing of it is copied.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "lottery"
PEER_PYTHON = ROOT / "bench" / ".venv-peer" / "bin" / "python"
INSTANCES = {  # name -> (panel size, household columns)
    "dk815_36": (36, ["address", "postcode"]),
    "example_small_20": (20, []),
    "example_large_200": (200, []),
}


def gini(values: list[float]) -> float:
    xs = sorted(values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def summary(probabilities: dict[str, float]) -> dict[str, float]:
    values = list(probabilities.values())
    return {
        "gini": max(0.0, gini(values)),
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def lottery_shares(lottery: list[list[str]], ids: list[str]) -> dict[str, float]:
    counts = dict.fromkeys(ids, 0)
    for panel in lottery:
        for pid in panel:
            counts[pid] += 1
    return {pid: c / len(lottery) for pid, c in counts.items()}


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


# --- the peer, run inside bench/.venv-peer --------------------------------------------------


def peer_worker(name: str, backend: str, panels: int) -> None:
    import os

    result_fd = os.dup(1)  # the library logs to stdout: send that to stderr, keep stdout for JSON
    os.dup2(2, 1)
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin
    from sortition_algorithms.core import lottery_rounding

    k, household = INSTANCES[name]
    qhead, qrows = read_rows(DATA / name / "quotas.csv")
    phead, prows = read_rows(DATA / name / "people.csv")
    features, _, _ = read_in_features(qhead, qrows, k)
    settings = Settings(
        id_column="id",
        columns_to_keep=[],
        check_same_address=bool(household),
        check_same_address_columns=household,
        solver_backend=backend,
    )
    people, _ = read_in_people(phead, prows, features, settings)
    start = time.perf_counter()
    committees, weights, _ = find_distribution_maximin(
        features, people, k, household, solver_backend=backend
    )
    seconds = time.perf_counter() - start
    ids = [row["id"] for row in prows]
    probs = dict.fromkeys(ids, 0.0)
    for committee, weight in zip(committees, weights, strict=True):
        for pid in committee:
            probs[pid] += weight
    start = time.perf_counter()
    lottery = [sorted(c) for c in lottery_rounding(committees, weights, panels)]
    rounding_seconds = time.perf_counter() - start
    with os.fdopen(result_fd, "w") as out:
        json.dump(
            {
                "probabilities": probs,
                "lottery": lottery,
                "seconds": seconds,
                "rounding_seconds": rounding_seconds,
            },
            out,
        )


def run_peer(name: str, backend: str, panels: int, timeout: float) -> dict | None:
    if not PEER_PYTHON.exists():
        print(f"peer virtualenv missing ({PEER_PYTHON}); skipping the peer", file=sys.stderr)
        return None
    cmd = [str(PEER_PYTHON), __file__, "--peer-worker", name, "--peer-backend", backend]
    cmd += ["--panels", str(panels)]
    start = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        print(f"peer timed out on {name} after {timeout:.0f} s", file=sys.stderr)
        return None
    except subprocess.CalledProcessError as exc:
        print(f"peer failed on {name}: {exc.stderr[-2000:]}", file=sys.stderr)
        return None
    out = json.loads(done.stdout)
    out["wall_seconds"] = time.perf_counter() - start
    return out


# --- samling -------------------------------------------------------------------------------------


def run_samling(name: str, panels: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from facilitation.sortition import Person, Quota, check_panel, run_lottery

    k, household = INSTANCES[name]
    _, qrows = read_rows(DATA / name / "quotas.csv")
    _, prows = read_rows(DATA / name / "people.csv")
    quotas = [Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in qrows]
    features = sorted({q.feature for q in quotas})
    people = [
        Person(
            r["id"],
            {f: r[f] for f in features},
            "|".join(r[c] for c in household) if household else None,
        )
        for r in prows
    ]
    start = time.perf_counter()
    result = run_lottery(people, quotas, k, panels=panels)
    seconds = time.perf_counter() - start
    bad = sum(1 for panel in result.lottery if check_panel(panel, people, quotas, k))
    return {
        "probabilities": result.probabilities,
        "lottery": [list(p) for p in result.lottery],
        "seconds": seconds,
        "bad_panels": bad,
        "method": result.method,
        "within_one_over_m": result.within_one_over_m,
        "within_floor_ceil": result.within_floor_ceil,
    }


def load_instance(name: str) -> tuple[list, list, int]:
    """A shared-data instance or a generated pool, as (people, quotas, panel size)."""
    sys.path.insert(0, str(ROOT))
    from facilitation.sortition import Person, Quota

    if name in INSTANCES:
        k, household = INSTANCES[name]
        _, qrows = read_rows(DATA / name / "quotas.csv")
        _, prows = read_rows(DATA / name / "people.csv")
        quotas = [Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in qrows]
        features = sorted({q.feature for q in quotas})
        people = [
            Person(
                r["id"],
                {f: r[f] for f in features},
                "|".join(r[c] for c in household) if household else None,
            )
            for r in prows
        ]
        return people, quotas, k
    from bench.lottery_pools import named

    pool = named(name)
    return pool.people, pool.quotas, pool.panel_size


def samling_worker(name: str, root: str, algorithm: str, time_limit: float, panels: int) -> None:
    """Run one engine (this checkout's or ``root``'s) on one instance; JSON on stdout."""
    import inspect

    people, quotas, k = load_instance(name)
    sys.path.insert(0, root)
    for mod in [m for m in sys.modules if m == "facilitation" or m.startswith("facilitation.")]:
        del sys.modules[mod]
    import facilitation.sortition as engine

    kwargs: dict = {"panels": panels}
    if "budget" in inspect.signature(engine.run_lottery).parameters:
        start = time.perf_counter()
        kwargs["budget"] = engine.Budget(
            clock=lambda: time.perf_counter() - start, time_limit=time_limit
        )
        kwargs["algorithm"] = algorithm
    elif algorithm != "leximin":
        print(json.dumps(None))
        return
    start = time.perf_counter()
    result = engine.run_lottery(people, quotas, k, **kwargs)
    seconds = time.perf_counter() - start
    bad = sum(1 for panel in result.lottery if engine.check_panel(panel, people, quotas, k))
    excluded = set(result.already_selected)
    pool = [p.id for p in people if p.id not in excluded]
    opt = [result.probabilities[i] for i in pool]
    lot = [result.lottery_probabilities[i] for i in pool]
    stats = result.stats
    print(
        json.dumps(
            {
                "seconds": seconds,
                "method": result.method,
                "floor": min(opt),
                "max": max(opt),
                "gini": max(0.0, gini(opt)),
                "bound": stats.get("bound", min(opt)),
                "gap": stats.get("gap", 0.0),
                "stopped": stats.get("stopped", ""),
                "rounds": stats.get("pricing_rounds", 0),
                "lottery_floor": min(lot),
                "lottery_max": max(lot),
                "lottery_gini": gini(lot),
                "within_one_over_m": result.within_one_over_m,
                "bad_panels": bad,
                "classes": stats.get("classes", 0),
                "sha": result.lottery_sha256[:12],
            }
        )
    )


def run_worker(
    name: str, root: Path, algorithm: str, time_limit: float, panels: int, timeout: float
) -> dict:
    cmd = [sys.executable, __file__, "--samling-worker", name, "--root", str(root)]
    cmd += ["--algorithm", algorithm, "--time-limit", str(time_limit), "--panels", str(panels)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"no result after {timeout:.0f} s (stopped)"}
    if done.returncode:
        return {"error": done.stderr[-500:]}
    return json.loads(done.stdout) or {"error": "not available"}


def national(args: argparse.Namespace) -> int:
    import os

    roots = [("samling", ROOT)]
    if args.baseline_root:
        roots.append(("baseline", Path(args.baseline_root)))
    print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
    print(
        "| instance | engine | algorithm | classes | seconds | method | floor | bound | gap | "
        f"m={args.panels} floor | Gini | max | lottery max | within 1/m | bad | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.pools.split(","):
        for who, root in roots:
            for algorithm in args.algorithms.split(","):
                if who == "baseline" and algorithm != "leximin":
                    continue
                load = os.getloadavg()[0]
                # an engine without a time limit (the baseline) is stopped after 3 x the limit
                timeout = 3 * args.time_limit + 30
                e = run_worker(name, root, algorithm, args.time_limit, args.panels, timeout)
                if "error" in e:
                    print(f"| {name} | {who} | {algorithm} | error: {e['error'][-120:]!r} |")
                    continue
                print(
                    f"| {name} | {who} | {algorithm} | {e['classes']} | {e['seconds']:.1f} | "
                    f"{e['method']}{' (' + e['stopped'] + ')' if e['stopped'] else ''} | "
                    f"{e['floor']:.4%} | {float(e['bound']):.4%} | {float(e['gap']):.3%} | "
                    f"{e['lottery_floor']:.3%} | {e['gini']:.4f} | {e['max']:.3%} | "
                    f"{e['lottery_max']:.3%} | {e['within_one_over_m']} | {e['bad_panels']} | "
                    f"{load:.1f} |",
                    flush=True,
                )
    print(f"load average at end: {os.getloadavg()}", file=sys.stderr)
    return 0


def check_peer_panels(name: str, lottery: list[list[str]]) -> int:
    sys.path.insert(0, str(ROOT))
    from facilitation.sortition import Person, Quota, check_panel

    k, household = INSTANCES[name]
    _, qrows = read_rows(DATA / name / "quotas.csv")
    _, prows = read_rows(DATA / name / "people.csv")
    quotas = [Quota(r["feature"], r["value"], int(r["min"]), int(r["max"])) for r in qrows]
    people = [
        Person(
            r["id"],
            {q.feature: r[q.feature] for q in quotas},
            "|".join(r[c] for c in household) if household else None,
        )
        for r in prows
    ]
    return sum(1 for panel in lottery if check_panel(panel, people, quotas, k))


def lex_compare(ours: dict[str, float], theirs: dict[str, float], tol: float = 1e-7) -> str:
    """Compare the sorted probability vectors lexicographically (leximin's order)."""
    a, b = sorted(ours.values()), sorted(theirs.values())
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if abs(x - y) > tol:
            word = "better" if x > y else "worse"
            return f"samling {word} (first difference at rank {i + 1}: {x:.6f} vs {y:.6f})"
    return "equal"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=",".join(INSTANCES))
    parser.add_argument("--panels", type=int, default=1000)
    parser.add_argument("--skip-peer", action="store_true", help="samling only")
    parser.add_argument("--peer-backend", default="mip", help="mip (CBC) or highspy")
    parser.add_argument("--peer-timeout", type=float, default=900.0)
    parser.add_argument("--peer-worker", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print raw figures as JSON")
    parser.add_argument("--national", action="store_true", help="the generated national pools")
    parser.add_argument("--pools", default="pool2000_80,pool5000_110,pool10000_160")
    parser.add_argument("--algorithms", default="leximin,goldilocks")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--baseline-root", help="another checkout's root, run side by side")
    parser.add_argument("--samling-worker", help=argparse.SUPPRESS)
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument("--algorithm", default="leximin", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.samling_worker:
        samling_worker(args.samling_worker, args.root, args.algorithm, args.time_limit, args.panels)
        return 0
    if args.national:
        return national(args)
    if args.peer_worker:
        peer_worker(args.peer_worker, args.peer_backend, args.panels)
        return 0
    results = []
    for name in args.instances.split(","):
        ours = run_samling(name, args.panels)
        entry = {
            "instance": name,
            "samling": {
                "optimal": summary(ours["probabilities"]),
                "lottery": summary(lottery_shares(ours["lottery"], list(ours["probabilities"]))),
                "seconds": ours["seconds"],
                "bad_panels": ours["bad_panels"],
                "method": ours["method"],
                "within_one_over_m": ours["within_one_over_m"],
            },
        }
        if not args.skip_peer:
            peer = run_peer(name, args.peer_backend, args.panels, args.peer_timeout)
            if peer is not None:
                entry["peer"] = {
                    "optimal": summary(peer["probabilities"]),
                    "lottery": summary(
                        lottery_shares(peer["lottery"], list(peer["probabilities"]))
                    ),
                    "seconds": peer["seconds"],
                    "bad_panels": check_peer_panels(name, peer["lottery"]),
                    "backend": args.peer_backend,
                    "rounding_seconds": peer["rounding_seconds"],
                }
                entry["leximin_order"] = lex_compare(ours["probabilities"], peer["probabilities"])
        results.append(entry)
        print(f"done: {name}", file=sys.stderr)
        if "leximin_order" in entry:
            print(f"{name}: {entry['leximin_order']}", file=sys.stderr)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        "| instance | method | opt. min | opt. median | opt. max | opt. Gini | "
        f"m={args.panels} min | median | max | Gini | seconds (wall) | bad panels |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for entry in results:
        for who in ("samling", "peer"):
            if who not in entry:
                continue
            e = entry[who]
            label = (
                "samling leximin"
                if who == "samling"
                else f"peer maximin ({e['backend'].replace('mip', 'CBC')})"
            )
            o, lo = e["optimal"], e["lottery"]
            seconds = f"{e['seconds']:.1f}"
            if "rounding_seconds" in e:
                seconds += f" + {e['rounding_seconds']:.1f}"
            print(
                f"| {entry['instance']} | {label} | {o['min']:.3%} | {o['median']:.3%} | "
                f"{o['max']:.3%} | {o['gini']:.4f} | {lo['min']:.3%} | {lo['median']:.3%} | "
                f"{lo['max']:.3%} | {lo['gini']:.4f} | {seconds} | {e['bad_panels']} |"
            )
    print()
    for entry in results:
        if "leximin_order" in entry:
            print(f"- {entry['instance']}: sorted probabilities vs peer: {entry['leximin_order']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
