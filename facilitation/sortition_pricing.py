"""Finding panels: the integer program over panels, its LP relaxation, and one-swap neighbours.

Used by column generation (``sortition_leximin``), the feasibility check and the rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np
import numpy.typing as npt

from facilitation.sortition_model import (
    INF,
    OPTIMAL,
    Instance,
    add_cols,
    add_panel_rows,
    new_solver,
    run,
    set_integer,
    status,
)

# Weights per class: a list, or a dual vector as the solver gives it.
Weights = Sequence[float] | npt.NDArray[np.float64]


class PanelOracle:
    """The integer program over panels: finds the panel of largest total weight."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        n = len(inst.classes)
        h = new_solver()
        add_cols(h, [0.0] * n, [0.0] * n, [float(c.upper) for c in inst.classes])
        set_integer(h, list(range(n)))
        add_panel_rows(h, inst)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.setOptionValue("presolve", "off")  # small model: presolve costs more than it saves
        self.h = h
        self.calls = 0

    def best(self, weights: Weights) -> tuple[float, tuple[int, ...]] | None:
        """The feasible panel maximising ``sum(weights[c] * count[c])``; None if none exists."""
        n = len(self.inst.classes)
        self.h.changeColsCost(
            n, np.arange(n, dtype=np.int32), np.asarray(weights, dtype=np.float64)
        )
        run(self.h)
        self.calls += 1
        if status(self.h) != OPTIMAL:
            return None
        x = tuple(int(round(v)) for v in self.h.getSolution().col_value)
        return sum(w * xi for w, xi in zip(weights, x, strict=True)), x


class SwapNeighbourhood:
    """Panels one swap (a person of class a out, one of class b in) away from a given panel.

    Column generation adds many columns per integer program this way: the swaps of the best
    panel that still beat the dual bound are good columns too, and cost no solver call.
    """

    def __init__(self, inst: Instance) -> None:
        n = len(inst.classes)
        fidx = {key: j for j, key in enumerate(inst.quota_keys)}
        self.values = np.array(
            [[fidx[(f, c.values[i])] for i, f in enumerate(inst.features)] for c in inst.classes],
            dtype=np.int64,
        ).reshape(n, len(inst.features))
        lows, highs = inst.bounds()
        self.lows = np.array(lows, dtype=np.int64)
        self.highs = np.array(highs, dtype=np.int64)
        self.upper = np.array([c.upper for c in inst.classes], dtype=np.int64)
        names = sorted({c.household for c in inst.classes if c.household is not None})
        hidx = {h: i for i, h in enumerate(names)}
        self.household = np.array(
            [-1 if c.household is None else hidx[c.household] for c in inst.classes],
            dtype=np.int64,
        )
        self.same = self.values[:, None, :] == self.values[None, :, :]  # n x n x F
        self.nq = len(inst.quota_keys)
        self.nh = len(names)

    def swaps(
        self, x: Sequence[int], weights: Weights, threshold: float, limit: int
    ) -> list[tuple[int, ...]]:
        """Up to ``limit`` feasible one-swap panels with weight above ``threshold``, best first."""
        xa = np.asarray(x, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        counts = np.zeros(self.nq, dtype=np.int64)
        for f in range(self.values.shape[1]):
            np.add.at(counts, self.values[:, f], xa)
        rem_ok = counts[self.values] - 1 >= self.lows[self.values]  # n x F
        add_ok = counts[self.values] + 1 <= self.highs[self.values]
        ok = np.all(self.same | (rem_ok[:, None, :] & add_ok[None, :, :]), axis=2)
        ok &= (xa > 0)[:, None] & (xa < self.upper)[None, :]
        np.fill_diagonal(ok, False)
        if self.nh:
            occupied = np.zeros(self.nh, dtype=bool)
            hh_in = self.household[xa > 0]
            occupied[hh_in[hh_in >= 0]] = True
            hb = self.household
            blocked = (hb >= 0) & occupied[np.maximum(hb, 0)]
            # b's household is taken, unless the person leaving (class a) is that household's
            ok &= ~blocked[None, :] | (self.household[:, None] == hb[None, :])
        base = float(w @ xa)
        gain = w[None, :] - w[:, None]
        score = np.where(ok, base + gain, -np.inf)
        flat = np.flatnonzero(score > threshold)
        if flat.size == 0:
            return []
        order = flat[np.lexsort((flat, -score.ravel()[flat]))][:limit]
        out = []
        n = len(xa)
        base_list = xa.tolist()
        for pos in order.tolist():
            a, b = divmod(pos, n)
            y = list(base_list)
            y[a] -= 1
            y[b] += 1
            out.append(tuple(y))
        return out


class Pricer:
    """Finds panels whose weight beats a threshold: LP relaxation first, integer program if needed.

    If the LP relaxation's optimum is not above the threshold, no panel is (a proof, no integer
    program needed); if it is integral, it is the best panel. Each improving panel comes with its
    improving one-swap neighbours, so column generation needs far fewer rounds.
    """

    def __init__(self, inst: Instance, swaps_per_panel: int = 10) -> None:
        self.oracle = PanelOracle(inst)
        self.swaps = SwapNeighbourhood(inst)
        self.limit = swaps_per_panel
        n = len(inst.classes)
        self.n = n
        lp = new_solver()
        add_cols(lp, [0.0] * n, [0.0] * n, [float(c.upper) for c in inst.classes])
        add_panel_rows(lp, inst)
        lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.lp = lp
        self.lp_calls = 0

    @property
    def mip_calls(self) -> int:
        return self.oracle.calls

    def best(
        self, weights: Weights, threshold: float = -INF
    ) -> tuple[float, tuple[int, ...] | None]:
        """(an upper bound on the best panel's weight, that panel if its weight > threshold).

        The bound is exact whenever a panel is returned.
        """
        n = self.n
        w = np.asarray(weights, dtype=np.float64)
        self.lp.changeColsCost(n, np.arange(n, dtype=np.int32), w)
        run(self.lp)
        self.lp_calls += 1
        if status(self.lp) == OPTIMAL:
            bound = self.lp.getInfo().objective_function_value
            if bound <= threshold:
                return bound, None
            xf = np.asarray(self.lp.getSolution().col_value)
            xr = np.round(xf)
            if np.all(np.abs(xf - xr) < 1e-9):
                x = tuple(int(v) for v in xr)
                return float(w @ xr), x
        found = self.oracle.best(weights)
        if found is None:
            return -INF, None
        return found[0], (found[1] if found[0] > threshold else None)

    def vertex(self, weights: Weights) -> tuple[int, ...] | None:
        """The LP relaxation's optimal vertex if it is integral (a panel), else None. Cheap."""
        n = self.n
        self.lp.changeColsCost(
            n, np.arange(n, dtype=np.int32), np.asarray(weights, dtype=np.float64)
        )
        run(self.lp)
        self.lp_calls += 1
        if status(self.lp) != OPTIMAL:
            return None
        xf = np.asarray(self.lp.getSolution().col_value)
        xr = np.round(xf)
        if np.all(np.abs(xf - xr) < 1e-9):
            return tuple(xr.astype(np.int64).tolist())
        return None

    def improving(self, weights: Weights, threshold: float) -> list[tuple[int, ...]]:
        """Panels with ``weights . x > threshold``, best first; [] proves there are none."""
        _, x = self.best(weights, threshold)
        if x is None:
            return []
        return [x, *self.swaps.swaps(x, weights, threshold, self.limit)]
