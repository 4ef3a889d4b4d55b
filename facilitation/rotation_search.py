"""Whole-horizon seating search: a greedy start, then tabu search over swaps of two people.

The objective, lowest first, is a sum of

* per pair of people, f(c) for c = times they sit together (history + every planned round),
  with f(0) = f(1) = 0, f(2) = 1 and each further meeting costing ``pair_weight`` times the
  previous step: one pair meeting three times outweighs ``pair_weight`` − 1 pairs meeting
  twice, so the search first lowers the most any pair meets, then Σ repeats (≈ Σ c²);
* per (round, table, balanced attribute value), priority × ``balance_scale`` × the number of
  people by which the table's count lies outside its band.

Pairs that the constraints force together are left out. Hard constraints are never broken:
fixed people and keep-together groups never move after the start, and swaps that would seat a
keep-apart pair together are never considered (in the style of Dotú & Van Hentenryck's tabu
search for the social golfer problem, with a Triska & Musliu-style greedy start).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from facilitation.rotation_model import RotationError
from facilitation.rotation_setup import Attribute, Instance, IntArray

FloatArray = npt.NDArray[np.float64]


def marginal_costs(pair_weight: float, top: int) -> tuple[FloatArray, FloatArray]:
    """``up[c]`` = f(c+1) − f(c) and ``f[c]`` for c in 0..top (growth capped to stay exact)."""
    up = np.zeros(top + 2)
    for c in range(1, top + 2):
        up[c] = pair_weight ** min(c - 1, 4) * (1 + max(0, c - 5))
    f = np.concatenate(([0.0], np.cumsum(up)))[: top + 3]
    return up, f


def _penalty(cnt: IntArray, a: Attribute) -> FloatArray:
    penalty: FloatArray = (np.maximum(cnt - a.hi, 0) + np.maximum(a.lo - cnt, 0)).astype(np.float64)
    return penalty


class Search:
    """Mutable search state over ``rounds × n`` table indices; see the module docstring."""

    def __init__(
        self,
        inst: Instance,
        rng: np.random.Generator,
        rounds: int,
        pair_weight: float,
        balance_scale: float,
    ) -> None:
        self.inst = inst
        self.rng = rng
        self.R = rounds
        self.n = inst.n
        self.T = inst.tables
        top = int(inst.history.max(initial=0)) + rounds + 2
        self.up, self.f = marginal_costs(pair_weight, top)
        w = ~inst.forced
        np.fill_diagonal(w, False)
        self.W = w.astype(np.float64)
        self.apart = inst.apart.astype(np.float64) if inst.apart.any() else None
        self.movable = inst.movable
        self.attrs = inst.attributes
        self.weights = [a.weight * balance_scale for a in inst.attributes]
        self.tabs = np.zeros((rounds, self.n), dtype=np.int64)
        self.lower_bound = float((self.f[inst.history] * self.W).sum() / 2)
        self.iterations = 0
        self.tenure = (4, 12)
        self.stall = 2000
        self.kick = max(2, self.n // 20)  # random swaps when restarting from the best
        # Repairs of one round: each person's table before the repair (-1: new), and the cost
        # of seating someone elsewhere, far above any encounter or balance gain.
        self.home: IntArray | None = None
        self.home_weight = 1e9
        # (round, person) rows scored per step: all of them at 36 people, a sample at 200.
        self.max_candidates = max(32, 6000 // max(self.n, 1))

    # ----------------------------------------------------------------- state bookkeeping
    def load(self, tabs: IntArray) -> None:
        """Set the seating and recompute every derived array and the cost from scratch."""
        self.tabs = tabs.copy()
        c = self.inst.history.copy()
        for row in self.tabs:
            c += row[:, None] == row[None, :]
        np.fill_diagonal(c, 0)
        self.C = c
        self.UP = self.up[c] * self.W
        self.DN = -self.up[np.maximum(c - 1, 0)] * self.W
        onehot = np.zeros((self.R, self.n, self.T))
        for r in range(self.R):
            onehot[r, np.arange(self.n), self.tabs[r]] = 1.0
        # G[r, i, t]: cost added if i joined table t of round r; GD: cost saved if i left it.
        self.G = np.matmul(self.UP, onehot)
        self.GD = np.matmul(self.DN, onehot)
        self.KG = np.matmul(self.apart, onehot) if self.apart is not None else None
        self.cnt: list[IntArray] = []
        bal = 0.0
        for a, w in zip(self.attrs, self.weights, strict=True):
            cnt = np.zeros((self.R, self.T, len(a.labels)), dtype=np.int64)
            for r in range(self.R):
                np.add.at(cnt[r], (self.tabs[r], a.codes), 1)
            self.cnt.append(cnt)
            bal += w * float(_penalty(cnt, a).sum())
        self.cost = float((self.f[c] * self.W).sum() / 2) + bal

    def swap(self, r: int, i: int, j: int) -> None:
        """Exchange the tables of people i and j in round r, updating the derived arrays."""
        row = self.tabs[r]
        a, b = int(row[i]), int(row[j])
        in_a = np.flatnonzero(row == a)
        in_b = np.flatnonzero(row == b)
        in_a = in_a[in_a != i]
        in_b = in_b[in_b != j]
        for p, old, new in ((i, in_a, in_b), (j, in_b, in_a)):
            self.C[p, old] -= 1
            self.C[old, p] -= 1
            self.C[p, new] += 1
            self.C[new, p] += 1
        cols = np.concatenate((in_a, in_b))
        ps = np.repeat(np.asarray([i, j]), cols.size)  # the changed pairs (ps[k], ys[k])
        ys = np.tile(cols, 2)
        cp = self.C[ps, ys]
        w = self.W[ps, ys]
        new_up = self.up[cp] * w
        new_dn = -self.up[np.maximum(cp - 1, 0)] * w
        d_up = new_up - self.UP[ps, ys]
        d_dn = new_dn - self.DN[ps, ys]
        self.UP[ps, ys] = self.UP[ys, ps] = new_up
        self.DN[ps, ys] = self.DN[ys, ps] = new_dn
        # Pair (p, y) changed: p's cost towards y's table and y's towards p's, every round.
        rr = np.repeat(np.arange(self.R), ps.size)
        p_all, y_all = np.tile(ps, self.R), np.tile(ys, self.R)
        t_y, t_p = self.tabs[:, ys].ravel(), self.tabs[:, ps].ravel()
        for agg, delta in ((self.G, np.tile(d_up, self.R)), (self.GD, np.tile(d_dn, self.R))):
            np.add.at(agg, (rr, p_all, t_y), delta)
            np.add.at(agg, (rr, y_all, t_p), delta)
        for mat, agg in ((self.UP, self.G), (self.DN, self.GD)):
            agg[r, :, a] += mat[:, j] - mat[:, i]
            agg[r, :, b] += mat[:, i] - mat[:, j]
        if self.KG is not None and self.apart is not None:
            self.KG[r, :, a] += self.apart[:, j] - self.apart[:, i]
            self.KG[r, :, b] += self.apart[:, i] - self.apart[:, j]
        row[i], row[j] = b, a
        for attr, cnt in zip(self.attrs, self.cnt, strict=True):
            vi, vj = attr.codes[i], attr.codes[j]
            if vi != vj:
                cnt[r, a, vi] -= 1
                cnt[r, a, vj] += 1
                cnt[r, b, vj] -= 1
                cnt[r, b, vi] += 1

    # ----------------------------------------------------------------- greedy start
    def construct(self, first_round: int = 0) -> None:
        """Seat rounds ``first_round``.. one after another, each person where it costs least.

        Rounds before ``first_round`` are kept; their encounters count for the later ones.
        """
        inst = self.inst
        base = self.tabs[:first_round].copy()
        c = inst.history.copy()
        for row in base:
            c += row[:, None] == row[None, :]
        np.fill_diagonal(c, 0)
        for r in range(first_round, self.R):
            row = self._construct_round_retrying(self.up[c] * self.W)
            self.tabs[r] = row
            c += row[:, None] == row[None, :]
            np.fill_diagonal(c, 0)
        self.load(self.tabs)

    def _construct_round_retrying(self, up: FloatArray, attempts: int = 30) -> IntArray:
        """`_construct_round`, retried in other random orders when the constraints bite.

        After the first failure groups go to random tables with room, costs ignored, so a
        seating that keeps every hard constraint is usually found when one exists.
        """
        for attempt in range(attempts):
            try:
                return self._construct_round(up, feasibility_first=attempt > 0)
            except RotationError:
                if attempt == attempts - 1:
                    raise
        raise AssertionError("unreachable")

    def _construct_round(self, up: FloatArray, feasibility_first: bool = False) -> IntArray:
        inst, rng, n, t_count = self.inst, self.rng, self.n, self.T
        row = np.full(n, -1, dtype=np.int64)
        room = inst.sizes.copy()
        g = np.zeros((n, t_count))
        apart = np.zeros((n, t_count)) if self.apart is not None else None
        cnts = [np.zeros((t_count, len(a.labels)), dtype=np.int64) for a in self.attrs]

        def place(p: int, t: int) -> None:
            row[p] = t
            room[t] -= 1
            g[:, t] += up[:, p]
            if apart is not None and self.apart is not None:
                apart[:, t] += self.apart[:, p]
            for a, cnt in zip(self.attrs, cnts, strict=True):
                cnt[t, a.codes[p]] += 1

        def unplace(p: int) -> None:
            t = int(row[p])
            row[p] = -1
            room[t] += 1
            g[:, t] -= up[:, p]
            if apart is not None and self.apart is not None:
                apart[:, t] -= self.apart[:, p]
            for a, cnt in zip(self.attrs, cnts, strict=True):
                cnt[t, a.codes[p]] -= 1

        def balance_cost(people: list[int]) -> FloatArray:
            cost = np.zeros(t_count)
            for a, w, cnt in zip(self.attrs, self.weights, cnts, strict=True):
                for p in people:
                    v = a.codes[p]
                    col = cnt[:, v]
                    cost += w * ((col + 1 > a.hi[:, v]) - 0.5 * (col < a.lo[:, v]))
            return cost

        for pinned in np.flatnonzero(inst.fixed >= 0):
            place(int(pinned), int(inst.fixed[pinned]))
        free_groups = [grp for grp in inst.groups if inst.fixed[grp[0]] < 0]
        free_groups.sort(key=len, reverse=True)
        for grp in free_groups:
            score = g[grp].sum(0) + balance_cost(grp) + rng.random(t_count) * 1e-3
            if feasibility_first:
                score = rng.random(t_count)
            ok = room >= len(grp)
            if apart is not None:
                ok &= apart[grp].sum(0) == 0
            if not ok.any():
                names = ", ".join(repr(inst.ids[p]) for p in grp)
                raise RotationError(f"no table has room for keep_together group ({names})")
            for member in grp:
                place(int(member), int(np.argmin(np.where(ok, score, np.inf))))
        singles = np.flatnonzero(row < 0)
        singles = singles[rng.permutation(len(singles))]
        if self.apart is not None:
            singles = singles[np.argsort(-self.apart[singles].sum(1), kind="stable")]
        for single in singles:
            p = int(single)
            score = g[p] + balance_cost([p]) + rng.random(t_count) * 1e-3
            if feasibility_first:
                score = rng.random(t_count)
            ok = room > 0
            if apart is not None:
                ok &= apart[p] == 0
            if not ok.any():
                q, t, u = self._unblock(p, row, room)
                unplace(q)
                place(q, t)
                place(p, u)
                continue
            place(p, int(np.argmin(np.where(ok, score, np.inf))))
        return row

    def _unblock(self, p: int, row: IntArray, room: IntArray) -> tuple[int, int, int]:
        """For p, whose keep-apart partners fill every open table: who moves where, p's seat."""
        assert self.apart is not None
        inst = self.inst
        partners = self.apart[p] > 0
        for t in np.flatnonzero(room > 0):
            for q in np.flatnonzero((row >= 0) & self.movable):
                u = int(row[q])
                if u == t or self.apart[q][row == t].any():
                    continue
                at_u = (row == u) & (np.arange(self.n) != q)
                if not partners[at_u].any():
                    return int(q), int(t), u
        names = ", ".join(repr(inst.ids[q]) for q in np.flatnonzero(partners))
        raise RotationError(
            f"cannot seat {inst.ids[p]!r} away from every keep_apart partner ({names})"
        )

    # ----------------------------------------------------------------- tabu search
    def improve(self, iterations: int, stop: Callable[[], bool], stall: int = 0) -> None:
        """Tabu search over all rounds; ends on the best seating found."""
        rng, n, t_count = self.rng, self.n, self.T
        best_cost, best_tabs = self.cost, self.tabs.copy()
        tabu = np.zeros((self.R, n, t_count), dtype=np.int64)
        stall = stall or self.stall
        since_best = 0
        for it in range(1, iterations + 1):
            if best_cost <= self.lower_bound + 1e-9 or (it % 4 == 0 and stop()):
                break
            self.iterations += 1
            if since_best > stall:
                self.load(best_tabs)
                self._perturb(self.kick)
                tabu[:] = 0
                since_best = 0
            move = self._best_swap(it, tabu, best_cost)
            if move is None:
                break
            r, i, j, delta = move
            a, b = int(self.tabs[r, i]), int(self.tabs[r, j])
            self.swap(r, i, j)
            self.cost += delta
            tenure = int(rng.integers(self.tenure[0], self.tenure[1] + 1))
            tabu[r, i, a] = it + tenure
            tabu[r, j, b] = it + tenure
            if self.cost < best_cost - 1e-9:
                best_cost, best_tabs = self.cost, self.tabs.copy()
                since_best = 0
            else:
                since_best += 1
        self.load(best_tabs)

    def _best_swap(
        self, it: int, tabu: IntArray, best_cost: float
    ) -> tuple[int, int, int, float] | None:
        n, tabs = self.n, self.tabs
        lv = self.GD[np.arange(self.R)[:, None], np.arange(self.n)[None, :], tabs]  # (R, n)
        conflict = lv < 0
        pens = []
        if self.attrs:
            miss_t = np.zeros((self.R, self.T), dtype=bool)
            for a, cnt in zip(self.attrs, self.cnt, strict=True):
                pen = _penalty(cnt, a)
                miss_t |= pen.sum(2) > 0
                pens.append(pen)
            conflict |= miss_t[np.arange(self.R)[:, None], tabs]
        conflict &= self.movable[None, :]
        rk, ik = np.nonzero(conflict)
        if rk.size == 0:
            return None
        if rk.size > self.max_candidates:
            pick = self.rng.choice(rk.size, self.max_candidates, replace=False)
            rk, ik = rk[pick], ik[pick]
        tj = tabs[rk]  # (K, n)
        kk = np.arange(rk.size)[:, None]
        ti = tabs[rk, ik]  # (K,)
        d = lv[rk, ik][:, None] + lv[rk]
        d += self.G[rk, ik][kk, tj]
        d += self.G[rk, :, ti]
        d -= 2 * self.UP[ik]
        rows = np.arange(self.R)[:, None]
        for a, w, cnt, pen in zip(self.attrs, self.weights, self.cnt, pens, strict=True):
            dec = _penalty(cnt - 1, a) - pen  # (R, T, K): one person of value k leaves t
            inc = _penalty(cnt + 1, a) - pen  # one arrives
            v = a.codes
            vi = v[ik]
            db = (dec[rk, ti, vi][:, None] + inc[rk, ti][:, v]) + dec[rows, tabs, v][rk]
            db += inc[rk, :, vi][kk, tj]
            db *= vi[:, None] != v[None, :]
            d += w * db
        if self.home is not None:  # repairs: every person off their table costs home_weight
            h_i = self.home[ik][:, None]  # i goes from ti to tj, j from tj to ti
            h_j = self.home[None, :]
            moved = ((tj != h_i).astype(np.float64) - (ti[:, None] != h_i)) * (h_i >= 0)
            moved += ((ti[:, None] != h_j).astype(np.float64) - (tj != h_j)) * (h_j >= 0)
            d += self.home_weight * moved
        bad = (tj == ti[:, None]) | ~self.movable[None, :]
        if self.KG is not None and self.apart is not None:
            ap = self.apart[ik]
            bad |= self.KG[rk, ik][kk, tj] - ap > 0
            bad |= self.KG[rk, :, ti] - ap > 0
        is_tabu = tabu[rk, ik][kk, tj] > it
        is_tabu |= tabu[rk, :, ti] > it
        is_tabu &= self.cost + d >= best_cost - 1e-9
        bad |= is_tabu
        noisy = np.where(bad, np.inf, d + self.rng.random(d.shape) * 1e-4)
        k = int(np.argmin(noisy))
        x, y = divmod(k, n)
        if not np.isfinite(noisy[x, y]):
            return None
        return int(rk[x]), int(ik[x]), y, float(d[x, y])

    def _perturb(self, swaps: int) -> None:
        """Random valid swaps of movable people, to leave a basin the tabu search is stuck in."""
        movable = np.flatnonzero(self.movable)
        if movable.size < 2:
            return
        for _ in range(swaps):
            r = int(self.rng.integers(self.R))
            i, j = (int(x) for x in self.rng.choice(movable, 2, replace=False))
            row = self.tabs[r]
            if row[i] == row[j]:
                continue
            if self.apart is not None:
                a_mates = (row == row[i]) & (np.arange(self.n) != i)
                b_mates = (row == row[j]) & (np.arange(self.n) != j)
                if self.apart[i][b_mates].any() or self.apart[j][a_mates].any():
                    continue
            row[i], row[j] = row[j], row[i]
        self.load(self.tabs)
