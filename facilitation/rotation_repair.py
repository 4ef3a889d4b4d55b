"""Re-planning one round after absences and late arrivals, moving as few people as possible.

Entry point: `facilitation.rotation.repair_round`, which documents the contract.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from facilitation.rotation_model import Repair, RotationError, RotationProblem, Round
from facilitation.rotation_search import FloatArray, Search
from facilitation.rotation_setup import (
    BoolArray,
    Instance,
    IntArray,
    _water_fill,
    build_instance,
    evaluate,
)


def _sizes_for(problem: RotationProblem, current: Round, people: int, need: IntArray) -> list[int]:
    t_count = len(current)
    caps = problem.layout.capacities
    if caps is not None:
        if len(caps) != t_count:
            raise RotationError(f"{len(caps)} table capacities for a round of {t_count} tables")
        if sum(caps) < people:
            raise RotationError(f"{people} people present but only {sum(caps)} seats")
        return _water_fill([int(c) for c in caps], people)
    if people < t_count:
        raise RotationError(f"{t_count} tables but only {people} people present")
    base, extra = divmod(people, t_count)
    order = sorted(range(t_count), key=lambda t: (-int(need[t]), t))
    sizes = [base] * t_count
    for t in order[:extra]:
        sizes[t] += 1
    return sizes


def repair_seating(
    problem: RotationProblem,
    current: Round,
    rng: np.random.Generator,
    *,
    iterations: int,
    stop: Callable[[], bool],
    pair_weight: float | None,
    balance_scale: float,
) -> Repair:
    """See `facilitation.rotation.repair_round`."""
    known = {m.id for m in problem.members}
    was: dict[str, int] = {}
    for t, table in enumerate(current):
        for pid in table:
            if pid not in known:
                raise RotationError(f"the round to repair seats {pid!r}, who is not a member")
            if pid in was:
                raise RotationError(f"the round to repair seats {pid!r} twice")
            was[pid] = t
    present = problem.present if problem.present is not None else frozenset(known)
    unknown = sorted(present - known)
    if unknown:
        raise RotationError(f"present ids not among the members: {', '.join(unknown)}")
    order = [m.id for m in problem.members if m.id in present]
    n, t_count = len(order), len(current)
    if t_count == 0:
        raise RotationError("the round to repair has no tables")
    # Where people would be before any move: stayers at their table, fixed people at theirs.
    c = problem.constraints
    fixed_to = {**c.pinned, **c.hosts}
    need = np.zeros(t_count, dtype=np.int64)
    for pid in order:
        t = fixed_to.get(pid, was.get(pid, -1))
        if 0 <= t < t_count:
            need[t] += 1
    sizes = _sizes_for(problem, current, n, need)
    inst = build_instance(problem, sizes)
    weight = float(max(8, n)) if pair_weight is None else pair_weight
    search = Search(inst, rng, 1, weight, balance_scale)
    row = np.asarray([was.get(pid, -1) for pid in inst.ids], dtype=np.int64)
    stayer = row >= 0
    _unseat_constraint_breakers(inst.fixed, inst.groups, inst.apart, row)
    for i in np.flatnonzero((inst.fixed >= 0) & (row < 0)):
        row[i] = inst.fixed[i]
    for grp in inst.groups:
        if inst.fixed[grp[0]] < 0 and (row[grp] < 0).any():
            seated = row[grp][row[grp] >= 0]
            if seated.size:
                row[grp] = int(np.bincount(seated).argmax())
            else:  # a group arriving together: the table with most room and no one kept apart
                room = inst.sizes - np.bincount(row[row >= 0], minlength=inst.tables)
                clash = [
                    bool(inst.apart[np.ix_(np.asarray(grp), np.flatnonzero(row == t))].any())
                    for t in range(inst.tables)
                ]
                row[grp] = int(np.argmax(np.where(clash, -np.inf, room)))
    up = search.up[inst.history] * search.W
    try:
        _shed_overfull(inst, search, row, up)
        _seat_floating(inst, search, row, up, rng)
    except RotationError:
        # Minimal moves cannot keep the hard constraints (a group or pin is in the way):
        # seat the round afresh, then number its tables to keep as many people in place.
        search.construct()
        row = _keep_in_place(inst, search.tabs[0], was)
    search.load(row[None, :])
    # Polish by swaps that keep the number of people moved: a mover and a former table-mate
    # may trade places, movers and arrivals may trade tables.
    search.home = np.asarray([was.get(pid, -1) for pid in inst.ids], dtype=np.int64)
    search.improve(iterations, stop, stall=iterations)
    final = search.tabs[0]
    tables: list[list[str]] = [[] for _ in range(t_count)]
    for position, t in enumerate(final):
        tables[int(t)].append(inst.ids[position])
    moved = [inst.ids[i] for i in range(n) if stayer[i] and final[i] != was[inst.ids[i]]]
    arrived = [inst.ids[i] for i in range(n) if not stayer[i]]
    removed = [pid for table in current for pid in table if pid not in present]
    return Repair(tables, moved, arrived, removed, evaluate(inst, search.tabs, search.iterations))


def _keep_in_place(inst: Instance, fresh: IntArray, was: dict[str, int]) -> IntArray:
    """``fresh`` with its tables renumbered (among equal sizes, fixed tables kept) to move few."""
    t_count = inst.tables
    old = np.asarray([was.get(pid, -1) for pid in inst.ids])
    overlap = np.zeros((t_count, t_count), dtype=np.int64)  # [fresh table, old table]
    seated = old >= 0
    np.add.at(overlap, (fresh[seated], old[seated]), 1)
    relabel = np.full(t_count, -1, dtype=np.int64)
    pinned = set(inst.fixed[inst.fixed >= 0].tolist())
    for t in pinned:
        relabel[t] = t
    free_new = [t for t in range(t_count) if t not in pinned]
    free_old = set(free_new)
    pairs = sorted(
        ((int(overlap[k, t]), k, t) for k in free_new for t in free_new),
        key=lambda x: -x[0],
    )
    for _, k, t in pairs:
        if relabel[k] < 0 and t in free_old and inst.sizes[k] == inst.sizes[t]:
            relabel[k] = t
            free_old.discard(t)
    for k in free_new:  # sizes left unmatched cannot happen: fresh has the same sizes
        if relabel[k] < 0:
            relabel[k] = k
    return relabel[fresh]


def _unseat_constraint_breakers(
    fixed: IntArray, groups: list[list[int]], apart: BoolArray, row: IntArray
) -> None:
    """Unseat whoever sits where the (possibly changed) hard constraints forbid."""
    wrong = (fixed >= 0) & (row >= 0) & (row != fixed)
    row[wrong] = -1
    for grp in groups:
        seated = row[grp][row[grp] >= 0]
        if seated.size and fixed[grp[0]] < 0:
            home = np.bincount(seated).argmax()
            for i in grp:
                if row[i] != home:
                    row[i] = -1
    for i, j in zip(*np.nonzero(np.triu(apart, 1)), strict=True):
        if row[i] >= 0 and row[i] == row[j]:
            # Unseat the one free to move (a fixed or grouped person stays).
            k = j if fixed[j] < 0 and not any(j in g for g in groups) else i
            row[k] = -1


def _seat_cost(search: Search, row: IntArray, up: FloatArray, p: int) -> FloatArray:
    """Cost of seating p at each table given who sits there now (pairs, then balance)."""
    t_count = search.T
    seated = row >= 0
    cost = np.zeros(t_count)
    np.add.at(cost, row[seated], up[p, seated])
    for a, w in zip(search.attrs, search.weights, strict=True):
        cnt = np.zeros((t_count, len(a.labels)), dtype=np.int64)
        np.add.at(cnt, (row[seated], a.codes[seated]), 1)
        v = a.codes[p]
        cost += w * ((cnt[:, v] + 1 > a.hi[:, v]) - 0.5 * (cnt[:, v] < a.lo[:, v]))
    return cost


def _shed_overfull(inst: Instance, search: Search, row: IntArray, up: FloatArray) -> None:
    """Unseat, from each table over its size, the free people it costs least to move."""
    for t in range(inst.tables):
        while (row == t).sum() > inst.sizes[t]:
            here = np.flatnonzero((row == t) & inst.movable)
            if here.size == 0:
                raise RotationError(f"table {t + 1} is over its size with people who cannot move")
            # Leave the one with the most history among the table, or the worst for balance.
            mates = row == t
            gain = np.array([up[p, mates].sum() for p in here])
            for a, w in zip(search.attrs, search.weights, strict=True):
                cnt = np.bincount(a.codes[mates], minlength=len(a.labels))
                over = cnt > a.hi[t]
                gain += w * over[a.codes[here]]
            # Prefer someone who can sit at a table with room without a keep-apart partner.
            room = inst.sizes - np.bincount(row[row >= 0], minlength=inst.tables)
            open_tables = np.flatnonzero(room > 0)
            floating = row < 0
            for k, p in enumerate(here):
                if open_tables.size and all(inst.apart[p, row == u].any() for u in open_tables):
                    gain[k] -= 1e12
                if inst.apart[p, floating].any():  # they might need the same open seats
                    gain[k] -= 1e9
            row[here[int(np.argmax(gain))]] = -1


def _seat_floating(
    inst: Instance, search: Search, row: IntArray, up: FloatArray, rng: np.random.Generator
) -> None:
    """Seat everyone unseated where there is room, fewest options first; unblock keep-apart."""
    free = [int(p) for p in rng.permutation(np.flatnonzero(row < 0))]
    while free:
        room = inst.sizes - np.bincount(row[row >= 0], minlength=inst.tables)
        options = []
        for p in free:
            ok = room > 0
            for t in np.flatnonzero(ok):
                if inst.apart[p][row == t].any():
                    ok[t] = False
            options.append(ok)
        k = int(np.argmin([ok.sum() for ok in options]))
        p, ok = free.pop(k), options[k]
        partners = inst.apart[p]
        if ok.any():
            cost = _seat_cost(search, row, up, p)
            row[p] = int(np.argmin(np.where(ok, cost, np.inf)))
            continue
        # Every table with room holds a keep-apart partner: move one free stayer there.
        for t in np.flatnonzero(room > 0):
            for q in np.flatnonzero((row >= 0) & inst.movable):
                u = int(row[q])
                if u == t or inst.apart[q][row == t].any():
                    continue
                if not partners[(row == u) & (np.arange(inst.n) != q)].any():
                    row[q], row[p] = t, u
                    break
            if row[p] >= 0:
                break
        if row[p] < 0:
            names = ", ".join(repr(inst.ids[q]) for q in np.flatnonzero(partners))
            raise RotationError(
                f"cannot seat {inst.ids[p]!r} away from every keep_apart partner ({names})"
            )
