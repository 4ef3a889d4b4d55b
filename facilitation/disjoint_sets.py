"""Disjoint sets (union-find) over 0..n-1: people who must share, or be kept apart by, a column."""

from __future__ import annotations


class DisjointSets:
    """Union-find with path halving; ``root`` names each set by one of its members."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def root(self, i: int) -> int:
        """The representative of ``i``'s set (with path halving)."""
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        """Put ``i`` in ``j``'s set."""
        self.parent[self.root(i)] = self.root(j)
