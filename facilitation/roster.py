"""Reading a roster of drawn members from table rows (a Sortition Foundation panel export).

The file has an ``id`` column, a name column and one column per attribute. Every problem is
reported with its line so nothing is imported from a file with any bad row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from facilitation.messages import N_

NAME_COLUMNS = ("name", "navn", "display_name", "first_name", "fornavn")
IGNORED_COLUMNS = frozenset(
    {
        "email",
        "e-mail",
        "mail",
        "phone",
        "telefon",
        "mobile",
        "address",
        "adresse",
        "postcode",
        "postnummer",
        "last_name",
        "efternavn",
        "cpr",
    }
)
MAX_NAME = 120
MAX_CODE = 64
MAX_VALUE = 80


@dataclass(frozen=True)
class MemberSpec:
    code: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RosterResult:
    members: list[MemberSpec]
    problems: list[str]


def name_column(columns: Sequence[str]) -> str | None:
    """The column that holds the display name (the first known name column), or None."""
    lowered = {c.lower(): c for c in columns}
    for candidate in NAME_COLUMNS:
        if candidate in lowered:
            return lowered[candidate]
    return None


def read_roster(
    columns: Sequence[str], rows: Sequence[tuple[int, dict[str, str]]], existing_codes: set[str]
) -> RosterResult:
    """Turn ``(line, row)`` pairs into members, or list every problem by line.

    Personal contact columns (email, phone, address) are dropped: the in-room roster is
    pseudonymous. ``existing_codes`` are ids already on the roster; repeating one is an error.
    """
    problems: list[str] = []
    lowered = [c.lower() for c in columns]
    if "id" not in lowered:
        problems.append(N_("line 1: missing column: id"))
    name_col = name_column(columns)
    if name_col is None:
        problems.append(N_("line 1: missing a name column (name, navn, first_name or fornavn)"))
    if problems:
        return RosterResult([], problems)
    id_col = columns[lowered.index("id")]
    attribute_cols = [
        c for c in columns if c not in (id_col, name_col) and c.lower() not in IGNORED_COLUMNS
    ]
    members: list[MemberSpec] = []
    seen: set[str] = set()
    for line, row in rows:
        code, name = row.get(id_col, "").strip(), row.get(name_col or "", "").strip()
        if not code:
            problems.append(N_("line %(line)s: empty id", line=line))
        elif len(code) > MAX_CODE:
            problems.append(
                N_("line %(line)s: id longer than %(max)s characters", line=line, max=MAX_CODE)
            )
        elif code in seen or code in existing_codes:
            problems.append(N_("line %(line)s: id %(id)r appears twice", line=line, id=code))
        if not name:
            problems.append(N_("line %(line)s: empty name", line=line))
        elif len(name) > MAX_NAME:
            problems.append(
                N_("line %(line)s: name longer than %(max)s characters", line=line, max=MAX_NAME)
            )
        attributes = {c: row.get(c, "").strip() for c in attribute_cols}
        too_long = [c for c, v in attributes.items() if len(v) > MAX_VALUE]
        if too_long:
            problems.append(
                N_(
                    "line %(line)s: value too long in %(columns)s",
                    line=line,
                    columns=", ".join(too_long),
                )
            )
        seen.add(code)
        members.append(MemberSpec(code, name, {c: v for c, v in attributes.items() if v}))
    if not rows:
        problems.append(N_("the file has no members"))
    return RosterResult([] if problems else members, problems)
