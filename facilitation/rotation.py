"""Changing tables: seat an assembly for several rounds so that people meet new people.

Pure: handed a seed (and, if a time limit is wanted, a clock function), never reads the clock,
never touches global randomness, does no I/O. The same problem, seed and iteration budget give
the same plan; only a time limit that cuts the search short can make two runs differ.

Objective, in order: hard constraints (`Constraints`) never break, or `RotationError` names the
conflict; no pair meets more often than necessary (the most times any pair meets, then the
repeats Σ max(0, c − 1) ≈ Σ c²); each table's counts of balanced attribute values within their
bands, weighed by priority; when re-planning one round, as few people moved as possible.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from facilitation.rotation_design import affine_start
from facilitation.rotation_model import (
    Constraints,
    Member,
    Plan,
    PlanStats,
    Repair,
    RotationError,
    RotationProblem,
    Round,
    TableLayout,
)
from facilitation.rotation_repair import repair_seating
from facilitation.rotation_search import Search
from facilitation.rotation_setup import Instance, IntArray, build_instance, evaluate

__all__ = [
    "Constraints",
    "Member",
    "Plan",
    "PlanStats",
    "Repair",
    "RotationError",
    "RotationProblem",
    "Round",
    "TableLayout",
    "evaluate_rounds",
    "plan_rounds",
    "repair_round",
]

DEFAULT_BALANCE_SCALE = 1.0
"""Cost of one person outside a band, per unit of priority, in repeated pairs."""


def default_iterations(people: int, rounds: int) -> int:
    """Tabu iterations when none are given: about a second of search per round planned.

    One iteration costs roughly 0.2 ms at 36 people and 1 ms at 200 (numpy, one core). A
    single round (the next round, live) gets a third of that, to be ready well within 1 s.
    """
    per_round = max(500, 150_000 // max(people, 1))
    return rounds * per_round if rounds > 1 else max(500, per_round // 3)


def _stopper(time_limit: float | None, clock: Callable[[], float] | None) -> Callable[[], bool]:
    if time_limit is None:
        return lambda: False
    if clock is None:
        raise ValueError("a time limit needs a clock function, e.g. time.monotonic")
    deadline = clock() + 0.98 * time_limit  # leaves time to score and return the plan
    return lambda: clock() >= deadline


def plan_rounds(
    problem: RotationProblem,
    seed: int = 0,
    *,
    iterations: int | None = None,
    time_limit: float | None = None,
    clock: Callable[[], float] | None = None,
    pair_weight: float | None = None,
    balance_scale: float = DEFAULT_BALANCE_SCALE,
) -> Plan:
    """Plan ``problem.rounds`` rounds for everyone present, the whole horizon at once.

    The start is the cheaper of a greedy round-after-round seating and, without hard
    constraints, a design with no repeated pair (`rotation_design.affine_start`, finished
    greedily if it has fewer rounds). Then a tabu search swaps two people of one round at a
    time, over all rounds, until the iteration budget (default `default_iterations`) or
    ``time_limit`` seconds by ``clock`` run out, or no pair meets twice and every band holds.
    Raises `RotationError` naming the conflict when the hard constraints cannot hold.
    """
    inst = build_instance(problem)
    search = _search(inst, problem.rounds, seed, pair_weight, balance_scale)
    stop = _stopper(time_limit, clock)
    search.construct()
    design = affine_start(inst, problem.rounds, search.rng)
    if design is not None:
        greedy_cost, greedy = search.cost, search.tabs.copy()
        search.tabs[: len(design)] = design
        search.construct(first_round=len(design))
        if search.cost > greedy_cost:
            search.load(greedy)
    budget = default_iterations(inst.n, problem.rounds) if iterations is None else iterations
    search.improve(budget, stop)
    return Plan(_as_ids(inst, search.tabs), evaluate(inst, search.tabs, search.iterations))


def _search(
    inst: Instance, rounds: int, seed: int, pair_weight: float | None, balance_scale: float
) -> Search:
    weight = float(max(8, inst.n)) if pair_weight is None else pair_weight
    return Search(inst, np.random.default_rng(seed), rounds, weight, balance_scale)


def _as_ids(inst: Instance, tabs: IntArray) -> list[list[list[str]]]:
    out = []
    for row in tabs:
        tables: list[list[str]] = [[] for _ in range(inst.tables)]
        for i, t in enumerate(row):
            tables[int(t)].append(inst.ids[i])
        out.append(tables)
    return out


def evaluate_rounds(problem: RotationProblem, rounds: Sequence[Round]) -> PlanStats:
    """Figures (`PlanStats`) for given rounds of ``problem``'s present people on its history.

    Every present person must sit exactly once per round, at as many tables as the layout says;
    a person not present or unknown makes it a `RotationError`.
    """
    inst = build_instance(problem)
    tabs = np.zeros((len(rounds), inst.n), dtype=np.int64)
    index = {pid: i for i, pid in enumerate(inst.ids)}
    for r, tables in enumerate(rounds):
        seen = np.zeros(inst.n, dtype=bool)
        for t, table in enumerate(tables):
            for pid in table:
                if pid not in index or seen[index[pid]]:
                    raise RotationError(
                        f"round {r + 1}: {pid!r} is unknown, absent or seated twice"
                    )
                seen[index[pid]] = True
                tabs[r, index[pid]] = t
        if not seen.all():
            missing = ", ".join(repr(inst.ids[i]) for i in np.flatnonzero(~seen))
            raise RotationError(f"round {r + 1}: not seated: {missing}")
    return evaluate(inst, tabs)


def repair_round(
    problem: RotationProblem,
    current: Round,
    seed: int = 0,
    *,
    iterations: int = 100,
    time_limit: float | None = None,
    clock: Callable[[], float] | None = None,
    pair_weight: float | None = None,
    balance_scale: float = DEFAULT_BALANCE_SCALE,
) -> Repair:
    """Re-plan one round for a changed ``problem.present``, moving as few people as possible.

    ``current`` is the round as planned; ``problem.history`` must hold every other round whose
    encounters count (held and planned ones); ``problem.layout`` gives capacities if it has
    them, else the table count stays that of ``current`` and sizes stay within one. Absent
    people leave; of the rest, only as many change table as the new sizes (and the fixed
    places of late arrivals) force, and those movers and the late arrivals are then seated
    where they meet fewest people again and balance best. A short tabu search then swaps
    people only in ways that keep the number moved (a mover and a former table-mate trade
    places, movers and arrivals trade tables). People moved to repair a hard constraint that no
    longer holds count as moved too; when minimal moves cannot keep the constraints, the round
    is seated afresh and its tables numbered to keep as many people in place as possible.
    """
    return repair_seating(
        problem,
        current,
        np.random.default_rng(seed),
        iterations=iterations,
        stop=_stopper(time_limit, clock),
        pair_weight=pair_weight,
        balance_scale=balance_scale,
    )
