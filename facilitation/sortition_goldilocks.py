"""Goldilocks: neither too small nor too large a chance (manipulation-robust selection).

Flanigan, Liang, Procaccia and Wang (*Manipulation-Robust Selection of Citizens' Assemblies*,
AAAI 2024) show that LEXIMIN can be manipulated: a volunteer who misreports a feature can push
their own chance far up. Bounding *both* the lowest and the highest selection probability
limits what such a misreport can gain. With ``u`` the uniform chance (open seats / selectable
volunteers), Goldilocks minimises

    g = max( highest probability / u ,  u / lowest probability )

so every volunteer's chance lies in ``[u / g, g × u]`` for the smallest ``g`` any lottery over
quota-meeting panels allows. Among the lotteries with that ``g`` we take the leximin one (the
lowest chance as high as possible, then the next, …), so the answer is unique.

Computed like samling's leximin: over the LP relaxation R ⊇ Q first (a bisection on ``g`` with
small LPs, then leximin under the cap ``g × u``), then written as a lottery over real panels by
the same column generation (``sortition_leximin.realise``). If that succeeds the result is
certified: ``g`` over R is a lower bound for ``g`` over real panels, and it is reached. If not
(or the time limit stops it) the result is labelled approximate with its gap, and the
reported figures are those of the lottery actually found.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from facilitation.sortition_leximin import (
    Distribution,
    Stopper,
    realise,
    relaxed_leximin,
)
from facilitation.sortition_model import (
    OPTIMAL,
    Budget,
    Instance,
    Progress,
    add_cols,
    add_panel_rows,
    new_solver,
    run,
    status,
)

BISECTIONS = 50


@dataclass(frozen=True)
class GoldilocksBounds:
    uniform: float  # u: open seats / selectable volunteers
    ratio: float  # g over the relaxation: a lower bound for any lottery over real panels
    low: float  # u / g
    high: float  # g × u


def relaxed_goldilocks(inst: Instance) -> GoldilocksBounds:
    """The smallest g over the LP relaxation: every class's chance in [u / g, g u]."""
    n = len(inst.classes)
    sizes = np.asarray([c.size for c in inst.classes], dtype=np.float64)
    upper = np.asarray([float(c.upper) for c in inst.classes], dtype=np.float64)
    u = inst.k / float(sizes.sum())
    h = new_solver()
    add_cols(h, [0.0] * n, [0.0] * n, upper.tolist())
    add_panel_rows(h, inst)
    idx = np.arange(n, dtype=np.int32)

    def feasible(g: float, lower: bool = True) -> bool:
        low = sizes * u / g if lower else np.zeros(n)
        high = np.minimum(upper, sizes * u * g)
        if np.any(low > high + 1e-12):
            return False
        h.changeColsBounds(n, idx, np.minimum(low, high), high)
        run(h)
        return status(h) == OPTIMAL

    hi = max(1.0, 1.0 / u)  # g = 1/u allows every chance in [u^2, 1]
    lower = feasible(hi)
    if not lower:  # someone cannot be on any panel: bound the highest chance only
        hi = 1.0 / u
    lo = 1.0
    if feasible(lo, lower):
        hi = lo
    for _ in range(BISECTIONS):
        if hi - lo <= 1e-9 * hi:
            break
        mid = (lo + hi) / 2
        if feasible(mid, lower):
            hi = mid
        else:
            lo = mid
    return GoldilocksBounds(u, hi, u / hi if lower else 0.0, min(1.0, u * hi))


def goldilocks(
    inst: Instance, progress: Progress | None = None, budget: Budget | None = None
) -> tuple[Distribution, GoldilocksBounds]:
    """The Goldilocks lottery (leximin among the lotteries with the smallest ratio g)."""
    n = len(inst.classes)
    if inst.k == 0 or n == 0:
        bounds = GoldilocksBounds(0.0, 1.0, 0.0, 0.0)
        return Distribution(((0,) * n,), (1.0,), (0.0,) * n, "trivial", 0, 0), bounds
    budget = budget or Budget()
    bounds = relaxed_goldilocks(inst)
    # a hair of room so the LP's tolerances cannot make the capped leximin infeasible
    stop = Stopper(budget)
    for room in (1e-9, 1e-7, 1e-5):
        caps = [c.size * bounds.high * (1 + room) for c in inst.classes]
        try:
            targets = relaxed_leximin(inst, caps, stop)
            break
        except RuntimeError:
            continue
    else:
        targets = relaxed_leximin(inst)  # (numerically hopeless caps: leximin, then labelled)
    return realise(inst, targets, progress, budget, exact=False, refined=not stop.hit), bounds
