"""Seatings without any repeat from finite-field (affine) designs, as a start for the search.

With T tables, T a prime power q, and at most q people per table: put person k at the point
(x, y) = (k mod q, k div q) and seat them in round e at table x + e·y, arithmetic in GF(q).
Two people in different columns y meet in exactly one of the q rounds, two in the same column
never, so up to q rounds have no repeated pair at all. Filling the columns from people sorted
by their balanced attributes gives every table one person from each slice of that order, a
stratified sample of the room.
"""

from __future__ import annotations

import itertools

import numpy as np

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
        if all(_remainder(poly, list(d) + [1], p) for deg in range(1, k // 2 + 1)
               for d in itertools.product(range(p), repeat=deg)):
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


def affine_start(inst: Instance, rounds: int) -> IntArray | None:
    """Up to ``min(rounds, T)`` rounds without repeats (rows: rounds, columns: people), or None.

    Needs T a prime power, at most T people per table, and no hard constraints (the design
    would ignore them).
    """
    q = inst.tables
    n = inst.n
    if prime_power(q) is None or int(inst.sizes.max()) > q or rounds < 1:
        return None
    if (inst.fixed >= 0).any() or inst.groups or inst.apart.any():
        return None
    keys = [a.codes for a in sorted(inst.attributes, key=lambda a: -a.weight)]
    order = np.lexsort(keys[::-1]) if keys else np.arange(n)
    add, mul = field_tables(q)
    slot = np.empty(n, dtype=np.int64)
    slot[order] = np.arange(n)
    x, y = slot % q, slot // q
    used = min(rounds, q)
    tabs = np.zeros((used, n), dtype=np.int64)
    want = np.argsort(-inst.sizes, kind="stable")  # table indices, largest first
    for e in range(used):
        raw = add[x, mul[e, y]]
        counts = np.bincount(raw, minlength=q)
        have = np.argsort(-counts, kind="stable")
        relabel = np.empty(q, dtype=np.int64)
        relabel[have] = want
        tabs[e] = relabel[raw]
    return tabs
