"""`samling rotate`: plan changing tables for several rounds (contract: docs/contracts/rotate.md).

    samling rotate --people people.csv --table-size 6 --rounds 6 --seed 1 --json
        -> {"rounds": [{"tables": [["id", ...], ...]}, ...], "stats": {...}}

Exit status 0 on success; 2 for malformed input (the reason on stderr naming the file and line
or entry, nothing on stdout); 1 when the hard constraints cannot all hold (the conflict on
stderr, nothing on stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.cli._input import EXIT_BAD_INPUT, InputError, read_table
from facilitation.rotation import (
    Constraints,
    Member,
    RotationError,
    RotationProblem,
    TableLayout,
    plan_rounds,
)

EXIT_INFEASIBLE = 1
DEFAULT_TIME_LIMIT = 10.0
CONSTRAINT_KEYS = ("keep_apart", "keep_together", "pinned", "hosts", "absent")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "rotate",
        help="plan rounds of changing tables so people meet new people",
        description=(
            "Seat everyone present at a new table every round: as few repeated encounters as "
            "possible, tables mirroring the assembly on --balance attributes, hard constraints "
            "kept. See docs/contracts/rotate.md."
        ),
    )
    parser.add_argument("--people", required=True, help="CSV: an id column, one per attribute")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--table-size", type=int, help="largest table size (sizes within one)")
    size.add_argument("--tables", type=int, help="number of tables (sizes within one)")
    parser.add_argument("--rounds", type=int, required=True, help="rounds to plan")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--history", help='JSON of earlier rounds: {"rounds": [{"tables": ...}]}')
    parser.add_argument("--constraints", help="JSON of hard constraints and absences")
    parser.add_argument(
        "--balance",
        default="",
        help="attributes to balance, optionally with priorities: gender:4,age:3,area",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        help=f"seconds of search at most (default {DEFAULT_TIME_LIMIT:g})",
    )
    parser.add_argument("--iterations", type=int, help="search iterations (default: by size)")
    parser.add_argument("--json", action="store_true", help="print JSON (else a readable plan)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        problem = _problem(args)
    except InputError as exc:
        print(f"samling rotate: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        plan = plan_rounds(
            problem,
            seed=args.seed,
            iterations=args.iterations,
            time_limit=args.time_limit,
            clock=time.monotonic,
        )
    except RotationError as exc:
        print(f"samling rotate: {exc}", file=sys.stderr)
        return EXIT_INFEASIBLE
    out = {"rounds": [{"tables": tables} for tables in plan.rounds], "stats": plan.stats.as_dict()}
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        for r, tables in enumerate(plan.rounds, 1):
            print(f"Round {r}")
            for t, table in enumerate(tables, 1):
                print(f"  Table {t}: {', '.join(table)}")
        stats = plan.stats
        print(
            f"repeated pairs {stats.repeated_pairs}, most meetings of a pair "
            f"{stats.max_pair_meetings}, band misses {stats.band_misses}"
        )
    return 0


def _problem(args: argparse.Namespace) -> RotationProblem:
    if args.rounds is None or args.rounds < 1:
        raise InputError("--rounds must be at least 1")
    for flag, value in (("--table-size", args.table_size), ("--tables", args.tables)):
        if value is not None and value < 1:
            raise InputError(f"{flag} must be at least 1")
    if args.time_limit is not None and args.time_limit <= 0:
        raise InputError("--time-limit must be more than 0 seconds")
    if args.iterations is not None and args.iterations < 0:
        raise InputError("--iterations cannot be negative")
    balance = parse_balance(args.balance)
    members = _members(args.people, list(balance))
    known = {m.id for m in members}
    history = _history(args.history) if args.history else []
    constraints, absent = (
        _constraints(args.constraints, known) if args.constraints else (Constraints(), [])
    )
    present = frozenset(known - set(absent)) if absent else None
    layout = TableLayout(size=args.table_size, count=args.tables)
    return RotationProblem(
        members=members,
        rounds=args.rounds,
        layout=layout,
        present=present,
        history=history,
        constraints=constraints,
        balance=balance,
    )


def parse_balance(text: str) -> dict[str, float]:
    """``gender:4,age:3,area`` → {"gender": 4.0, "age": 3.0, "area": 1.0} (priority 1 if none)."""
    out: dict[str, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, weight = part.partition(":")
        name = name.strip()
        if not name:
            raise InputError(f"--balance: {part!r} has no attribute name")
        try:
            priority = float(weight) if weight.strip() else 1.0
        except ValueError:
            raise InputError(
                f"--balance: priority of {name!r} is not a number: {weight!r}"
            ) from None
        if not priority > 0 or priority != priority or priority == float("inf"):
            raise InputError(f"--balance: priority of {name!r} must be a number > 0")
        if name in out:
            raise InputError(f"--balance: {name!r} is named twice")
        out[name] = priority
    return out


def _members(path: str, balanced: list[str]) -> list[Member]:
    table = read_table(path, "id", *balanced)
    problems: list[str] = []
    first_line: dict[str, int] = {}
    members: list[Member] = []
    for row in table.rows:
        pid = row["id"]
        if not pid:
            problems.append(f"line {row.line}: empty id")
            continue
        if pid in first_line:
            problems.append(f"line {row.line}: id {pid!r} already on line {first_line[pid]}")
            continue
        first_line[pid] = row.line
        for name in balanced:
            if not row[name]:
                problems.append(f"line {row.line}: empty {name!r} (a --balance attribute)")
        attributes = {k: v for k, v in row.values.items() if k != "id"}
        members.append(Member(pid, attributes))
    if not members and not problems:
        problems.append("no people (only a header)")
    if problems:
        raise InputError(f"{path}: {'; '.join(problems)}")
    return members


def _load_json(path: str) -> Any:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: line {exc.lineno} column {exc.colno}: {exc.msg}") from None


def _id(value: object, path: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InputError(f"{path}: {where}: expected an id (a string), found {value!r}")
    return str(value)


def _list(value: object, path: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"{path}: {where}: expected a list, found {type(value).__name__}")
    return value


def _history(path: str) -> list[list[list[str]]]:
    data = _load_json(path)
    if not isinstance(data, dict) or "rounds" not in data:
        raise InputError(f'{path}: expected an object with "rounds" (the shape rotate prints)')
    rounds: list[list[list[str]]] = []
    for r, entry in enumerate(_list(data["rounds"], path, "rounds")):
        if not isinstance(entry, dict) or "tables" not in entry:
            raise InputError(f'{path}: rounds[{r}]: expected an object with "tables"')
        tables = []
        seen: set[str] = set()
        for t, table in enumerate(_list(entry["tables"], path, f"rounds[{r}].tables")):
            ids = []
            for k, value in enumerate(_list(table, path, f"rounds[{r}].tables[{t}]")):
                pid = _id(value, path, f"rounds[{r}].tables[{t}][{k}]")
                if pid in seen:
                    raise InputError(f"{path}: rounds[{r}]: {pid!r} is seated twice")
                seen.add(pid)
                ids.append(pid)
            tables.append(ids)
        rounds.append(tables)
    return rounds


def _constraints(path: str, known: set[str]) -> tuple[Constraints, list[str]]:
    data = _load_json(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object with {', '.join(CONSTRAINT_KEYS)}")
    unknown_keys = sorted(set(data) - set(CONSTRAINT_KEYS))
    if unknown_keys:
        raise InputError(
            f"{path}: unknown key(s) {', '.join(map(repr, unknown_keys))}; "
            f"expected {', '.join(CONSTRAINT_KEYS)}"
        )

    def member(value: object, where: str) -> str:
        pid = _id(value, path, where)
        if pid not in known:
            raise InputError(f"{path}: {where}: {pid!r} is not in the people file")
        return pid

    apart: list[tuple[str, str]] = []
    for k, pair in enumerate(_list(data.get("keep_apart", []), path, "keep_apart")):
        items = _list(pair, path, f"keep_apart[{k}]")
        if len(items) != 2:
            raise InputError(f"{path}: keep_apart[{k}]: expected a pair of ids")
        a, b = (member(x, f"keep_apart[{k}]") for x in items)
        apart.append((a, b))
    together = [
        [member(x, f"keep_together[{k}]") for x in _list(group, path, f"keep_together[{k}]")]
        for k, group in enumerate(_list(data.get("keep_together", []), path, "keep_together"))
    ]
    fixed: dict[str, dict[str, int]] = {}
    for key in ("pinned", "hosts"):
        mapping = data.get(key, {})
        if not isinstance(mapping, Mapping):
            raise InputError(f"{path}: {key}: expected an object {{id: table number}}")
        fixed[key] = {}
        for pid, number in mapping.items():
            member(pid, f"{key}")
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise InputError(
                    f"{path}: {key}[{pid!r}]: table numbers are whole numbers from 1, "
                    f"found {number!r}"
                )
            fixed[key][pid] = number - 1
    absent = [member(x, "absent") for x in _list(data.get("absent", []), path, "absent")]
    constraints = Constraints(
        keep_apart=apart, keep_together=together, pinned=fixed["pinned"], hosts=fixed["hosts"]
    )
    return constraints, absent
