"""Seatings without any repeat from designs, as a start for the search.

With T tables and at most T people per table, put person k at (x, y) = (k mod T, k div T)
and seat them in round e at table x + M[e][y]. Each column y then spreads over all tables, so
sizes stay within one, and people of one column never meet. Two people of columns y1 ≠ y2
meet in round e when x2 − x1 = M[e][y1] − M[e][y2]; if for every two rounds the differences
M[e][y] − M[f][y] are distinct over y, no pair meets twice. When T is a prime power q,
M[e][y] = e·y in GF(q) does this for up to q rounds (an affine plane); otherwise a short
backtracking search over Z_T finds as many rounds as it can (8 for 15 tables of 8, say).
Filling the columns from people sorted by their balanced attributes gives every table one
person from each slice of that order, a stratified sample of the room.
"""

from __future__ import annotations

import itertools

import numpy as np

from facilitation.disjoint_sets import DisjointSets
from facilitation.rotation_setup import Instance, IntArray


def prime_power(q: int) -> tuple[int, int] | None:
    """(p, k) with p prime and p**k == q, or None."""
    if q < 2:
        return None
    p = next(d for d in range(2, q + 1) if q % d == 0)
    k, rest = 0, q
    while rest % p == 0:
        rest //= p
        k += 1
    return (p, k) if rest == 1 else None


def _polymulmod(a: list[int], b: list[int], mod: list[int], p: int) -> list[int]:
    """Product of coefficient lists (lowest degree first) modulo the monic ``mod`` over GF(p)."""
    k = len(mod) - 1
    out = [0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] = (out[i + j] + x * y) % p
    for d in range(len(out) - 1, k - 1, -1):
        c = out[d]
        if c:
            for i in range(k + 1):
                out[d - k + i] = (out[d - k + i] - c * mod[i]) % p
    return (out + [0] * k)[:k]


def _irreducible(p: int, k: int) -> list[int]:
    """A monic irreducible polynomial of degree k over GF(p), found by trying them in order."""
    for tail in itertools.product(range(p), repeat=k):
        poly = list(tail) + [1]
        if poly[0] == 0:
            continue
        if all(
            _remainder(poly, list(d) + [1], p)
            for deg in range(1, k // 2 + 1)
            for d in itertools.product(range(p), repeat=deg)
        ):
            return poly
    raise AssertionError("an irreducible polynomial always exists")


def _remainder(a: list[int], m: list[int], p: int) -> bool:
    """Whether monic m leaves a non-zero remainder dividing a over GF(p)."""
    a = a[:]
    k = len(m) - 1
    for d in range(len(a) - 1, k - 1, -1):
        c = a[d]
        if c:
            for i in range(k + 1):
                a[d - k + i] = (a[d - k + i] - c * m[i]) % p
    return any(a[:k])


def field_tables(q: int) -> tuple[IntArray, IntArray]:
    """Addition and multiplication tables of GF(q), elements numbered 0..q−1 (0 is zero)."""
    pk = prime_power(q)
    if pk is None:
        raise ValueError(f"{q} is not a prime power")
    p, k = pk
    elems = [list(e) for e in itertools.product(range(p), repeat=k)]
    elems = [e[::-1] for e in elems]  # lowest degree first; element 0 is the zero polynomial
    index = {tuple(e): i for i, e in enumerate(elems)}
    mod = _irreducible(p, k) if k > 1 else [0, 1]
    add = np.zeros((q, q), dtype=np.int64)
    mul = np.zeros((q, q), dtype=np.int64)
    for i, a in enumerate(elems):
        for j, b in enumerate(elems):
            add[i, j] = index[tuple((x + y) % p for x, y in zip(a, b, strict=True))]
            if k == 1:
                mul[i, j] = (a[0] * b[0]) % p
            else:
                mul[i, j] = index[tuple(_polymulmod(a, b, mod, p))]
    return add, mul


def difference_rows(
    t_count: int,
    columns: int,
    rounds: int,
    rng: np.random.Generator,
    budget: int = 4000,
    attempts: int = 25,
) -> IntArray:
    """Rows M[e] over Z_T (e < ``rounds``) whose pairwise differences are distinct over y.

    Row by row, each by backtracking over columns within ``budget`` search nodes; a row that
    cannot be completed ends the attempt. The longest of up to ``attempts`` attempts is kept,
    so it may return fewer rows than asked.
    """
    best: list[IntArray] = []
    for _ in range(attempts):
        rows = [np.zeros(columns, dtype=np.int64)]
        nodes = [budget]
        while len(rows) < rounds:
            row = np.zeros(columns, dtype=np.int64)
            used: list[set[int]] = [{0} for _ in rows]
            if not _extend(rows, used, row, 1, t_count, rng, nodes):
                break
            rows.append(row)
        if len(rows) > len(best):
            best = rows
        if len(best) >= rounds:
            break
    return np.asarray(best)


def _extend(
    rows: list[IntArray],
    used: list[set[int]],
    row: IntArray,
    y: int,
    t_count: int,
    rng: np.random.Generator,
    nodes: list[int],
) -> bool:
    """Fill ``row[y:]`` keeping its differences to every earlier row distinct (backtracking)."""
    if y == len(row):
        return True
    nodes[0] -= 1
    if nodes[0] < 0:
        return False
    for v in rng.permutation(t_count):
        diffs = [int(v - p[y]) % t_count for p in rows]
        if any(d in u for d, u in zip(diffs, used, strict=True)):
            continue
        for d, u in zip(diffs, used, strict=True):
            u.add(d)
        row[y] = v
        if _extend(rows, used, row, y + 1, t_count, rng, nodes):
            return True
        for d, u in zip(diffs, used, strict=True):
            u.discard(d)
    return False


def affine_start(inst: Instance, rounds: int, rng: np.random.Generator) -> IntArray | None:
    """Rounds without any repeat (rows: rounds, columns: people), as many as found, or None.

    Needs at most T people per table and no keep-together group (its members must meet
    every round). Keep-apart pairs are put in one column, so they never meet; people fixed to
    a table (at most one per table) share a column too, and each round's tables are numbered
    so that they sit at theirs. Returns None when that cannot be arranged.
    """
    q = inst.tables
    n = inst.n
    width = int(inst.sizes.max())
    if width > q or rounds < 1 or q < 2 or inst.groups:
        return None
    keys = [a.codes for a in sorted(inst.attributes, key=lambda a: -a.weight)]
    order = _column_order(inst, np.lexsort(keys[::-1]) if keys else np.arange(n), q, width)
    if order is None:
        return None
    slot = np.empty(n, dtype=np.int64)
    slot[order] = np.arange(n)
    x, y = slot % q, slot // q
    if prime_power(q) is not None:
        add, mul = field_tables(q)
        used = min(rounds, q)
        shifts = mul[:used, :width]
    else:
        add = (np.arange(q)[:, None] + np.arange(q)[None, :]) % q
        shifts = difference_rows(q, width, rounds, rng)
        used = len(shifts)
    tabs = np.zeros((used, n), dtype=np.int64)
    fixed = np.flatnonzero(inst.fixed >= 0)
    for e in range(used):
        raw = add[x, shifts[e, y]]
        counts = np.bincount(raw, minlength=q)
        relabel = np.full(q, -1, dtype=np.int64)
        for p in fixed:
            if counts[raw[p]] != inst.sizes[inst.fixed[p]]:
                return None
            relabel[raw[p]] = inst.fixed[p]
        free_raw = np.flatnonzero(relabel < 0)
        free_tables = np.setdiff1d(np.arange(q), inst.fixed[fixed])
        have = free_raw[np.argsort(-counts[free_raw], kind="stable")]
        want = free_tables[np.argsort(-inst.sizes[free_tables], kind="stable")]
        relabel[have] = want
        tabs[e] = relabel[raw]
    return tabs


def _column_order(inst: Instance, order: IntArray, q: int, width: int) -> IntArray | None:
    """``order`` rearranged so that keep-apart pairs and fixed people share a column."""
    n = inst.n
    fixed = np.flatnonzero(inst.fixed >= 0)
    if len(set(inst.fixed[fixed].tolist())) < len(fixed):
        return None  # two people fixed to one table would never meet in a design
    if not fixed.size and not inst.apart.any():
        return order
    sets = DisjointSets(n)
    for i, j in zip(*np.nonzero(np.triu(inst.apart, 1)), strict=True):
        sets.union(int(i), int(j))
    for p in fixed[1:]:
        sets.union(int(p), int(fixed[0]))
    clusters: dict[int, list[int]] = {}
    for i in order:
        clusters.setdefault(sets.root(int(i)), []).append(int(i))
    tied = sorted((c for c in clusters.values() if len(c) > 1), key=len, reverse=True)
    caps = [q] * (width - 1) + [n - q * (width - 1)]
    columns: list[list[int]] = [[] for _ in caps]
    for cluster in tied:
        room = [cap - len(col) for cap, col in zip(caps, columns, strict=True)]
        y = int(np.argmax(room))
        if room[y] < len(cluster):
            return None
        columns[y].extend(cluster)
    placed = {i for c in tied for i in c}
    rest = iter(int(i) for i in order if int(i) not in placed)
    for cap, col in zip(caps, columns, strict=True):
        while len(col) < cap:
            col.append(next(rest))
    return np.asarray([i for col in columns for i in col], dtype=np.int64)
