"""Are the quotas satisfiable, and if not, which ones clash and what is the smallest fix?"""

from __future__ import annotations

import highspy

from facilitation.messages import N_
from facilitation.sortition_model import (
    INF,
    OPTIMAL,
    InfeasibleQuotasError,
    Instance,
    Relaxation,
    add_cols,
    add_row,
    new_solver,
    run,
    set_integer,
    status,
)
from facilitation.sortition_pricing import PanelOracle


def obvious_conflicts(inst: Instance) -> list[str]:
    """Conflicts that can be stated from counts alone (each one alone makes the quotas fail)."""
    out: list[str] = []
    pool = sum(c.size for c in inst.classes if c.household is None)
    pool += len({c.household for c in inst.classes if c.household is not None})
    if pool < inst.k:
        out.append(
            N_(
                "the pool has %(pool)s selectable people (one per household) for %(k)s open seats",
                pool=pool,
                k=inst.k,
            )
        )
    for f in inst.features:
        idx = [i for i, (ff, _) in enumerate(inst.quota_keys) if ff == f]
        mins = sum(inst.quotas[i].min for i in idx)
        maxs = sum(inst.quotas[i].max for i in idx)
        names = ", ".join(f"{f}={inst.quota_keys[i][1]}" for i in idx)
        if mins > inst.panel_size:
            out.append(
                N_(
                    "the minimums of %(names)s add up to %(sum)s but the panel has %(k)s seats",
                    names=names,
                    sum=mins,
                    k=inst.panel_size,
                )
            )
        if maxs < inst.panel_size:
            out.append(
                N_(
                    "the maximums of %(names)s add up to %(sum)s but the panel has %(k)s seats",
                    names=names,
                    sum=maxs,
                    k=inst.panel_size,
                )
            )
    for i, (q, rows) in enumerate(zip(inst.quotas, inst.quota_rows, strict=True)):
        already = inst.already_counts[i]
        free = sum(inst.classes[c].upper for c in rows)
        quota = f"{q.feature}={q.value}"
        if free + already < q.min:
            out.append(
                N_(
                    "%(quota)s: min %(min)s but only %(n)s people with this value "
                    "can be on the panel",
                    quota=quota,
                    min=q.min,
                    n=free + already,
                )
            )
        if already > q.max:
            out.append(
                N_(
                    "%(quota)s: %(n)s already selected but max %(max)s",
                    quota=quota,
                    n=already,
                    max=q.max,
                )
            )
    return out


def minimal_relaxation(inst: Instance, within_flex: bool) -> list[Relaxation] | None:
    """Fewest seats of quota change (sum over bounds) that make a panel exist; None if none."""
    n = len(inst.classes)
    q = len(inst.quotas)
    lows, highs = inst.bounds()
    flex_lo, flex_hi = inst.flex()
    h = new_solver()
    add_cols(h, [0.0] * n, [0.0] * n, [float(c.upper) for c in inst.classes])
    cap_a = [
        float(quota.min - flex_lo[j]) if within_flex else float(quota.min)
        for j, quota in enumerate(inst.quotas)
    ]
    cap_b = [
        float(flex_hi[j] - quota.max) if within_flex else INF for j, quota in enumerate(inst.quotas)
    ]
    add_cols(h, [1.0] * q, [0.0] * q, cap_a)  # a_j: lower the min by a_j
    add_cols(h, [1.0] * q, [0.0] * q, cap_b)  # b_j: raise the max by b_j
    set_integer(h, list(range(n + 2 * q)))
    add_row(h, inst.k, inst.k, list(range(n)), [1.0] * n)
    for j, rows in enumerate(inst.quota_rows):
        add_row(h, lows[j], INF, [*rows, n + j], [1.0] * (len(rows) + 1))
        add_row(h, -INF, highs[j], [*rows, n + q + j], [1.0] * len(rows) + [-1.0])
    for rows in inst.household_rows:
        add_row(h, -INF, 1, rows, [1.0] * len(rows))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    run(h)
    if status(h) != OPTIMAL:
        return None
    sol = [int(round(v)) for v in h.getSolution().col_value]
    out: list[Relaxation] = []
    for j, quota in enumerate(inst.quotas):
        a, b = sol[n + j], sol[n + q + j]
        # The min for the open seats may already be below zero; only report real changes.
        if a and lows[j] > 0:
            new_min = quota.min - min(a, lows[j])
            out.append(Relaxation(quota.feature, quota.value, "min", quota.min, new_min))
        if b:
            out.append(Relaxation(quota.feature, quota.value, "max", quota.max, quota.max + b))
    return out


def conflicting_bounds(inst: Instance) -> list[tuple[int, str]]:
    """An irreducible set of quota bounds that cannot hold together (deletion filter).

    Each bound in turn is dropped for good if the rest is still infeasible without it; what is
    left clashes, and dropping any one of them would remove this clash.
    """
    oracle = PanelOracle(inst)
    int_lows, int_highs = inst.bounds()
    lows: list[float] = [float(v) for v in int_lows]
    highs: list[float] = [float(v) for v in int_highs]
    n_fixed_rows = 1  # the panel-size row comes first, then one row per quota
    zero = [0.0] * len(inst.classes)
    kept: list[tuple[int, str]] = []
    for j in range(len(inst.quotas)):
        for bound in ("min", "max"):
            lo = 0.0 if bound == "min" else lows[j]
            hi = highs[j] if bound == "min" else INF
            oracle.h.changeRowBounds(n_fixed_rows + j, lo, hi)
            if oracle.best(zero) is not None:  # needed: put it back
                oracle.h.changeRowBounds(n_fixed_rows + j, lows[j], highs[j])
                kept.append((j, bound))
            else:
                lows[j], highs[j] = lo, hi
    return kept


def check_feasible(inst: Instance) -> None:
    """Raise InfeasibleQuotasError (naming the clash and the smallest fix) if no panel exists."""
    conflicts = obvious_conflicts(inst)
    if not conflicts and PanelOracle(inst).best([0.0] * len(inst.classes)) is not None:
        return
    relaxation = minimal_relaxation(inst, within_flex=True)
    if not conflicts:
        clash = conflicting_bounds(inst)
        if clash:
            detail = ", ".join(
                f"{inst.quotas[j].feature}={inst.quotas[j].value} "
                f"{bound} {getattr(inst.quotas[j], bound)}"
                for j, bound in clash
            )
            conflicts = [
                N_(
                    "no panel of %(k)s meets these quotas together: %(quotas)s",
                    k=inst.panel_size,
                    quotas=detail,
                )
            ]
        else:
            conflicts = [
                N_(
                    "no panel of %(k)s can be formed from the pool under the "
                    "one-per-household rule",
                    k=inst.panel_size,
                )
            ]
    raise InfeasibleQuotasError(conflicts, relaxation)
