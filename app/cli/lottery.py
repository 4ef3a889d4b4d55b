"""`samling lottery`: the fair, verifiable draw of a panel (contract: docs/contracts/lottery.md).

    samling lottery --people people.csv --quotas quotas.csv --panel-size 36 --seed TEXT --json
        [--household-columns address,postcode] [--already-selected ids.csv] [--panels 1000]
        -> {"panel": [...], "probabilities": {...}, "lottery": [[...], ...], "seed": ...,
            "index": ..., "algorithm": "leximin", "version": ..., ...}

Malformed files: exit status 2; quotas no panel can meet: exit status 3. Either way the reason
is on stderr and nothing is written to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys

from app import __version__
from app.cli._input import EXIT_BAD_INPUT, InputError, read_table
from app.csvfiles import CsvError
from app.lottery_files import id_column, parse_pool, parse_quotas
from facilitation.sortition import (
    ALGORITHM,
    SEED_RULE,
    InfeasibleQuotasError,
    Person,
    Quota,
    SortitionInputError,
    run_lottery,
)

EXIT_INFEASIBLE = 3


def register(subparsers: argparse._SubParsersAction) -> None:
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
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(func=run)


def read_quotas(path: str) -> list[Quota]:
    """The quota file, read like the organiser's upload (app/lottery_files.py)."""
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
        columns = [c.strip() for c in args.household_columns.split(",") if c.strip()]
        quotas = read_quotas(args.quotas)
        people = read_people(args.people, quotas, columns)
        already = (
            read_ids(args.already_selected, {p.id for p in people}) if args.already_selected else []
        )
        result = run_lottery(people, quotas, args.panel_size, already, args.panels)
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
        "algorithm": ALGORITHM,
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
    }
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        floor = result.stats.get("floor", 0.0)
        lottery_floor = result.stats.get("lottery_floor", 0.0)
        print(f"panel (index {drawn.index} of {len(result.lottery)}): {', '.join(drawn.panel)}")
        print(f"lowest selection probability: {floor:.4%} (lottery: {lottery_floor:.4%})")
        print(f"seed sha256: {drawn.seed_sha256}; lottery sha256: {result.lottery_sha256}")
    return 0
