"""Reading the lottery's uploaded files: the quotas and the pool of volunteers.

The shapes are the Sortition Foundation's (see docs/contracts/lottery.md): ``quotas.csv`` with
``feature,value,min,max[,min_flex,max_flex]`` (or the older ``category,name,…``), and a people
file with an id column, one column per quota feature and any other columns (names, contact
details: kept only for the organiser's export until the pool is deleted). Every bad row is named
by its line (header = line 1); a file with any bad row raises :class:`CsvError`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.csvfiles import CsvError, CsvTable
from facilitation.roster import MAX_CODE, MAX_NAME
from facilitation.sortition import Person, Quota

MAX_POOL = 20_000
FIRST_NAMES = ("first_name", "firstname", "fornavn", "given_name")
LAST_NAMES = ("last_name", "lastname", "efternavn", "surname")
FULL_NAMES = ("name", "navn", "full_name", "fulde_navn")


def _whole(text: str) -> int | None:
    try:
        number = int(text.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def parse_quotas(table: CsvTable) -> list[Quota]:
    """Quota rows, or CsvError naming every bad line."""
    columns = set(table.columns)
    if {"feature", "value"} <= columns:
        fcol, vcol = "feature", "value"
    elif {"category", "name"} <= columns:
        fcol, vcol = "category", "name"
    else:
        raise CsvError(["line 1: need the columns feature,value,min,max"])
    table.require("min", "max")
    problems: list[str] = []
    quotas: list[Quota] = []
    first: dict[tuple[str, str], int] = {}
    for row in table.rows:
        feature, value = row[fcol], row[vcol]
        bad = []
        if not feature or not value:
            bad.append(f"empty {fcol} or {vcol}")
        numbers: dict[str, int | None] = {}
        for column in ("min", "max", "min_flex", "max_flex"):
            text = row.get(column, "")
            numbers[column] = _whole(text) if text or not column.endswith("_flex") else None
            if numbers[column] is None and (text or not column.endswith("_flex")):
                bad.append(f"{column} {text!r} is not a whole number >= 0")
        lo, hi = numbers["min"], numbers["max"]
        if lo is not None and hi is not None and lo > hi:
            bad.append(f"min {lo} is above max {hi}")
        if numbers["min_flex"] is not None and lo is not None and numbers["min_flex"] > lo:
            bad.append(f"min_flex {numbers['min_flex']} is above min {lo}")
        if numbers["max_flex"] is not None and hi is not None and numbers["max_flex"] < hi:
            bad.append(f"max_flex {numbers['max_flex']} is below max {hi}")
        key = (feature, value)
        if feature and value and key in first:
            bad.append(f"{feature}={value} already given on line {first[key]}")
        first.setdefault(key, row.line)
        if bad:
            problems.append(f"line {row.line}: {'; '.join(bad)}")
        elif lo is not None and hi is not None:
            quotas.append(Quota(feature, value, lo, hi, numbers["min_flex"], numbers["max_flex"]))
    if not table.rows:
        problems.append("no quotas")
    if problems:
        raise CsvError(problems)
    return quotas


@dataclass(frozen=True)
class Pool:
    """The uploaded volunteers: every column (personal data) and the engine's view of them."""

    columns: list[str]
    id_column: str
    rows: list[list[str]]
    people: list[Person]


def id_column(columns: list[str]) -> str:
    for column in columns:
        if column.lower() == "id":
            return column
    return columns[0]


def household_key(values: list[str]) -> str | None:
    """Equal addresses ignoring case and runs of whitespace; all empty = no household."""
    parts = [" ".join(v.casefold().split()) for v in values]
    return None if not any(parts) else "\x1f".join(parts)


def person_of(
    values: dict[str, str], features: list[str], household_columns: list[str], pid: str
) -> Person:
    household = household_key([values[c] for c in household_columns])
    return Person(pid, {f: values[f] for f in features}, household)


def parse_pool(table: CsvTable, quotas: list[Quota], household_columns: list[str]) -> Pool:
    """The pool against the quotas' features, or CsvError naming every bad line."""
    features = sorted({q.feature for q in quotas})
    missing = [c for c in [*features, *household_columns] if c not in table.columns]
    if missing:
        raise CsvError([f"line 1: missing column(s): {', '.join(missing)}"])
    pid_column = id_column(table.columns)
    allowed = {f: {q.value for q in quotas if q.feature == f} for f in features}
    problems: list[str] = []
    first: dict[str, int] = {}
    rows: list[list[str]] = []
    people: list[Person] = []
    for row in table.rows:
        pid = row[pid_column]
        bad = []
        if not pid:
            bad.append(f"empty {pid_column}")
        elif len(pid) > MAX_CODE:
            bad.append(f"{pid_column} longer than {MAX_CODE} characters")
        elif pid in first:
            bad.append(f"duplicate id {pid!r} (first on line {first[pid]})")
        for f in features:
            value = row[f]
            if not value:
                bad.append(f"no value for {f}")
            elif value not in allowed[f]:
                bad.append(f"{f}={value!r} is not in the quotas")
        first.setdefault(pid, row.line)
        if bad:
            problems.append(f"line {row.line}: {'; '.join(bad)}")
            continue
        rows.append([row[c] for c in table.columns])
        people.append(person_of(row.values, features, household_columns, pid))
    if not table.rows:
        problems.append("no people")
    if len(table.rows) > MAX_POOL:
        problems.append(f"more than {MAX_POOL} people")
    if problems:
        raise CsvError(problems)
    return Pool(list(table.columns), pid_column, rows, people)


def display_name(values: dict[str, str], pid: str) -> str:
    """First name and last initial when the pool has name columns, else the pool id."""
    lowered = {k.lower(): v.strip() for k, v in values.items()}
    first = next((lowered[c] for c in FIRST_NAMES if lowered.get(c)), "")
    last = next((lowered[c] for c in LAST_NAMES if lowered.get(c)), "")
    if not first:
        full = next((lowered[c] for c in FULL_NAMES if lowered.get(c)), "").split()
        first, last = (full[0], full[-1] if len(full) > 1 else "") if full else ("", "")
    if not first:
        return pid
    name = f"{first} {last[0]}." if last else first
    return name[:MAX_NAME]


def pool_rows(pool: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The stored pool's rows by id (column → value)."""
    columns, pid_column = pool["columns"], pool["id_column"]
    rows = (dict(zip(columns, row, strict=True)) for row in pool["rows"])
    return {r[pid_column]: r for r in rows}


def contact_csv(pool: dict[str, Any], panel: Sequence[str], replacements: Sequence[str]) -> str:
    """Every uploaded column for the panel's people, with a role: selected or replacement."""
    rows = pool_rows(pool)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["role", *pool["columns"]])
    for pid in panel:
        role = "replacement" if pid in replacements else "selected"
        writer.writerow([role, *(rows[pid][c] for c in pool["columns"])])
    return out.getvalue()
