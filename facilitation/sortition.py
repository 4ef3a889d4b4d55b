"""The fair lottery (sortition): LEXIMIN selection probabilities, a uniform lottery over m panels,
and a draw anyone can verify. Pure: no clock, no global randomness, no I/O.

Typical use (the organiser pages and ``samling lottery`` do exactly this)::

    report = check_quotas(people, quotas, 36)          # pool against quotas, before running
    result = run_lottery(people, quotas, 36, progress=cb)  # may raise InfeasibleQuotasError
    drawn = result.draw("public numbers 3 17 42")       # index + panel, reproducible

``people`` are :class:`Person` (id, feature values, optional household key), ``quotas`` are
:class:`Quota` rows for the *whole* panel. For replacements pass ``already_selected`` (ids in the
pool): they count towards the panel size and the quotas, sit in every panel of the lottery, and
their household members are excluded.

Method (see the submodules): LEXIMIN over classes of interchangeable people (same feature values,
no shared household), computed with HiGHS by column generation and certified optimal (on very
large pools a deterministic effort budget may stop it first: then ``stats["certified"]`` is
False and every class has at least ``1 - stats["gap"]`` times its leximin upper bound); rounded
to m panels so every person's share of the lottery is within 1/m of their computed probability
(normally in ``floor(m p)`` or ``ceil(m p)`` panels); every lottery panel meets every quota and
holds at most one person per household. Deterministic: single-threaded HiGHS with fixed
settings, canonical (sorted) ordering everywhere, seeded jitter, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import highspy

from facilitation.sortition_feasibility import check_feasible
from facilitation.sortition_goldilocks import GoldilocksBounds, goldilocks
from facilitation.sortition_leximin import Distribution, leximin
from facilitation.sortition_model import (
    Budget,
    InfeasibleQuotasError,
    Instance,
    Person,
    Progress,
    Quota,
    Relaxation,
    SortitionInputError,
    Status,
    build_instance,
)
from facilitation.sortition_rounding import deal_people, lottery_shares, round_classes
from facilitation.sortition_seed import (
    SEED_RULE,
    draw_index,
    lottery_digest,
    normalise_seed,
    rfc3797_text,
    seed_digest,
)

__all__ = [
    "ALGORITHM",
    "ALGORITHMS",
    "Budget",
    "Draw",
    "FairDistribution",
    "InfeasibleQuotasError",
    "LotteryResult",
    "Person",
    "Progress",
    "Quota",
    "QuotaReport",
    "QuotaStatus",
    "Relaxation",
    "SEED_RULE",
    "SortitionInputError",
    "Status",
    "check_panel",
    "check_quotas",
    "draw_index",
    "find_distribution",
    "lottery_digest",
    "normalise_seed",
    "rfc3797_text",
    "round_to_lottery",
    "run_lottery",
    "seed_digest",
]

ALGORITHM = "leximin"  # the default
ALGORITHMS = ("leximin", "goldilocks")
DEFAULT_PANELS = 1000


def solver_version() -> str:
    parts = (highspy.HIGHS_VERSION_MAJOR, highspy.HIGHS_VERSION_MINOR, highspy.HIGHS_VERSION_PATCH)
    return "HiGHS " + ".".join(str(p) for p in parts)


@dataclass(frozen=True)
class QuotaStatus:
    feature: str
    value: str
    min: int
    max: int
    pool: int  # people in the pool with this value (candidates + already selected)
    already: int  # already selected with this value


@dataclass(frozen=True)
class QuotaReport:
    """The pool against the quotas, for the page shown before running the lottery."""

    quotas: tuple[QuotaStatus, ...]
    pool_size: int
    households_shared: int  # households with two or more people in the pool
    error: InfeasibleQuotasError | None

    @property
    def feasible(self) -> bool:
        return self.error is None

    def scarce(self, ratio: float = 2.0) -> tuple[QuotaStatus, ...]:
        """Quota cells with fewer than ``ratio`` × min people in the pool (hard to fill fairly)."""
        return tuple(q for q in self.quotas if q.min and q.pool < ratio * q.min)


@dataclass(frozen=True)
class FairDistribution:
    """The LEXIMIN distribution: per-person probabilities (sum = panel size)."""

    instance: Instance
    distribution: Distribution
    probabilities: dict[str, float]
    pool_ids: tuple[str, ...]
    algorithm: str = ALGORITHM
    goldilocks: GoldilocksBounds | None = None  # the relaxation's bounds (algorithm goldilocks)

    @property
    def floor(self) -> float:
        candidates = [self.probabilities[i] for i in self.pool_ids]
        return min(candidates) if candidates else 0.0


@dataclass(frozen=True)
class Draw:
    index: int
    panel: tuple[str, ...]
    seed: str
    seed_normalised: str
    seed_sha256: str
    rule: str = SEED_RULE


@dataclass(frozen=True)
class LotteryResult:
    probabilities: dict[str, float]  # the optimal distribution's, every pool member
    lottery: tuple[tuple[str, ...], ...]  # m panels, canonical order
    lottery_probabilities: dict[str, float]  # each person's share of the m panels
    panel_size: int
    already_selected: tuple[str, ...]
    within_one_over_m: bool  # every |share - p| < 1/m
    within_floor_ceil: bool  # every person in floor(m p) or ceil(m p) panels
    method: str
    stats: dict[str, float | int | str | bool] = field(default_factory=dict)
    algorithm: str = ALGORITHM

    @property
    def lottery_sha256(self) -> str:
        return lottery_digest(self.lottery)

    def draw(self, seed_text: str) -> Draw:
        index = draw_index(seed_text, len(self.lottery))
        return Draw(
            index,
            self.lottery[index],
            seed_text,
            normalise_seed(seed_text),
            seed_digest(seed_text),
        )


def _say(progress: Progress | None, stage: str, fraction: float) -> None:
    if progress is not None:
        progress(stage, fraction)


def check_quotas(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    already_selected: Iterable[str] = (),
) -> QuotaReport:
    """Counts per quota cell and feasibility; raises SortitionInputError on malformed input."""
    people = list(people)
    inst = build_instance(people, quotas, panel_size, already_selected)
    by_id = {p.id: p for p in people}
    statuses = []
    for q, already in zip(inst.quotas, inst.already_counts, strict=True):
        pool = sum(1 for p in people if p.features.get(q.feature) == q.value)
        statuses.append(QuotaStatus(q.feature, q.value, q.min, q.max, pool, already))
    households: dict[str, int] = {}
    for p in by_id.values():
        if p.household is not None:
            households[p.household] = households.get(p.household, 0) + 1
    error = None
    try:
        check_feasible(inst)
    except InfeasibleQuotasError as exc:
        error = exc
    shared = sum(1 for v in households.values() if v > 1)
    return QuotaReport(tuple(statuses), len(people), shared, error)


def find_distribution(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    already_selected: Iterable[str] = (),
    progress: Progress | None = None,
    budget: Budget | None = None,
    algorithm: str = ALGORITHM,
) -> FairDistribution:
    """The LEXIMIN-optimal (or Goldilocks) distribution over quota-satisfying panels.

    Raises SortitionInputError (bad input) or InfeasibleQuotasError (no panel exists).
    ``budget``: time limit, effort budget and progress report (default: none, the built-in
    effort budget only). ``algorithm``: "leximin" or "goldilocks" (see sortition_goldilocks).
    """
    if algorithm not in ALGORITHMS:
        raise SortitionInputError(f"unknown algorithm {algorithm!r}")
    people = list(people)
    _say(progress, "checking", 0.0)
    inst = build_instance(people, quotas, panel_size, already_selected)
    check_feasible(inst)
    bounds = None
    if algorithm == "goldilocks":
        dist, bounds = goldilocks(inst, progress, budget)
    else:
        dist = leximin(inst, progress, budget)
    probabilities = {p.id: 0.0 for p in people}
    for pid in inst.already_selected:
        probabilities[pid] = 1.0
    for klass, p in zip(inst.classes, dist.class_probabilities, strict=True):
        for pid in klass.members:
            probabilities[pid] = p
    excluded = set(inst.already_selected) | set(inst.excluded)
    pool_ids = tuple(sorted(p.id for p in people if p.id not in excluded))
    return FairDistribution(inst, dist, probabilities, pool_ids, algorithm, bounds)


def round_to_lottery(
    fair: FairDistribution,
    panels: int = DEFAULT_PANELS,
    progress: Progress | None = None,
    budget: Budget | None = None,
) -> LotteryResult:
    """A uniform lottery over ``panels`` panels, each person's share within 1/m of optimal."""
    if panels < 1:
        raise SortitionInputError("the lottery needs at least one panel")
    _say(progress, "rounding", 0.0)
    budget = budget or Budget()
    dist = fair.distribution
    budget.tell("rounding", dist.pricing_rounds, fair.floor, dist.bound, dist.gap)
    inst = fair.instance
    rounding = round_classes(dist, inst, panels, stop=budget.expired)
    lottery = tuple(deal_people(inst, rounding.panels))
    ids = sorted(fair.probabilities)
    shares = lottery_shares(lottery, ids)
    pool = fair.pool_ids
    probabilities = dict(fair.probabilities)
    gap = dist.gap
    stats: dict[str, float | int | str | bool] = {
        "classes": len(inst.classes),
        "support_panels": len(dist.panels),
        "pricing_rounds": dist.pricing_rounds,
        "mip_calls": dist.mip_calls,
        "certified": dist.certified,
        "gap": gap,
        "bound": dist.bound,
        "stopped": dist.stopped,
        "floor": min((probabilities[i] for i in pool), default=0.0),
        "lottery_floor": min((shares[i] for i in pool), default=0.0),
        "ceiling": max((probabilities[i] for i in pool), default=0.0),
        "lottery_ceiling": max((shares[i] for i in pool), default=0.0),
        "uniform": inst.k / len(pool) if pool else 0.0,
        "solver": solver_version(),
    }
    if fair.goldilocks is not None:
        stats["goldilocks_bound"] = fair.goldilocks.ratio  # the relaxation's: a lower bound
    _say(progress, "done", 1.0)
    return LotteryResult(
        probabilities=probabilities,
        lottery=lottery,
        lottery_probabilities=shares,
        panel_size=inst.panel_size,
        already_selected=inst.already_selected,
        within_one_over_m=rounding.within_one,
        within_floor_ceil=rounding.within_band,
        method=dist.method,
        stats=stats,
        algorithm=fair.algorithm,
    )


def run_lottery(
    people: Iterable[Person],
    quotas: Iterable[Quota],
    panel_size: int,
    already_selected: Iterable[str] = (),
    panels: int = DEFAULT_PANELS,
    progress: Progress | None = None,
    budget: Budget | None = None,
    algorithm: str = ALGORITHM,
) -> LotteryResult:
    """find_distribution + round_to_lottery: everything up to (not including) the draw."""
    fair = find_distribution(
        people, quotas, panel_size, already_selected, progress, budget, algorithm
    )
    return round_to_lottery(fair, panels, progress, budget)


def check_panel(
    panel: Sequence[str], people: Iterable[Person], quotas: Iterable[Quota], panel_size: int
) -> list[str]:
    """Every way ``panel`` breaks the size, a quota, or the household rule ([] if none)."""
    by_id = {p.id: p for p in people}
    problems = []
    if len(panel) != panel_size:
        problems.append(f"panel has {len(panel)} people, not {panel_size}")
    if len(set(panel)) != len(panel):
        problems.append("panel names someone twice")
    unknown = [pid for pid in panel if pid not in by_id]
    if unknown:
        problems.append(f"unknown ids: {', '.join(unknown)}")
    members = [by_id[pid] for pid in panel if pid in by_id]
    for q in quotas:
        got = sum(1 for p in members if p.features.get(q.feature) == q.value)
        if not q.min <= got <= q.max:
            problems.append(f"{q.feature}={q.value}: {got} not in [{q.min}, {q.max}]")
    seen: dict[str, str] = {}
    for p in members:
        if p.household is not None:
            if p.household in seen:
                problems.append(f"{seen[p.household]} and {p.id} share a household")
            seen[p.household] = p.id
    return problems
