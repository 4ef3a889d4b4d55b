"""LEXIMIN selection probabilities by column generation, on classes of interchangeable people.

The leximin probabilities are unique and equal within a class, so one number per class suffices.
Let Q be the convex hull of the quota-satisfying panels (as count vectors per class) and R ⊇ Q
its LP relaxation. Two phases:

1. *Leximin over R* — a short sequence of small LPs (maximise the lowest probability among the
   classes not yet fixed, fix the classes whose constraint has a positive dual, repeat).
2. *Decomposition* — column generation (LP over panel weights; the integer program, helped by its
   LP relaxation and one-swap neighbours, finds panels that improve it) writes that point as a
   lottery over real panels. If it succeeds, the point lies in Q and, being leximin over the
   larger R, is leximin-optimal over Q: a certificate, not a heuristic.

If the point of phase 1 is not in Q, the exact level-by-level column generation of Flanigan et
al. (Nature 2021) runs instead, starting from every panel found so far.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from facilitation.sortition_model import (
    INF,
    OPTIMAL,
    Budget,
    Instance,
    Progress,
    add_cols,
    add_panel_rows,
    add_row,
    new_solver,
    run,
    status,
)
from facilitation.sortition_pricing import Pricer

PRICE_TOL = 1e-9  # a panel must beat the dual bound by this much to be added
DUAL_TOL = 1e-9  # a class whose dual exceeds this is fixed at the current level
FIX_SLACK = 1e-9  # fixed values sit a hair below their level, for numerical safety
SHORTFALL_TOL = 1e-6  # decomposition exact: every class >= (1 - 1e-6) x its target
MAX_ROUNDS = 5000  # exact level-by-level phase (small instances only reach it)
DECOMPOSE_ROUNDS = 300  # deterministic effort budget of the decomposition (dk815_36: ~60)
SCALED = True
SWAPS = 10
RELAXATION_SHARE = 0.3  # of the time limit: then the relaxation's refinement stops
DECOMPOSE_SHARE = 0.75  # of the time limit; the rounding has the rest
LARGE = 400  # classes; above this, the national-scale settings below
JITTERED_LARGE = 5
GREEDY_AMONG = 6  # greedy start: the (this x panel size) classes of highest weight first
SMOOTHING = 0.8
JITTERED = 20
JITTER = 0.5


@dataclass(frozen=True)
class Distribution:
    """Panels (counts per class) with weights, and each class's selection probability."""

    panels: tuple[tuple[int, ...], ...]
    weights: tuple[float, ...]
    class_probabilities: tuple[float, ...]
    method: str  # "relaxation-certified", "column-generation" or "approximate"
    pricing_rounds: int
    mip_calls: int
    certified: bool = True  # leximin optimality proven; else within ``gap`` (relative) of it
    gap: float = 0.0  # every class has at least (1 - gap) x its leximin upper bound
    bound: float = 0.0  # upper bound on the lowest probability (the relaxation's floor)
    stopped: str = ""  # "" (finished), "time limit" or "effort budget"
    targets: tuple[float, ...] = ()  # the relaxation's per-class probabilities (the aim)


def relaxed_leximin(
    inst: Instance,
    caps: Sequence[float] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[float]:
    """Leximin per-class probabilities over the LP relaxation R (an upper bound for Q).

    ``caps``: optional upper bounds on each class's expected seats (Goldilocks' maximum).
    ``stop`` (checked between levels; the time limit): keep the levels fixed so far and the
    current LP point for the rest (still a point of R, its lowest level already maximal).
    """
    n = len(inst.classes)
    sizes = [c.size for c in inst.classes]
    uppers = [float(c.upper) for c in inst.classes]
    if caps is not None:
        uppers = [min(u, cap) for u, cap in zip(uppers, caps, strict=True)]
    h = new_solver()
    add_cols(h, [0.0] * n + [1.0], [0.0] * n + [-INF], uppers + [INF])
    add_panel_rows(h, inst)
    base = h.getNumRow()
    for c in range(n):  # x_c / n_c - z >= 0
        add_row(h, 0.0, INF, [c, n], [1.0 / sizes[c], -1.0])
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    fixed: dict[int, float] = {}
    while len(fixed) < n:
        run(h)
        slack = FIX_SLACK
        while status(h) != OPTIMAL and slack < 1e-4:
            # Levels are only as exact as the LP's tolerances: loosen every fixed value a little.
            slack *= 10
            for c, value in fixed.items():
                fixed[c] = max(0.0, value - slack)
                h.changeRowBounds(base + c, fixed[c], INF)
            run(h)
        if status(h) != OPTIMAL:
            raise RuntimeError("the relaxed leximin LP failed")
        level = h.getInfo().objective_function_value
        sol = h.getSolution()
        free = [c for c in range(n) if c not in fixed]
        if fixed and stop is not None and stop():
            for c in free:
                fixed[c] = min(1.0, max(0.0, sol.col_value[c] / sizes[c] - FIX_SLACK))
            break
        newly = [c for c in free if abs(sol.row_dual[base + c]) > DUAL_TOL]
        if caps is not None:
            # a class held at the level by its cap (its column bound, so no row dual) cannot
            # rise either: fix every such class at once, not one LP per class
            newly += [
                c
                for c in free
                if c not in newly
                and sol.col_value[c] >= uppers[c] - 1e-9
                and sol.col_value[c] / sizes[c] <= level + 1e-9
            ]
        if not newly:
            newly = [min(free, key=lambda c: (sol.col_value[c] / sizes[c], c))]
        for c in newly:
            fixed[c] = min(1.0, max(0.0, level - FIX_SLACK))
            h.changeCoeff(base + c, n, 0.0)
            h.changeRowBounds(base + c, fixed[c], INF)
    return [fixed[c] for c in range(n)]


def initial_panels(
    inst: Instance, pricer: Pricer, targets: Sequence[float]
) -> list[tuple[int, ...]]:
    """A diverse start that puts every class with a positive target in some panel.

    First: take the heaviest panel, damp the weights of its people, repeat. Then, while some
    class with a positive target is in no panel yet, the panel with most of them.
    """
    n = len(inst.classes)
    if n > LARGE:
        return _greedy_start(inst, pricer, targets)
    weights = [1.0] * n
    panels: list[tuple[int, ...]] = []
    for _ in range(max(5, min(30, n // 8))):
        found = pricer.oracle.best(weights)
        if found is None:
            break
        x = found[1]
        panels.append(x)
        for c, xc in enumerate(x):
            if xc:
                weights[c] *= 0.8 ** (xc / inst.classes[c].size)
        top = max(weights)
        weights = [w / top for w in weights]
    covered = [any(x[c] for x in panels) for c in range(n)]
    for _ in range(n):
        missing = [c for c in range(n) if not covered[c] and targets[c] > 0]
        if not missing:
            break
        weights = [1e-3] * n
        for c in missing:
            weights[c] = 1.0
        found = pricer.oracle.best(weights)
        if found is None or not any(found[1][c] for c in missing):
            break  # these classes are in no panel at all: the decomposition will say so
        panels.append(found[1])
        covered = [covered[c] or found[1][c] > 0 for c in range(n)]
    return panels


def _greedy_start(
    inst: Instance, pricer: Pricer, targets: Sequence[float]
) -> list[tuple[int, ...]]:
    """initial_panels on a national pool: the same idea with the greedy pricer (no integer
    program), and until every class with a positive target is in a panel: classes not yet in
    any panel first, the others by how far their seats so far fall behind their targets."""
    n = len(inst.classes)
    t = np.asarray(targets) * np.asarray([c.size for c in inst.classes], dtype=np.float64)
    got = np.zeros(n)
    panels: list[tuple[int, ...]] = []
    rng = np.random.default_rng(0)
    for j in range(max(30, 3 * n // max(1, inst.k))):
        missing = (got == 0) & (t > 0)
        if j >= 30 and not missing.any():
            break
        score = missing + ((j + 1) * t - got) / np.maximum(t, 1e-12) / (j + 1)
        x = pricer.greedy.panel(score + 0.1 * rng.random(n), GREEDY_AMONG * inst.k)
        if x is None:
            break
        panels.append(x)
        got += np.asarray(x)
    return panels


class _Decomposition:
    """min sum_c s_c / n_c  s.t.  sum_P lam_P = 1,  sum_P lam_P x_Pc + s_c >= target_c (primal)."""

    def __init__(self, inst: Instance, targets: Sequence[float]) -> None:
        n = self.n = len(inst.classes)
        sizes = [c.size for c in inst.classes]
        h = new_solver()
        h.setOptionValue("simplex_strategy", 4)  # primal: new columns keep the basis feasible
        add_cols(h, [1.0 / s for s in sizes], [0.0] * n, [INF] * n)
        add_row(h, 1.0, 1.0, [], [])
        for c in range(n):
            add_row(h, targets[c] * sizes[c], INF, [c], [1.0])
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        self.panels: list[tuple[int, ...]] = []
        self.known: set[tuple[int, ...]] = set()

    def add(self, x: tuple[int, ...]) -> bool:
        if x in self.known:
            return False
        self.known.add(x)
        self.panels.append(x)
        rows = [0] + [1 + c for c, v in enumerate(x) if v]
        coefs = [1.0] + [float(v) for v in x if v]
        self.h.addCol(0.0, 0.0, INF, len(rows), np.asarray(rows, np.int32), np.asarray(coefs))
        return True

    def solve(self) -> tuple[float, float, list[float]]:
        run(self.h)
        if status(self.h) != OPTIMAL:
            raise RuntimeError("the decomposition LP failed")
        sol = self.h.getSolution()
        return self.h.getInfo().objective_function_value, sol.row_dual[0], list(sol.row_dual[1:])

    def weights(self) -> list[float]:
        return list(self.h.getSolution().col_value[self.n :])


class _ScaledDecomposition(_Decomposition):
    """max alpha  s.t.  sum_P lam_P = 1,  sum_P lam_P x_Pc >= alpha target_c,  alpha <= 1."""

    def __init__(self, inst: Instance, targets: Sequence[float]) -> None:
        n = self.n = len(inst.classes)
        sizes = [c.size for c in inst.classes]
        h = new_solver()
        h.setOptionValue("simplex_strategy", 4)
        add_cols(h, [-1.0], [0.0], [1.0])
        add_row(h, 1.0, 1.0, [], [])
        for c in range(n):
            add_row(h, 0.0, INF, [0], [-targets[c] * sizes[c]])
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h
        self.n = 1
        self.panels = []
        self.known = set()

    def solve(self) -> tuple[float, float, list[float]]:
        value, d0, d = super().solve()
        return 1.0 + value, d0, d


def leximin(
    inst: Instance, progress: Progress | None = None, budget: Budget | None = None
) -> Distribution:
    """LEXIMIN over the quota-satisfying panels (see the module docstring)."""
    n = len(inst.classes)
    if inst.k == 0 or n == 0:
        return Distribution(((0,) * n,), (1.0,), (0.0,) * n, "trivial", 0, 0)
    budget = budget or Budget()
    stop = Stopper(budget)
    targets = relaxed_leximin(inst, stop=stop)
    return realise(inst, targets, progress, budget, exact=True, refined=not stop.hit)


class Stopper:
    """``budget.expired(RELAXATION_SHARE)``, remembering whether it ever said yes."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.hit = False

    def __call__(self) -> bool:
        self.hit = self.hit or self.budget.expired(RELAXATION_SHARE)
        return self.hit


def realise(
    inst: Instance,
    targets: Sequence[float],
    progress: Progress | None,
    budget: Budget,
    exact: bool,
    refined: bool = True,
) -> Distribution:
    """Write per-class probabilities ``targets`` (a point of the relaxation R, leximin over R
    or Goldilocks over R) as a lottery over real panels: certified if it succeeds; else, with
    ``exact``, the level-by-level leximin over real panels; else (or when the time limit or the
    effort budget stops it) the best lottery found, labelled approximate with its gap.
    ``refined`` False: the time limit stopped the relaxation's leximin after its lowest level,
    so reaching the targets proves the floor optimal but not the rest: labelled approximate."""
    pricer = Pricer(inst, SWAPS)
    bound = min((t for t in targets if t > 0), default=0.0)
    budget.tell("relaxation", 0, 0.0, bound, 1.0)
    if progress is not None:
        progress("leximin", 0.05)
    start = initial_panels(inst, pricer, targets)
    dec = (_ScaledDecomposition if SCALED else _Decomposition)(inst, targets)
    for x in start:
        dec.add(x)
    rounds, shortfall, proven, stopped = _decompose(inst, pricer, dec, targets, progress, budget)
    certified, gap = True, 0.0
    exact_result = None
    if shortfall <= SHORTFALL_TOL:
        lam = dec.weights()
        method = "relaxation-certified"
        panels = dec.panels
        polished = _polish(inst, panels, targets)
        if polished is not None:
            lam = polished
    elif proven and exact:  # the relaxation's point is not reachable: exact leximin over panels
        exact_result = _exact_leximin(inst, pricer, dec.panels, progress, budget)
        if exact_result is not None:
            panels, lam, rounds2 = exact_result
            rounds += rounds2
            method = "column-generation"
        else:
            stopped = stopped or (
                "time limit" if budget.expired(DECOMPOSE_SHARE) else "effort budget"
            )
    if shortfall > SHORTFALL_TOL and exact_result is None:
        # Stopped first (time limit or effort budget), or not reachable without the exact
        # phase: the best lottery found so far. Every class has at least (1 - gap) times its
        # target (the leximin upper bound); reported, not hidden.
        lam = dec.weights()
        panels = dec.panels
        method, certified = "approximate", False
        gap = min(1.0, shortfall) if SCALED else shortfall
    if not refined:
        method, certified = "approximate", False
        stopped = stopped or "time limit"
    weights, probs = _clean(inst, panels, lam)
    if progress is not None:
        progress("leximin", 1.0)
    keep = [j for j, w in enumerate(weights) if w > 0]
    floor = min((p for p, t in zip(probs, targets, strict=True) if t > 0), default=0.0)
    budget.tell("decomposition", rounds, floor, bound, gap)
    return Distribution(
        tuple(panels[j] for j in keep),
        tuple(weights[j] for j in keep),
        tuple(probs),
        method,
        rounds,
        pricer.mip_calls,
        certified,
        gap,
        bound,
        stopped if not certified else "",
        tuple(targets),
    )


def _decompose(
    inst: Instance,
    pricer: Pricer,
    dec: _Decomposition,
    targets: Sequence[float],
    progress: Progress | None,
    budget: Budget,
) -> tuple[int, float, bool, str]:
    """Column generation for the decomposition, with Wentges dual smoothing.

    Prices at a mix of the LP duals and the best dual found so far (by its Lagrangian bound),
    which damps the oscillation of the duals; a column is only added if it improves the LP.
    Returns (rounds, final shortfall, whether the LP is proven optimal over all panels, why it
    stopped early: "" or "time limit" or "effort budget"); a positive proven shortfall means
    the point is not in Q.
    """
    t = np.asarray(targets, dtype=np.float64) * np.asarray([c.size for c in inst.classes])
    center: np.ndarray | None = None
    best_bound = -INF
    first = None
    shortfall = INF
    rounds = 0
    limit = DECOMPOSE_ROUNDS if budget.max_rounds is None else budget.max_rounds
    top = min((v for v in targets if v > 0), default=0.0)  # the floor's upper bound
    stopped = ""
    while True:
        if rounds >= limit:
            stopped = "effort budget"
            break
        if budget.expired(DECOMPOSE_SHARE):
            stopped = "time limit"
            break
        rounds += 1
        shortfall, d0, dual = dec.solve()
        gap = max(0.0, min(1.0, shortfall))
        budget.tell("decomposition", rounds, (1.0 - gap) * top, top, gap)
        if shortfall <= SHORTFALL_TOL:
            return rounds, shortfall, True, ""
        d = np.asarray(dual)
        added = 0
        x: tuple[int, ...] | None = None
        if not added and center is not None:
            ds = SMOOTHING * center + (1.0 - SMOOTHING) * d
            value, x = pricer.best(ds)
            if x is not None:
                bound = float(t @ ds) - value
                if bound > best_bound:
                    best_bound, center = bound, ds
                cands = [x, *pricer.swaps.swaps(x, d, -d0 + PRICE_TOL, pricer.limit)]
                added = sum(dec.add(y) for y in cands if d0 + float(d @ np.asarray(y)) > PRICE_TOL)
        if not added:
            value, x = pricer.best(d, -d0 + PRICE_TOL)
            bound = float(t @ d) - value
            if bound > best_bound or center is None:
                best_bound, center = bound, d
            if x is None:
                return rounds, shortfall, True, ""  # no panel improves the LP: shortfall final
            cands = [x, *pricer.swaps.swaps(x, d, -d0 + PRICE_TOL, pricer.limit)]
            added = sum(dec.add(y) for y in cands)
            if not added:
                return rounds, shortfall, True, ""
        # Cheap extra columns: integral LP vertices for jittered duals (seeded: deterministic).
        jitter = np.random.default_rng(rounds)
        for _ in range(JITTERED if len(targets) <= LARGE else JITTERED_LARGE):
            y = pricer.vertex(d * (1.0 + JITTER * jitter.standard_normal(d.shape)))
            if y is not None and d0 + float(d @ np.asarray(y)) > PRICE_TOL:
                dec.add(y)
        if progress is not None:
            first = first or shortfall
            done = 1.0 - np.log1p(shortfall / SHORTFALL_TOL) / np.log1p(first / SHORTFALL_TOL)
            progress("leximin", 0.05 + 0.9 * max(0.0, min(1.0, float(done))))
    shortfall, _, _ = dec.solve()
    return rounds, shortfall, shortfall <= SHORTFALL_TOL, stopped


def _polish(
    inst: Instance, panels: Sequence[tuple[int, ...]], targets: Sequence[float]
) -> list[float] | None:
    """Weights on the same panels that meet the targets exactly (not just to 1e-6), if possible.

    The scaled decomposition stops once every class has (1 - 1e-6) of its target; one more LP
    over the panels already found usually closes that last gap, so published probabilities
    read 0.1 rather than 0.0999999.
    """
    exact = _Decomposition(inst, [min(1.0, t + FIX_SLACK) for t in targets])
    for x in panels:
        exact.add(x)
    try:
        shortfall, _, _ = exact.solve()
    except RuntimeError:
        return None
    if shortfall > 1e-9:
        return None
    return exact.weights()


def _clean(
    inst: Instance, panels: Sequence[tuple[int, ...]], lam: Sequence[float]
) -> tuple[list[float], list[float]]:
    sizes = [c.size for c in inst.classes]
    w = np.clip(np.asarray(lam, dtype=np.float64), 0.0, None)
    w[w < 1e-12] = 0.0
    w = w / w.sum()
    x = np.asarray(panels, dtype=np.float64).reshape(len(panels), len(sizes))
    probs = (w @ x) / np.asarray(sizes, dtype=np.float64)
    return [float(v) for v in w], [float(min(1.0, v)) for v in probs]


def _exact_leximin(
    inst: Instance,
    pricer: Pricer,
    start: Sequence[tuple[int, ...]],
    progress: Progress | None,
    budget: Budget,
) -> tuple[list[tuple[int, ...]], list[float], int] | None:
    """Level-by-level leximin over Q (dual LP: one row per panel, one column per class).

    None if it needs more than MAX_ROUNDS rounds or the time limit passes (the caller then
    keeps its approximation).
    """
    n = len(inst.classes)
    sizes = [c.size for c in inst.classes]
    h = new_solver()  # min mu - sum_fixed f_c y_c, sum_free y_c = 1, x_P/n . y <= mu
    add_cols(h, [0.0] * n + [1.0], [0.0] * n + [-INF], [INF] * (n + 1))
    add_row(h, 1.0, 1.0, list(range(n)), [1.0] * n)
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    panels: list[tuple[int, ...]] = []
    known: set[tuple[int, ...]] = set()

    def add(x: tuple[int, ...]) -> None:
        if x not in known:
            known.add(x)
            panels.append(x)
            cols = [c for c, v in enumerate(x) if v]
            add_row(h, -INF, 0.0, [*cols, n], [x[c] / sizes[c] for c in cols] + [-1.0])

    for x in start:
        add(x)
    fixed: dict[int, float] = {}
    rounds = 0
    while len(fixed) < n:
        rounds += 1
        if rounds > MAX_ROUNDS or budget.expired(DECOMPOSE_SHARE):
            return None
        run(h)
        if status(h) != OPTIMAL:
            raise RuntimeError("the leximin dual LP failed")
        level = h.getInfo().objective_function_value
        sol = list(h.getSolution().col_value)
        y, mu = sol[:n], sol[n]
        new = pricer.improving([y[c] / sizes[c] for c in range(n)], mu + PRICE_TOL)
        fresh = [x for x in new if x not in known]
        for x in fresh:
            add(x)
        if fresh:
            continue
        free = [c for c in range(n) if c not in fixed]
        newly = [c for c in free if y[c] > DUAL_TOL] or [max(free, key=lambda c: (y[c], -c))]
        for c in newly:
            fixed[c] = min(1.0, max(0.0, level - FIX_SLACK))
            h.changeCoeff(0, c, 0.0)
            h.changeColCost(c, -fixed[c])
        if progress is not None:
            progress("leximin", len(fixed) / n)
        budget.tell("exact", rounds, min(fixed.values()), min(fixed.values()), 0.0)
    targets = [fixed[c] for c in range(n)]
    dec = _Decomposition(inst, targets)
    for x in panels:
        dec.add(x)
    dec.solve()
    return dec.panels, dec.weights(), rounds
