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
SWAP_POOL = 600  # classes considered for coming in by a swap (the heaviest ones)
SUBMIP_ABOVE = 400  # more classes than this: try the integer program on a few classes first
SUBMIP_EXTRA = 3  # ... namely the LP's support and the (this x panel size) heaviest classes
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
        self.upper = np.array([float(c.upper) for c in inst.classes], dtype=np.float64)

    def best(
        self, weights: Weights, only: npt.NDArray[np.int64] | None = None
    ) -> tuple[float, tuple[int, ...]] | None:
        """The feasible panel maximising ``sum(weights[c] * count[c])``; None if none exists.

        ``only``: search among panels of these classes alone (a heuristic: a small integer
        program; its answer is a panel, but not necessarily the best one).
        """
        n = len(self.inst.classes)
        if only is not None:
            upper = np.zeros(n, dtype=np.float64)
            upper[only] = self.upper[only]
            self.h.changeColsBounds(n, np.arange(n, dtype=np.int32), np.zeros(n), upper)
            self.h.setOptionValue("presolve", "on")
            try:
                return self.best(weights)
            finally:
                self.h.changeColsBounds(n, np.arange(n, dtype=np.int32), np.zeros(n), self.upper)
                self.h.setOptionValue("presolve", "off")
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
        self.nq = len(inst.quota_keys)
        self.nh = len(names)

    def swaps(
        self, x: Sequence[int], weights: Weights, threshold: float, limit: int
    ) -> list[tuple[int, ...]]:
        """Up to ``limit`` feasible one-swap panels with weight above ``threshold``, best first.

        The class leaving is one in the panel; the class coming in one of the ``SWAP_POOL``
        heaviest others (all of them on a municipal pool), so the work is (panel size) x
        (pool) x (features), not (classes)^2, on a national one.
        """
        xa = np.asarray(x, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        n = len(xa)
        counts = np.zeros(self.nq, dtype=np.int64)
        for f in range(self.values.shape[1]):
            np.add.at(counts, self.values[:, f], xa)
        outs = np.flatnonzero(xa > 0)
        ins = np.flatnonzero(xa < self.upper)
        if ins.size > SWAP_POOL:
            ins = np.sort(ins[np.lexsort((ins, -w[ins]))[:SWAP_POOL]])
        v_out, v_in = self.values[outs], self.values[ins]
        rem_ok = counts[v_out] - 1 >= self.lows[v_out]  # |out| x F
        add_ok = counts[v_in] + 1 <= self.highs[v_in]  # |in| x F
        same = v_out[:, None, :] == v_in[None, :, :]
        ok = np.all(same | (rem_ok[:, None, :] & add_ok[None, :, :]), axis=2)
        ok &= outs[:, None] != ins[None, :]
        if self.nh:
            occupied = np.zeros(self.nh, dtype=bool)
            hh_in = self.household[xa > 0]
            occupied[hh_in[hh_in >= 0]] = True
            hb = self.household[ins]
            blocked = (hb >= 0) & occupied[np.maximum(hb, 0)]
            # b's household is taken, unless the person leaving (class a) is that household's
            ok &= ~blocked[None, :] | (self.household[outs][:, None] == hb[None, :])
        base = float(w @ xa)
        score = np.where(ok, base + w[ins][None, :] - w[outs][:, None], -np.inf)
        rows, cols = np.nonzero(score > threshold)
        if rows.size == 0:
            return []
        a_all, b_all = outs[rows], ins[cols]
        order = np.lexsort((a_all * n + b_all, -score[rows, cols]))[:limit]
        out = []
        base_list = xa.tolist()
        for a, b in zip(a_all[order].tolist(), b_all[order].tolist(), strict=True):
            y = list(base_list)
            y[a] -= 1
            y[b] += 1
            out.append(tuple(y))
        return out


class GreedyPanels:
    """The cheap pricer: a panel built seat by seat, without a solver.

    Each seat goes to the allowed class with the highest score plus an urgency bonus for every
    feature whose unmet minimums are running out of seats (so tight quotas are filled in time);
    allowed means no maximum exceeded, no household twice, and every feature's unmet minimums
    still fit in the seats left. A few milliseconds even on 5,000 classes; it may fail (None)
    where the integer program would not, and it does not look for the *best* panel: column
    generation uses it for many good panels cheaply, the integer program for the rest.
    """

    URGENCY = 30.0  # weight of the urgency bonus against scores scaled to [0, 1]

    def __init__(self, inst: Instance) -> None:
        swaps = SwapNeighbourhood(inst)
        self.k = inst.k
        self.values = swaps.values  # n x F quota index
        self.lows, self.highs, self.upper = swaps.lows, swaps.highs, swaps.upper
        self.household, self.nh = swaps.household, swaps.nh
        self.nf = self.values.shape[1]
        self.feature_of = np.zeros(len(self.lows), dtype=np.int64)
        for f in range(self.nf):
            self.feature_of[np.unique(self.values[:, f])] = f
        self.calls = 0

    def panel(self, score: Weights, among: int = 0) -> tuple[int, ...] | None:
        """A panel favouring high ``score``; ``among`` > 0: try the best ``among`` classes
        first (faster), then all of them."""
        s = np.asarray(score, dtype=np.float64)
        n = len(s)
        if 0 < among < n:
            top = np.sort(np.lexsort((np.arange(n), -s))[:among])
            found = self._panel(s, top)
            if found is not None:
                return found
        return self._panel(s, np.arange(n))

    def _panel(
        self, score: npt.NDArray[np.float64], idx: npt.NDArray[np.int64]
    ) -> tuple[int, ...] | None:
        self.calls += 1
        values = self.values[idx]
        lows, highs = self.lows, self.highs
        low_v, high_v = lows[values], highs[values]
        upper = self.upper[idx]
        hh = self.household[idx]
        s = score[idx]
        spread = float(s.max() - s.min()) if s.size else 0.0
        s = (s - s.min()) / spread if spread > 0 else np.zeros_like(s)
        x = np.zeros(len(idx), dtype=np.int64)
        count = np.zeros(len(lows), dtype=np.int64)
        taken = np.zeros(max(1, self.nh), dtype=bool)
        free = np.ones(len(idx), dtype=bool)
        for seat in range(self.k):
            need = np.maximum(0, lows - count)
            slack = (self.k - seat) - np.bincount(self.feature_of, need, minlength=self.nf)
            have = count[values]
            short = have < low_v
            ok = free & np.all(have < high_v, axis=1) & np.all(short | (slack >= 1), axis=1)
            if not ok.any():
                return None
            priority = s + self.URGENCY * (short / (1.0 + slack)).sum(axis=1)
            c = int(np.argmax(np.where(ok, priority, -np.inf)))
            x[c] += 1
            count[values[c]] += 1
            if x[c] >= upper[c]:
                free[c] = False
            if hh[c] >= 0:
                taken[hh[c]] = True
                free &= ~((hh >= 0) & taken[np.maximum(hh, 0)])
        full = np.zeros(len(self.upper), dtype=np.int64)
        full[idx] = x
        return tuple(full.tolist())


class Pricer:
    """Finds panels whose weight beats a threshold: LP relaxation first, integer program if needed.

    If the LP relaxation's optimum is not above the threshold, no panel is (a proof, no integer
    program needed); if it is integral, it is the best panel. Each improving panel comes with its
    improving one-swap neighbours, so column generation needs far fewer rounds.
    """

    def __init__(self, inst: Instance, swaps_per_panel: int = 10) -> None:
        self.oracle = PanelOracle(inst)
        self.swaps = SwapNeighbourhood(inst)
        self.greedy = GreedyPanels(inst)
        self.limit = swaps_per_panel
        n = len(inst.classes)
        self.n = n
        lp = new_solver()
        add_cols(lp, [0.0] * n, [0.0] * n, [float(c.upper) for c in inst.classes])
        add_panel_rows(lp, inst)
        lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.lp = lp
        self.lp_calls = 0
        self.sub_calls = 0

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
            if n > SUBMIP_ABOVE:
                # A heuristic first: the integer program over the LP's support and the heaviest
                # classes only (fast); the full one only if that finds nothing good enough.
                top = np.lexsort((np.arange(n), -w))[: SUBMIP_EXTRA * self.oracle.inst.k]
                only = np.union1d(np.flatnonzero(xf > 1e-9), top).astype(np.int64)
                found = self.oracle.best(weights, only)
                self.sub_calls += 1
                if found is not None and found[0] > threshold:
                    return bound, found[1]
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
