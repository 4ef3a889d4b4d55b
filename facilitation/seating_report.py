"""What a facilitator checks before publishing a round: who met before, and table balance.

Pure: tables are lists of member ids, history is earlier rounds in the same shape.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

Table = Sequence[str]
Round = Sequence[Table]


@dataclass(frozen=True)
class TableReport:
    number: int
    members: list[str]
    met_before: int  # pairs at this table who already sat together in an earlier round
    balance: dict[str, dict[str, int]]  # attribute → value → count at this table


def pair_counts(history: Sequence[Round]) -> Counter[tuple[str, str]]:
    """How often each pair sat at the same table in ``history``."""
    counts: Counter[tuple[str, str]] = Counter()
    for round_ in history:
        for table in round_:
            for a, b in combinations(sorted(table), 2):
                counts[(a, b)] += 1
    return counts


def round_report(
    tables: Round,
    history: Sequence[Round],
    attributes: Mapping[str, Mapping[str, str]],
    balance_on: Sequence[str],
) -> list[TableReport]:
    """One report per table, in table order (table 1 first)."""
    met = pair_counts(history)
    reports = []
    for number, table in enumerate(tables, start=1):
        pairs = sum(1 for a, b in combinations(sorted(table), 2) if met[(a, b)])
        balance = {
            attr: dict(sorted(Counter(attributes.get(m, {}).get(attr, "?") for m in table).items()))
            for attr in balance_on
        }
        reports.append(TableReport(number, list(table), pairs, balance))
    return reports


def share_bands(
    people: Sequence[str], attributes: Mapping[str, Mapping[str, str]], attr: str, size: int
) -> dict[str, tuple[int, int]]:
    """The band each value should fall in at a table of ``size``: ⌊s·share⌋..⌈s·share⌉."""
    counts = Counter(attributes.get(p, {}).get(attr, "?") for p in people)
    total = max(len(people), 1)
    bands = {}
    for value, count in counts.items():
        exact = size * count / total
        bands[value] = (int(exact // 1), int(-(-exact // 1)))
    return bands
