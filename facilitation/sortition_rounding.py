"""Rounding the leximin distribution to a uniform lottery over m panels of people.

Two steps, both deterministic:

1. *Class level.* An integer program picks how many of the m lottery slots each panel of the
   distribution gets (``c_P >= 0``, ``sum c_P = m``). Each class c then has ``T_c`` seats over the
   whole lottery. Hard constraint: every person's share stays within 1/m of their optimal
   probability (``T_c`` between ``n_c (ceil(m p_c) - 1)`` and ``n_c (floor(m p_c) + 1)``); the
   objective pushes every ``T_c`` into ``[n_c floor(m p_c), n_c ceil(m p_c)]``, the band where
   every person is in ``floor(m p)`` or ``ceil(m p)`` panels. Since only panels of the
   distribution are used, every lottery panel meets every quota and the household rule.
2. *People.* Within a class, seats are dealt to the members in turn (sorted ids, cyclically),
   so each member gets ``floor(T_c / n_c)`` or ``ceil(T_c / n_c)`` seats and no panel takes a
   member twice (a panel takes at most ``n_c`` members of class c).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

from facilitation.sortition_leximin import Distribution
from facilitation.sortition_model import (
    INF,
    Instance,
    add_cols,
    add_panel_rows,
    add_row,
    new_solver,
    run,
    set_integer,
)
from facilitation.sortition_pricing import SwapNeighbourhood

IntVector = npt.NDArray[np.int64]
IntMatrix = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ClassRounding:
    panels: tuple[tuple[int, ...], ...]  # m class-level panels (seats per class)
    within_band: bool  # every person in floor(m p) or ceil(m p) panels
    within_one: bool  # every person's share within 1/m of p


def _near_int(v: float) -> float:
    r = round(v)
    return float(r) if abs(v - r) < 1e-6 else v


def _targets(
    probabilities: Sequence[float], inst: Instance, m: int
) -> list[tuple[int, int, int, int]]:
    sizes = [c.size for c in inst.classes]
    out = []
    for c, p in enumerate(probabilities):
        mp = _near_int(m * p)
        n = sizes[c]
        out.append(
            (
                n * math.floor(mp),  # band low
                n * math.ceil(mp),  # band high
                n * max(0, math.ceil(mp) - 1),  # hard low
                n * min(m, math.floor(mp) + 1),  # hard high
            )
        )
    return out


def _largest_remainder(weights: Sequence[float], m: int) -> list[int]:
    exact = [w * m for w in weights]
    base = [math.floor(v) for v in exact]
    order = sorted(range(len(exact)), key=lambda j: (-(exact[j] - base[j]), j))
    for j in order[: m - sum(base)]:
        base[j] += 1
    return base


def round_classes(
    dist: Distribution,
    inst: Instance,
    m: int,
    swaps: SwapNeighbourhood | None = None,
    stop: Callable[[], bool] | None = None,
) -> ClassRounding:
    """m class-level panels whose seat totals per class sit in the floor/ceil band if possible.

    Start from the largest-remainder rounding of ``m * weights``, then repair: while some class
    is outside its band, move one seat between it and a class on the other side of its target
    inside one lottery panel where that swap keeps every quota and the household rule.
    ``stop`` (checked every 20 repairs) ends the repair early (the time limit): every panel
    still meets every quota, and ``within_band``/``within_one`` say how far it got.
    """
    probs = dist.class_probabilities
    swaps = swaps or SwapNeighbourhood(inst)
    n = len(inst.classes)
    counts = _largest_remainder(dist.weights, m)
    rows = [x for x, c in zip(dist.panels, counts, strict=True) for _ in range(c)]
    X = np.asarray(rows, dtype=np.int64).reshape(m, n)
    targets = _targets(probs, inst, m)
    lo = np.array([t[0] for t in targets], dtype=np.int64)
    hi = np.array([t[1] for t in targets], dtype=np.int64)
    exact = np.array([m * p * c.size for p, c in zip(probs, inst.classes, strict=True)])
    V = swaps.values  # n x F quota index per class and feature
    onehot = np.zeros((n, swaps.nq), dtype=np.int64)
    for f in range(V.shape[1]):
        onehot[np.arange(n), V[:, f]] += 1
    C = X @ onehot  # m x nq seats per quota value in each lottery panel
    hh = swaps.household
    occ = np.zeros((m, max(1, swaps.nh)), dtype=bool)
    if swaps.nh:
        members = hh >= 0
        occ[:, :] = False
        for member in np.flatnonzero(members):
            occ[X[:, member] > 0, hh[member]] = True
    T = X.sum(axis=0)
    stuck_in = np.zeros(n, dtype=bool)
    stuck_out = np.zeros(n, dtype=bool)
    fixer: _PanelFixer | None = None
    for step in range(50 * n + 100):
        if stop is not None and step % 20 == 19 and stop():
            break
        # the class furthest outside its band (lowest index on ties; "in" before "out")
        deficit = np.where(stuck_in, 0, lo - T)
        surplus = np.where(stuck_out, 0, T - hi)
        amount = np.maximum(deficit, surplus)
        c = int(np.argmax(amount))
        if amount[c] <= 0:
            break
        kind = "in" if deficit[c] > 0 else "out"
        move = _find_swap(X, C, occ, swaps, T, lo, hi, exact, c, kind)
        if move is not None:
            j, a, b = move
            new = X[j].copy()
            new[a] -= 1
            new[b] += 1
        else:  # no single swap: let the integer program rebuild one panel around the change
            fixer = fixer or _PanelFixer(inst)
            found = fixer.fix(X, T, lo, hi, c, kind)
            if found is None:
                (stuck_in if kind == "in" else stuck_out)[c] = True
                continue
            j, new = found
        T += new - X[j]
        X[j] = new
        C[j] = new @ onehot
        if swaps.nh:
            occ[j, :] = False
            inside = (new > 0) & (hh >= 0)
            occ[j, hh[inside]] = True
        stuck_in[:] = False
        stuck_out[:] = False
    hard_lo = np.array([t[2] for t in targets])
    hard_hi = np.array([t[3] for t in targets])
    within_band = bool(np.all((lo <= T) & (hi >= T)))
    within_one = bool(np.all((hard_lo <= T) & (hard_hi >= T)))
    panels = [tuple(int(v) for v in row) for row in X]
    return ClassRounding(tuple(panels), within_band, within_one)


class _PanelFixer:
    """The panel nearest (fewest seat changes) to a lottery panel that moves class c's total
    one step the needed way, changing other classes only within their bands."""

    PANELS_TRIED = 8

    def __init__(self, inst: Instance) -> None:
        n = self.n = len(inst.classes)
        self.upper = [float(c.upper) for c in inst.classes]
        h = new_solver()
        h.setOptionValue("presolve", "off")
        add_cols(h, [0.0] * n, [0.0] * n, self.upper)  # x'
        add_cols(h, [1.0] * n, [0.0] * n, [INF] * n)  # u >= |x' - x|
        set_integer(h, list(range(n)))
        add_panel_rows(h, inst)
        self.base = h.getNumRow()
        for c in range(n):
            add_row(h, 0.0, INF, [n + c, c], [1.0, -1.0])  # u - x' >= -x
            add_row(h, 0.0, INF, [n + c, c], [1.0, 1.0])  # u + x' >= x
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h = h

    def fix(
        self, X: IntMatrix, T: IntVector, lo: IntVector, hi: IntVector, c: int, kind: str
    ) -> tuple[int, IntVector] | None:
        n = self.n
        need = X[:, c] < self.upper[c] if kind == "in" else X[:, c] > 0
        for j in np.flatnonzero(need)[: self.PANELS_TRIED].tolist():
            x = X[j]
            low = np.maximum(0, x - np.maximum(0, T - lo)).astype(np.float64)
            high = np.minimum(self.upper, x + np.maximum(0, hi - T)).astype(np.float64)
            if kind == "in":
                low[c], high[c] = x[c] + 1, min(self.upper[c], x[c] + max(1, lo[c] - T[c]))
            else:
                low[c], high[c] = max(0, x[c] - max(1, T[c] - hi[c])), x[c] - 1
            if np.any(low > high):
                continue
            idx = np.arange(n, dtype=np.int32)
            self.h.changeColsBounds(n, idx, low, high)
            xf = x.astype(np.float64)
            rows = self.base + 2 * idx
            # changeRowsBounds exists in highspy but is missing from its type stubs
            change_rows_bounds: Any = self.h.changeRowsBounds  # type: ignore[attr-defined]
            change_rows_bounds(n, rows, -xf, np.full(n, INF))
            change_rows_bounds(n, rows + 1, xf, np.full(n, INF))
            run(self.h)
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                continue
            new = np.rint(np.asarray(self.h.getSolution().col_value[:n])).astype(np.int64)
            return j, new
        return None


def _find_swap(
    X: IntMatrix,
    C: IntMatrix,
    occ: npt.NDArray[np.bool_],
    swaps: SwapNeighbourhood,
    T: IntVector,
    lo: IntVector,
    hi: IntVector,
    exact: npt.NDArray[np.float64],
    c: int,
    kind: str,
) -> tuple[int, int, int] | None:
    """A (panel, out-class, in-class) swap moving one seat into (kind "in") or out of class c."""
    V, lows, highs, hh, upper = swaps.values, swaps.lows, swaps.highs, swaps.household, swaps.upper
    if kind == "in":
        b = c
        others = np.flatnonzero(lo <= T - 1)  # classes that can give a seat
        a_idx, b_idx = others, np.full(others.shape, b)
    else:
        a = c
        others = np.flatnonzero(hi >= T + 1)  # classes that can take a seat
        a_idx, b_idx = np.full(others.shape, a), others
    keep = a_idx != b_idx
    a_idx, b_idx = a_idx[keep], b_idx[keep]
    if a_idx.size == 0:
        return None
    other = b_idx if kind == "out" else a_idx
    # prefer givers furthest above their target, takers furthest below theirs: candidates in
    # that order, checked in growing chunks (m x chunk, not m x classes, on a national pool);
    # the first usable one is the one the whole matrix would give.
    slack = T[other] - exact[other] if kind == "in" else exact[other] - T[other]
    order = np.lexsort((other, -slack))
    start, chunk = 0, 64
    while start < order.size:
        pick = order[start : start + chunk]
        a_c, b_c = a_idx[pick], b_idx[pick]
        # feasibility over (panel, candidate): m x chunk
        ok = (X[:, a_c] > 0) & (X[:, b_c] < upper[b_c])
        for f in range(V.shape[1]):
            qa, qb = V[a_c, f], V[b_c, f]
            same = qa == qb
            fine = (C[:, qa] - 1 >= lows[qa]) & (C[:, qb] + 1 <= highs[qb])
            ok &= same | fine
        if swaps.nh:
            hb = hh[b_c]
            taken = np.where(hb >= 0, occ[:, np.maximum(hb, 0)], False)
            ok &= ~taken | (hh[a_c] == hb)
        usable = np.flatnonzero(ok.any(axis=0))
        if usable.size:
            best = int(usable[0])
            j = int(np.flatnonzero(ok[:, best])[0])
            return j, int(a_c[best]), int(b_c[best])
        start += chunk
        chunk *= 4
    return None


def deal_people(inst: Instance, panels: Sequence[tuple[int, ...]]) -> list[tuple[str, ...]]:
    """Turn class-level panels into panels of people, sorted canonically."""
    cursor = [0] * len(inst.classes)
    out: list[tuple[str, ...]] = []
    for x in sorted(panels):
        if True:
            ids: list[str] = list(inst.already_selected)
            for c, xc in enumerate(x):
                if not xc:
                    continue
                members = inst.classes[c].members
                size = len(members)
                for step in range(xc):
                    ids.append(members[(cursor[c] + step) % size])
                cursor[c] = (cursor[c] + xc) % size
            out.append(tuple(sorted(ids)))
    out.sort()
    return out


def lottery_shares(lottery: Sequence[Sequence[str]], ids: Sequence[str]) -> dict[str, float]:
    counts = dict.fromkeys(ids, 0)
    for panel in lottery:
        for pid in panel:
            counts[pid] += 1
    m = len(lottery)
    return {pid: counts[pid] / m for pid in ids}


def as_array(panels: Sequence[tuple[int, ...]], n: int) -> np.ndarray:
    return np.asarray(panels, dtype=np.int64).reshape(len(panels), n)
