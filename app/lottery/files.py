"""Reading the lottery's uploaded files: the quotas and the pool of volunteers.

The shapes are the Sortition Foundation's (see docs/contracts/lottery.md): ``quotas.csv`` with
``feature,value,min,max[,min_flex,max_flex]`` (or the older ``category,name,…``), and a people
file with an id column, one column per quota feature and any other columns (names, contact
details: kept only for the organiser's export until the pool is deleted). Every bad row is named
by its line (header = line 1); a file with any bad row raises :class:`CsvError`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app import exports
from app.csvfiles import CsvError, CsvTable
from facilitation.messages import N_
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
        raise CsvError([N_("line 1: need the columns feature,value,min,max")])
    table.require("min", "max")
    problems: list[str] = []
    quotas: list[Quota] = []
    first: dict[tuple[str, str], int] = {}
    for row in table.rows:
        feature, value = row[fcol], row[vcol]
        bad = []
        if not feature or not value:
            bad.append(N_("empty %(feature)s or %(value)s", feature=fcol, value=vcol))
        numbers: dict[str, int | None] = {}
        for column in ("min", "max", "min_flex", "max_flex"):
            text = row.get(column, "")
            numbers[column] = _whole(text) if text or not column.endswith("_flex") else None
            if numbers[column] is None and (text or not column.endswith("_flex")):
                bad.append(
                    N_("%(column)s %(text)r is not a whole number >= 0", column=column, text=text)
                )
        lo, hi = numbers["min"], numbers["max"]
        if lo is not None and hi is not None and lo > hi:
            bad.append(N_("min %(min)s is above max %(max)s", min=lo, max=hi))
        if numbers["min_flex"] is not None and lo is not None and numbers["min_flex"] > lo:
            bad.append(
                N_("min_flex %(flex)s is above min %(min)s", flex=numbers["min_flex"], min=lo)
            )
        if numbers["max_flex"] is not None and hi is not None and numbers["max_flex"] < hi:
            bad.append(
                N_("max_flex %(flex)s is below max %(max)s", flex=numbers["max_flex"], max=hi)
            )
        key = (feature, value)
        if feature and value and key in first:
            bad.append(
                N_(
                    "%(feature)s=%(value)s already given on line %(line)s",
                    feature=feature,
                    value=value,
                    line=first[key],
                )
            )
        first.setdefault(key, row.line)
        if bad:
            problems.append(N_("line %(line)s: %(problems)s", line=row.line, problems=bad))
        elif lo is not None and hi is not None:
            quotas.append(Quota(feature, value, lo, hi, numbers["min_flex"], numbers["max_flex"]))
    if not table.rows:
        problems.append(N_("no quotas"))
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
        raise CsvError([N_("line 1: missing column(s): %(columns)s", columns=", ".join(missing))])
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
            bad.append(N_("empty %(column)s", column=pid_column))
        elif len(pid) > MAX_CODE:
            bad.append(
                N_("%(column)s longer than %(max)s characters", column=pid_column, max=MAX_CODE)
            )
        elif pid in first:
            bad.append(N_("duplicate id %(id)r (first on line %(line)s)", id=pid, line=first[pid]))
        for f in features:
            value = row[f]
            if not value:
                bad.append(N_("no value for %(feature)s", feature=f))
            elif value not in allowed[f]:
                bad.append(N_("%(feature)s=%(value)r is not in the quotas", feature=f, value=value))
        first.setdefault(pid, row.line)
        if bad:
            problems.append(N_("line %(line)s: %(problems)s", line=row.line, problems=bad))
            continue
        rows.append([row[c] for c in table.columns])
        people.append(person_of(row.values, features, household_columns, pid))
    if not table.rows:
        problems.append(N_("no people"))
    if len(table.rows) > MAX_POOL:
        problems.append(N_("more than %(max)s people", max=MAX_POOL))
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


ROLE = N_("role")
SELECTED = N_("selected")
REPLACEMENT = N_("replacement")


def contact_csv(
    pool: dict[str, Any],
    panel: Sequence[str],
    replacements: Sequence[str],
    gettext: Callable[[str], str] = str,
) -> str:
    """Every uploaded column for the panel's people, with a role: selected or replacement.

    ``gettext`` puts the role column in the viewer's language; the uploaded columns keep the
    organiser's own names."""
    rows = pool_rows(pool)
    out = io.StringIO()
    writer = exports.writer(out, lineterminator="\n")
    writer.writerow([gettext(ROLE), *pool["columns"]])
    for pid in panel:
        role = gettext(REPLACEMENT if pid in replacements else SELECTED)
        writer.writerow([role, *(rows[pid][c] for c in pool["columns"])])
    return out.getvalue()
