"""`samling lottery`: the fair, verifiable draw of a panel (contract: docs/contracts/lottery.md).

    samling lottery --people people.csv --quotas quotas.csv --panel-size 36 --seed TEXT --json
        [--household-columns address,postcode] [--already-selected ids.csv] [--panels 1000]
        [--algorithm leximin|goldilocks] [--time-limit 300] [--max-rounds N] [--quiet]
        -> {"panel": [...], "probabilities": {...}, "lottery": [[...], ...], "seed": ...,
            "index": ..., "algorithm": "leximin", "version": ..., ...}

Malformed files: exit status 2; quotas no panel can meet: exit status 3. Either way the reason
is on stderr and nothing is written to stdout. Progress lines go to stderr (never stdout, the
JSON channel); a run stopped by --time-limit still exits 0 with the best lottery found,
labelled ("method": "approximate", "computation": {"stopped": "time limit", "gap": ...}).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

from app import __version__
from app.cli._input import EXIT_BAD_INPUT, InputError, read_table
from app.csvfiles import CsvError
from app.lottery.files import id_column, parse_pool, parse_quotas
from facilitation.sortition import (
    ALGORITHM,
    ALGORITHMS,
    SEED_RULE,
    Budget,
    InfeasibleQuotasError,
    Person,
    Quota,
    SortitionInputError,
    Status,
    run_lottery,
)

EXIT_INFEASIBLE = 3
DEFAULT_TIME_LIMIT = 300.0  # seconds: "a few minutes"
STAGES = {
    "relaxation": "bound computed",
    "decomposition": "column generation",
    "exact": "exact leximin",
    "rounding": "rounding to the lottery",
}


class ProgressLines:
    """One line on stderr per stage and at most one a second within a stage:
    ``samling lottery: 12.3 s, column generation, round 40: floor 2.3180 % (bound 2.3350 %),
    gap 0.73 %``."""

    def __init__(self, clock: object, stream: TextIO, every: float = 1.0) -> None:
        self.clock = clock
        self.stream = stream
        self.every = every
        self.last_stage = ""
        self.last_time = -1e9

    def __call__(self, status: Status) -> None:
        if status.stage == self.last_stage and status.elapsed - self.last_time < self.every:
            return
        self.last_stage, self.last_time = status.stage, status.elapsed
        stage = STAGES.get(status.stage, status.stage)
        print(
            f"samling lottery: {status.elapsed:.1f} s, {stage}, round {status.rounds}: "
            f"floor {status.floor:.4%} (bound {status.bound:.4%}), gap {status.gap:.2%}",
            file=self.stream,
            flush=True,
        )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lottery",
        help="draw a panel by the fair (LEXIMIN) lottery with a verifiable seed",
        description=(
            "Compute the LEXIMIN-fair selection probabilities under the quotas, round them to a "
            "uniform lottery over M panels, and draw one panel with the public seed. "
            "See docs/contracts/lottery.md."
        ),
    )
    parser.add_argument("--people", required=True, help="CSV: id + one column per feature")
    parser.add_argument(
        "--quotas", required=True, help="CSV: feature,value,min,max[,min_flex,max_flex]"
    )
    parser.add_argument("--panel-size", type=int, required=True, help="seats on the whole panel")
    parser.add_argument("--seed", required=True, help="the public randomness, as text")
    parser.add_argument(
        "--household-columns",
        default="",
        help="comma-separated address columns; at most one person per household",
    )
    parser.add_argument(
        "--already-selected", help="CSV with an id column: people already on the panel"
    )
    parser.add_argument("--panels", type=int, default=1000, help="panels in the lottery (M)")
    parser.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default=ALGORITHM,
        help="leximin (default: the fairest) or goldilocks (bounds the lowest and the highest "
        "chance: manipulation-robust)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        help="seconds (default %(default)s); then the best lottery found, labelled approximate",
    )
    parser.add_argument(
        "--max-rounds",
        type=int,
        help="deterministic effort budget in column-generation rounds (repeat a stopped run "
        "exactly with the rounds it reported)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def read_quotas(path: str) -> list[Quota]:
    """The quota file, read like the organiser's upload (app/lottery/files.py)."""
    try:
        return parse_quotas(read_table(path))
    except CsvError as exc:
        raise InputError(f"{path}: {'; '.join(exc.problems)}") from None


def read_people(path: str, quotas: list[Quota], household_columns: list[str]) -> list[Person]:
    """The pool, read like the organiser's upload; only the engine's view is kept."""
    try:
        return parse_pool(read_table(path), quotas, household_columns).people
    except CsvError as exc:
        raise InputError(f"{path}: {'; '.join(exc.problems)}") from None


def read_ids(path: str, known: set[str]) -> list[str]:
    table = read_table(path)
    column = id_column(table.columns)
    problems = []
    ids = []
    for row in table.rows:
        pid = row[column]
        if pid not in known:
            problems.append(f"line {row.line}: {pid!r} is not in the people file")
        elif pid in ids:
            problems.append(f"line {row.line}: {pid!r} is listed twice")
        else:
            ids.append(pid)
    if problems:
        raise InputError(f"{path}: {'; '.join(problems)}")
    return ids


def run(args: argparse.Namespace) -> int:
    try:
        if args.panels < 1:
            raise InputError("--panels must be at least 1")
        if args.panel_size < 1:
            raise InputError("--panel-size must be at least 1")
        if not " ".join(args.seed.split()):
            raise InputError("--seed is empty")
        if not args.time_limit > 0:
            raise InputError("--time-limit must be more than 0 seconds")
        if args.max_rounds is not None and args.max_rounds < 1:
            raise InputError("--max-rounds must be at least 1")
        columns = [c.strip() for c in args.household_columns.split(",") if c.strip()]
        quotas = read_quotas(args.quotas)
        people = read_people(args.people, quotas, columns)
        already = (
            read_ids(args.already_selected, {p.id for p in people}) if args.already_selected else []
        )
        start = time.monotonic()

        def clock() -> float:
            return time.monotonic() - start

        budget = Budget(
            clock=clock,
            time_limit=args.time_limit,
            max_rounds=args.max_rounds,
            report=None if args.quiet else ProgressLines(clock, sys.stderr),
        )
        result = run_lottery(
            people, quotas, args.panel_size, already, args.panels, None, budget, args.algorithm
        )
    except InputError as exc:
        print(f"samling lottery: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SortitionInputError as exc:
        print(f"samling lottery: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except InfeasibleQuotasError as exc:
        print(f"samling lottery: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    drawn = result.draw(args.seed)
    out = {
        "panel": list(drawn.panel),
        "probabilities": {pid: round(p, 12) for pid, p in sorted(result.probabilities.items())},
        "lottery": [list(panel) for panel in result.lottery],
        "seed": drawn.seed,
        "index": drawn.index,
        "algorithm": result.algorithm,
        "version": __version__,
        "seed_normalised": drawn.seed_normalised,
        "seed_sha256": drawn.seed_sha256,
        "seed_rule": SEED_RULE,
        "lottery_sha256": result.lottery_sha256,
        "lottery_probabilities": dict(sorted(result.lottery_probabilities.items())),
        "panel_size": result.panel_size,
        "already_selected": list(result.already_selected),
        "guarantees": {
            "within_one_over_m": result.within_one_over_m,
            "within_floor_ceil": result.within_floor_ceil,
            "leximin_certified": bool(result.stats.get("certified", True)),
            "leximin_gap": float(result.stats.get("gap", 0.0)),
        },
        "method": result.method,
        "solver": result.stats.get("solver"),
        "computation": computation(result.stats, args.time_limit, args.max_rounds),
    }
    guarantees = out["guarantees"]
    if result.algorithm == "goldilocks" and isinstance(guarantees, dict):
        guarantees["goldilocks"] = goldilocks_figures(result.stats)
    certified = bool(result.stats.get("certified", True))
    gap = float(result.stats.get("gap", 0.0))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        floor = result.stats.get("floor", 0.0)
        lottery_floor = result.stats.get("lottery_floor", 0.0)
        print(f"panel (index {drawn.index} of {len(result.lottery)}): {', '.join(drawn.panel)}")
        print(f"lowest selection probability: {floor:.4%} (lottery: {lottery_floor:.4%})")
        print(f"seed sha256: {drawn.seed_sha256}; lottery sha256: {result.lottery_sha256}")
        if not certified:
            print(
                f"approximate ({result.stats.get('stopped') or 'not reachable'}): every class "
                f"has at least {1 - gap:.4%} of its target; the lowest probability any lottery "
                f"can reach is at most {float(result.stats.get('bound', 0.0)):.4%}"
            )
    if not args.quiet:
        word = "certified" if certified else f"approximate, gap {gap:.2%}"
        print(
            f"samling lottery: done in {time.monotonic() - start:.1f} s ({word}): "
            f"floor {float(result.stats.get('floor', 0.0)):.4%}, "
            f"lottery floor {float(result.stats.get('lottery_floor', 0.0)):.4%}",
            file=sys.stderr,
        )
    return 0


def computation(
    stats: dict[str, float | int | str | bool], time_limit: float, max_rounds: int | None
) -> dict[str, object]:
    """How the result was reached, and how close to the optimum it is proven to be."""
    return {
        "certified": bool(stats.get("certified", True)),
        "gap": float(stats.get("gap", 0.0)),
        "floor": float(stats.get("floor", 0.0)),
        "floor_bound": float(stats.get("bound", 0.0)),
        "lottery_floor": float(stats.get("lottery_floor", 0.0)),
        "rounds": int(stats.get("pricing_rounds", 0)),
        "stopped": str(stats.get("stopped", "")),
        "time_limit": time_limit,
        "max_rounds": max_rounds,
    }


def goldilocks_figures(stats: dict[str, float | int | str | bool]) -> dict[str, float]:
    """Goldilocks' guarantee: every chance in [uniform / ratio, ratio × uniform]."""
    u = float(stats.get("uniform", 0.0))
    low, high = float(stats.get("floor", 0.0)), float(stats.get("ceiling", 0.0))
    ratio = max(high / u if u else 0.0, u / low if low else float("inf"))
    return {
        "uniform": u,
        "lowest": low,
        "highest": high,
        "ratio": ratio,
        "ratio_bound": float(stats.get("goldilocks_bound", ratio)),
        "lottery_lowest": float(stats.get("lottery_floor", 0.0)),
        "lottery_highest": float(stats.get("lottery_ceiling", 0.0)),
    }
