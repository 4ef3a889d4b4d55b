"""The sortition engine's data model and its integer program (pure; see ``sortition``).

People with the same feature values are interchangeable, so the programs work on *classes*:
all pool members outside a shared household with one feature combination form one class; in a
household with two or more candidates, each (household, feature combination) is its own class,
and a household row allows at most one of its classes in a panel. A panel is then a vector of
counts per class. Every ordering here is canonical (sorted strings), so the result never
depends on the order of the input rows or on dict/hash ordering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

# The bare solver: highspy.Highs would print a banner on stdout (the CLI's JSON channel).
from highspy._core import _Highs

INF = highspy.kHighsInf
OPTIMAL = highspy.HighsModelStatus.kOptimal
INFEASIBLE = highspy.HighsModelStatus.kInfeasible

# (stage, fraction done in [0, 1]) — called from the engine for a live progress indicator.
Progress = Callable[[str, float], None]
# Seconds elapsed since the run began: handed in by the caller (the engine has no clock).
Clock = Callable[[], float]


@dataclass(frozen=True)
class Status:
    """Where the computation stands, for a progress line ("never silent").

    ``floor`` is the lowest probability of the best lottery over real panels found so far,
    ``bound`` an upper bound on the lowest probability any lottery can reach (the relaxation's),
    ``gap`` the relative shortfall: every class has at least ``1 - gap`` of its target.
    """

    stage: str  # "relaxation", "decomposition", "exact", "rounding"
    rounds: int
    floor: float
    bound: float
    gap: float
    elapsed: float


Report = Callable[[Status], None]


@dataclass(frozen=True)
class Budget:
    """How long the engine may run and whom it tells how far it got.

    ``time_limit`` (seconds, on ``clock``) is checked between column-generation rounds; once
    three quarters of it have passed, the best distribution found so far is kept, labelled
    approximate with its gap, and rounded to the lottery (the repair of the rounding stops at
    the limit itself).
    ``max_rounds`` is the deterministic effort budget (a run stopped by it can be repeated
    exactly: pass the reported ``rounds``).
    """

    clock: Clock | None = None
    time_limit: float | None = None
    max_rounds: int | None = None
    report: Report | None = None

    def elapsed(self) -> float:
        return 0.0 if self.clock is None else self.clock()

    def expired(self, share: float = 1.0) -> bool:
        """Has ``share`` of the time limit passed? (Column generation stops at 3/4 of it, so
        the rounding to a lottery has the rest.)"""
        if self.clock is None or self.time_limit is None:
            return False
        return self.clock() >= share * self.time_limit

    def tell(self, stage: str, rounds: int, floor: float, bound: float, gap: float) -> None:
        if self.report is not None:
            self.report(Status(stage, rounds, floor, bound, gap, self.elapsed()))


@dataclass(frozen=True)
class Person:
    """One volunteer: a pseudonymous id, their value for each feature, an optional household."""

    id: str
    features: Mapping[str, str]
    household: str | None = None


@dataclass(frozen=True)
class Quota:
    """How many seats of the whole panel go to people with ``feature == value``.

    ``min_flex``/``max_flex`` bound how far ``min`` may be lowered and ``max`` raised when the
    quotas cannot all be met (defaults: 0 and the panel size).
    """

    feature: str
    value: str
    min: int
    max: int
    min_flex: int | None = None
    max_flex: int | None = None


@dataclass(frozen=True)
class Relaxation:
    """One change to one quota bound: ``bound`` is ``"min"`` or ``"max"``."""

    feature: str
    value: str
    bound: str
    current: int
    suggested: int

    def __str__(self) -> str:
        verb = "lower" if self.bound == "min" else "raise"
        return (
            f"{verb} the {self.bound} of {self.feature}={self.value} "
            f"from {self.current} to {self.suggested}"
        )


class SortitionInputError(ValueError):
    """The pool, quotas or panel size cannot be used as given (a data error, not a conflict)."""


class InfeasibleQuotasError(ValueError):
    """No panel meets every quota (and the household rule).

    ``conflicts`` are human-readable statements naming the quotas that clash;
    ``relaxation`` is the smallest change (fewest seats moved) within ``min_flex``/``max_flex``
    that makes the quotas satisfiable, or ``None`` if even the full flexibility is not enough.
    """

    def __init__(self, conflicts: Sequence[str], relaxation: Sequence[Relaxation] | None) -> None:
        self.conflicts = tuple(conflicts)
        self.relaxation = None if relaxation is None else tuple(relaxation)
        parts = ["the quotas cannot all be met: " + "; ".join(self.conflicts)]
        if self.relaxation:
            parts.append(
                "smallest fix within min_flex/max_flex: "
                + "; ".join(str(r) for r in self.relaxation)
            )
        elif self.relaxation is None:
            parts.append("no relaxation within min_flex/max_flex makes them feasible")
        super().__init__(". ".join(parts))


@dataclass(frozen=True)
class Klass:
    """Interchangeable pool members: same feature values, same household (or none)."""

    values: tuple[str, ...]
    household: str | None
    members: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def upper(self) -> int:
        return 1 if self.household is not None else len(self.members)


@dataclass(frozen=True)
class Instance:
    """A validated problem: classes, quota rows (already-selected people subtracted)."""

    features: tuple[str, ...]
    quota_keys: tuple[tuple[str, str], ...]
    quotas: tuple[Quota, ...]  # as given, for the full panel, in quota_keys order
    panel_size: int  # the full panel, including already-selected people
    k: int  # seats left to fill
    already_selected: tuple[str, ...]
    excluded: tuple[str, ...]  # household members of already-selected people
    classes: tuple[Klass, ...]
    quota_rows: tuple[tuple[int, ...], ...]  # class indices per quota key
    already_counts: tuple[int, ...]  # already-selected people per quota key
    household_rows: tuple[tuple[int, ...], ...] = field(default=())

    def bounds(self) -> tuple[list[int], list[int]]:
        """Quota bounds for the seats left to fill."""
        lows = [max(0, q.min - a) for q, a in zip(self.quotas, self.already_counts, strict=True)]
        highs = [q.max - a for q, a in zip(self.quotas, self.already_counts, strict=True)]
        return lows, highs

    def flex(self) -> tuple[list[int], list[int]]:
        """The loosest allowed bounds (min_flex, max_flex) for the full panel."""
        lows = [0 if q.min_flex is None else min(q.min_flex, q.min) for q in self.quotas]
        highs = [
            self.panel_size if q.max_flex is None else max(q.max_flex, q.max) for q in self.quotas
        ]
        return lows, highs


def build_instance(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    already_selected: Iterable[str] = (),
) -> Instance:
    """Validate the inputs and group the pool into classes of interchangeable people."""
    people = list(people)
    quotas = sorted(quotas, key=lambda q: (q.feature, q.value))
    problems: list[str] = []
    if panel_size < 1:
        problems.append(f"the panel size must be at least 1 (got {panel_size})")
    if not quotas:
        problems.append("there are no quotas")
    keys = [(q.feature, q.value) for q in quotas]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"quota {key[0]}={key[1]} is given more than once")
    for q in quotas:
        if q.min < 0 or q.max < q.min:
            problems.append(f"quota {q.feature}={q.value}: need 0 <= min <= max")
    features = tuple(sorted({q.feature for q in quotas}))
    values = {f: {q.value for q in quotas if q.feature == f} for f in features}
    ids = [p.id for p in people]
    seen: set[str] = set()
    for pid in ids:
        if not pid:
            problems.append("a person has an empty id")
        elif pid in seen:
            problems.append(f"person id {pid!r} appears more than once")
        seen.add(pid)
    for p in people:
        for f in features:
            v = p.features.get(f)
            if v is None or v == "":
                problems.append(f"person {p.id!r} has no value for {f!r}")
            elif v not in values[f]:
                problems.append(f"person {p.id!r} has {f}={v!r}, which no quota names")
    already = tuple(sorted(set(already_selected)))
    by_id = {p.id: p for p in people}
    for pid in already:
        if pid not in by_id:
            problems.append(f"already-selected id {pid!r} is not in the pool")
    if len(already) > panel_size:
        problems.append(f"{len(already)} people are already selected for a panel of {panel_size}")
    if problems:
        raise SortitionInputError("; ".join(problems))

    taken_households = {by_id[pid].household for pid in already} - {None}
    excluded = tuple(
        sorted(p.id for p in people if p.household in taken_households and p.id not in already)
    )
    candidates = [p for p in people if p.id not in set(already) and p.id not in set(excluded)]
    household_sizes: dict[str, int] = {}
    for p in candidates:
        if p.household is not None:
            household_sizes[p.household] = household_sizes.get(p.household, 0) + 1
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for p in candidates:
        hh = p.household if p.household is not None and household_sizes[p.household] > 1 else None
        vals = tuple(p.features[f] for f in features)
        groups.setdefault(("" if hh is None else "\0" + hh, vals), []).append(p.id)
    classes = tuple(
        Klass(vals, None if hh == "" else hh[1:], tuple(sorted(members)))
        for (hh, vals), members in sorted(groups.items())
    )
    findex = {f: i for i, f in enumerate(features)}
    quota_rows = tuple(
        tuple(i for i, c in enumerate(classes) if c.values[findex[f]] == v) for f, v in keys
    )
    already_counts = tuple(
        sum(1 for pid in already if by_id[pid].features[f] == v) for f, v in keys
    )
    households: dict[str, list[int]] = {}
    for i, c in enumerate(classes):
        if c.household is not None:
            households.setdefault(c.household, []).append(i)
    household_rows = tuple(tuple(ix) for _, ix in sorted(households.items()) if len(ix) > 1)
    return Instance(
        features=features,
        quota_keys=tuple(keys),
        quotas=tuple(quotas),
        panel_size=panel_size,
        k=panel_size - len(already),
        already_selected=already,
        excluded=excluded,
        classes=classes,
        quota_rows=quota_rows,
        already_counts=already_counts,
        household_rows=household_rows,
    )


# --- HiGHS helpers ------------------------------------------------------------------------------


def new_solver() -> _Highs:
    """A silent, single-threaded, seeded HiGHS: the same input gives the same answer."""
    h = _Highs()
    for name, value in (
        ("output_flag", False),
        ("threads", 1),
        ("random_seed", 0),
        ("mip_rel_gap", 1e-9),
        ("mip_abs_gap", 1e-9),
        ("time_limit", INF),
    ):
        h.setOptionValue(name, value)
    return h


def add_cols(
    h: _Highs, costs: Sequence[float], lower: Sequence[float], upper: Sequence[float]
) -> None:
    n = len(costs)
    h.addCols(
        n,
        np.asarray(costs, dtype=np.float64),
        np.asarray(lower, dtype=np.float64),
        np.asarray(upper, dtype=np.float64),
        0,
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )


def add_row(
    h: _Highs, lower: float, upper: float, cols: Sequence[int], coefs: Sequence[float]
) -> None:
    h.addRow(
        float(lower),
        float(upper),
        len(cols),
        np.asarray(cols, dtype=np.int32),
        np.asarray(coefs, dtype=np.float64),
    )


def add_panel_rows(h: _Highs, inst: Instance) -> None:
    """The rows every panel model shares, over the first ``len(inst.classes)`` columns (seats per
    class): exactly k seats, each quota's band, at most one person per household."""
    n = len(inst.classes)
    add_row(h, inst.k, inst.k, list(range(n)), [1.0] * n)
    lows, highs = inst.bounds()
    for rows, lo, hi in zip(inst.quota_rows, lows, highs, strict=True):
        add_row(h, lo, hi, rows, [1.0] * len(rows))
    for rows in inst.household_rows:
        add_row(h, -INF, 1, rows, [1.0] * len(rows))


def set_integer(h: _Highs, cols: Sequence[int]) -> None:
    h.changeColsIntegrality(
        len(cols),
        np.asarray(cols, dtype=np.int32),
        np.array([highspy.HighsVarType.kInteger] * len(cols)),
    )


def run(h: _Highs) -> highspy.HighsModelStatus:
    """Solve; if HiGHS ends without a verdict (e.g. a warm start gone astray), solve afresh."""
    h.run()
    if h.getModelStatus() not in (OPTIMAL, INFEASIBLE):
        h.clearSolver()
        h.run()
    return h.getModelStatus()


def status(h: _Highs) -> highspy.HighsModelStatus:
    return h.getModelStatus()
