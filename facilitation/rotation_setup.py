"""Checking a `RotationProblem` and turning it into index arrays for the search.

Every hard-constraint conflict that can be seen without searching is reported here, as a
`RotationError` that names the people and tables involved.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from facilitation.disjoint_sets import DisjointSets
from facilitation.rotation_model import (
    Constraints,
    Member,
    PlanStats,
    RotationError,
    RotationProblem,
    Round,
    TableLayout,
)

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Attribute:
    """One balanced attribute: value codes per person and the band per (table, value)."""

    name: str
    weight: float
    codes: IntArray  # (n,)
    labels: list[str]
    lo: IntArray  # (T, K)
    hi: IntArray  # (T, K)


@dataclass(frozen=True)
class Instance:
    """A checked problem in index form; person i is ``ids[i]`` (present people, input order)."""

    ids: list[str]
    sizes: IntArray  # (T,) people per table
    fixed: IntArray  # (n,) table index a person must sit at, or -1
    groups: list[list[int]]  # keep-together groups (merged, size ≥ 2, present people)
    group_of: IntArray  # (n,) index into groups, or -1
    apart: BoolArray  # (n, n) keep-apart pairs
    forced: BoolArray  # (n, n) pairs that sit together in every round by construction
    history: IntArray  # (n, n) meetings in earlier rounds
    attributes: list[Attribute]
    rounds: int

    @property
    def n(self) -> int:
        """How many people are seated."""
        return len(self.ids)

    @property
    def tables(self) -> int:
        """How many tables there are."""
        return len(self.sizes)

    @property
    def movable(self) -> BoolArray:
        """People a single-person swap may move: not fixed, not in a keep-together group."""
        return (self.fixed < 0) & (self.group_of < 0)


def table_sizes(layout: TableLayout, people: int) -> list[int]:
    """Seats used at each table for ``people`` present, per the layout (sizes within one)."""
    given = [x is not None for x in (layout.count, layout.size, layout.capacities)]
    if sum(given) != 1:
        raise RotationError("give exactly one of table count, table size or table capacities")
    if people < 1:
        raise RotationError("nobody is present")
    if layout.capacities is not None:
        caps = [int(c) for c in layout.capacities]
        if not caps or min(caps) < 0:
            raise RotationError("table capacities must be a non-empty list of counts ≥ 0")
        if sum(caps) < people:
            raise RotationError(f"{people} people present but only {sum(caps)} seats")
        return _water_fill(caps, people)
    if layout.count is not None:
        count = layout.count
        if count < 1:
            raise RotationError("the table count must be at least 1")
    else:
        assert layout.size is not None
        if layout.size < 1:
            raise RotationError("the table size must be at least 1")
        count = math.ceil(people / layout.size)
    if count > people:
        raise RotationError(f"{count} tables but only {people} people present")
    base, extra = divmod(people, count)
    return [base + 1 if t < extra else base for t in range(count)]


def _water_fill(caps: list[int], people: int) -> list[int]:
    """Fill tables level by level so that occupancy is as even as capacities allow."""
    sizes = [0] * len(caps)
    left = people
    while left:
        open_tables = [t for t, c in enumerate(caps) if sizes[t] < c]
        level = min(sizes[t] for t in open_tables)
        for t in open_tables:
            if left and sizes[t] == level:
                sizes[t] += 1
                left -= 1
    return sizes


def build_instance(problem: RotationProblem, sizes: Sequence[int] | None = None) -> Instance:
    """Check ``problem`` and index it; ``sizes`` overrides the layout (used by repairs)."""
    seen: set[str] = set()
    for m in problem.members:
        if not m.id:
            raise RotationError("a member has an empty id")
        if m.id in seen:
            raise RotationError(f"member id {m.id!r} appears twice")
        seen.add(m.id)
    if problem.present is not None:
        unknown = sorted(problem.present - seen)
        if unknown:
            raise RotationError(f"present ids not among the members: {', '.join(unknown)}")
    if problem.rounds < 0:
        raise RotationError("the number of rounds cannot be negative")
    members = [m for m in problem.members if problem.present is None or m.id in problem.present]
    ids = [m.id for m in members]
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    size_list = list(sizes) if sizes is not None else table_sizes(problem.layout, n)
    if sum(size_list) != n:
        raise RotationError(f"table sizes add up to {sum(size_list)}, not {n}")
    t_count = len(size_list)
    fixed, groups, group_of, apart = _constraints(problem.constraints, seen, index, size_list)
    forced = np.zeros((n, n), dtype=bool)
    for g in groups:
        forced[np.ix_(g, g)] = True
    for t in range(t_count):
        at_t = np.flatnonzero(fixed == t)
        forced[np.ix_(at_t, at_t)] = True
    np.fill_diagonal(forced, False)
    history = np.zeros((n, n), dtype=np.int64)
    for r, held in enumerate(problem.history):
        _check_round(held, f"history round {r + 1}")
        for table in held:
            idx = [index[p] for p in table if p in index]
            if len(idx) > 1:
                history[np.ix_(idx, idx)] += 1
    np.fill_diagonal(history, 0)
    attributes = _attributes(problem, members, np.asarray(size_list, dtype=np.int64))
    return Instance(
        ids=ids,
        sizes=np.asarray(size_list, dtype=np.int64),
        fixed=fixed,
        groups=groups,
        group_of=group_of,
        apart=apart,
        forced=forced,
        history=history,
        attributes=attributes,
        rounds=problem.rounds,
    )


def _check_round(held: Round, what: str) -> None:
    seen: set[str] = set()
    for table in held:
        for pid in table:
            if pid in seen:
                raise RotationError(f"{what}: {pid!r} is seated twice")
            seen.add(pid)


def _constraints(
    c: Constraints, known: set[str], index: dict[str, int], sizes: list[int]
) -> tuple[IntArray, list[list[int]], IntArray, BoolArray]:
    n, t_count = len(index), len(sizes)

    def check_known(pid: str, what: str) -> bool:
        if pid not in known:
            raise RotationError(f"{what} names {pid!r}, who is not a member")
        return pid in index

    fixed = np.full(n, -1, dtype=np.int64)
    for what, mapping in (("pinned", c.pinned), ("hosts", c.hosts)):
        for pid, table in mapping.items():
            if not check_known(pid, what):
                continue
            if not 0 <= table < t_count:
                raise RotationError(
                    f"{what}: {pid!r} is fixed to table {table + 1}, but there are {t_count} tables"
                )
            i = index[pid]
            if fixed[i] >= 0 and fixed[i] != table:
                raise RotationError(
                    f"{pid!r} is fixed to both table {fixed[i] + 1} and table {table + 1}"
                )
            fixed[i] = table
    apart = np.zeros((n, n), dtype=bool)
    for pair in c.keep_apart:
        if len(pair) != 2:
            raise RotationError(f"keep_apart entry {list(pair)!r} is not a pair")
        a, b = pair
        if a == b:
            raise RotationError(f"keep_apart pairs {a!r} with themselves")
        if check_known(a, "keep_apart") & check_known(b, "keep_apart"):
            i, j = index[a], index[b]
            apart[i, j] = apart[j, i] = True
            if fixed[i] >= 0 and fixed[i] == fixed[j]:
                raise RotationError(
                    f"keep_apart {a!r} and {b!r}, but both are fixed to table {fixed[i] + 1}"
                )
    # Merge overlapping keep-together groups (union-find over present people).
    sets = DisjointSets(n)
    for group in c.keep_together:
        present = [index[p] for p in group if check_known(p, "keep_together")]
        for i in present[1:]:
            sets.union(i, present[0])
    by_root: dict[int, list[int]] = {}
    for i in range(n):
        by_root.setdefault(sets.root(i), []).append(i)
    groups = [g for g in by_root.values() if len(g) > 1]
    group_of = np.full(n, -1, dtype=np.int64)
    ids = {i: pid for pid, i in index.items()}
    for gi, g in enumerate(groups):
        names = ", ".join(repr(ids[i]) for i in g)
        group_of[g] = gi
        for x in g:
            for y in g:
                if apart[x, y]:
                    raise RotationError(
                        f"keep_together group ({names}) holds keep_apart pair "
                        f"{ids[x]!r} and {ids[y]!r}"
                    )
        tables = sorted({int(fixed[i]) for i in g if fixed[i] >= 0})
        if len(tables) > 1:
            raise RotationError(
                f"keep_together group ({names}) is fixed to tables "
                f"{', '.join(str(t + 1) for t in tables)}"
            )
        if len(g) > max(sizes):
            raise RotationError(
                f"keep_together group ({names}) has {len(g)} people; tables seat {max(sizes)}"
            )
        if tables:
            fixed[g] = tables[0]
    for t in range(t_count):
        at_t = np.flatnonzero(fixed == t)
        if len(at_t) > sizes[t]:
            names = ", ".join(repr(ids[int(i)]) for i in at_t)
            raise RotationError(
                f"{len(at_t)} people are fixed to table {t + 1} ({names}), which seats {sizes[t]}"
            )
    return fixed, groups, group_of, apart


def _attributes(
    problem: RotationProblem, members: Sequence[Member], sizes: IntArray
) -> list[Attribute]:
    """Value codes and bands of each balanced attribute (a missing label counts as "")."""
    out: list[Attribute] = []
    n = len(members)
    for name, weight in problem.balance.items():
        if not weight > 0:
            raise RotationError(f"balance priority of {name!r} must be > 0, not {weight}")
        raw = [m.attributes.get(name, "") for m in members]
        labels = sorted(set(raw))
        code_of = {label: k for k, label in enumerate(labels)}
        codes = np.asarray([code_of[v] for v in raw], dtype=np.int64)
        share = np.bincount(codes, minlength=len(labels)) / n
        ideal = sizes[:, None] * share[None, :]
        lo = np.floor(ideal + 1e-9).astype(np.int64)
        hi = np.ceil(ideal - 1e-9).astype(np.int64)
        out.append(Attribute(name, float(weight), codes, labels, lo, hi))
    return out


def evaluate(inst: Instance, tabs: IntArray, iterations: int = 0) -> PlanStats:
    """Figures for planned rounds ``tabs`` (rounds × n table indices) on top of the history."""
    n = inst.n
    counts = inst.history.copy()
    for row in tabs:
        counts += row[:, None] == row[None, :]
    np.fill_diagonal(counts, 0)
    upper = np.triu(~inst.forced, 1)
    c = counts[upper]
    h = inst.history[upper]
    repeats = int(np.maximum(c - 1, 0).sum())
    misses = 0
    distance = 0
    off = 0
    by_attr: dict[str, int] = {}
    for a in inst.attributes:
        k = len(a.labels)
        a_miss = 0
        for row in tabs:
            cnt = np.zeros((inst.tables, k), dtype=np.int64)
            np.add.at(cnt, (row, a.codes), 1)
            over = np.maximum(cnt - a.hi, 0) + np.maximum(a.lo - cnt, 0)
            a_miss += int((over > 0).sum())
            off += int((over > 0).any(1).sum())
            distance += int(over.sum())
        by_attr[a.name] = a_miss
        misses += a_miss
    return PlanStats(
        rounds=len(tabs),
        people=n,
        tables=inst.tables,
        repeated_pairs=repeats,
        new_repeats=repeats - int(np.maximum(h - 1, 0).sum()),
        max_pair_meetings=int(c.max()) if c.size else 0,
        distinct_pairs_met=int((c > 0).sum()),
        forced_pairs=int(np.triu(inst.forced, 1).sum()),
        band_misses=misses,
        band_distance=distance,
        band_misses_by_attribute=by_attr,
        tables_off_band=off,
        iterations=iterations,
    )
