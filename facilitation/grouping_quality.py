"""Measuring grouping suggestions against a gold theme per note (bench and regression test).

``evaluate`` draws ``examples_per_theme`` example notes per theme many times (seeded), ranks
the themes for the remaining notes and reports mean top-1 and top-3 accuracy; it also clusters
all notes at the true number of themes and reports the adjusted Rand index. The same figures
are computed for a plain character TF-IDF nearest-centroid / k-means baseline.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from facilitation.grouping import Note, Settings, Theme, cluster_notes, rank_themes


@dataclass(frozen=True)
class GoldNote:
    id: str
    text: str
    theme: str


@dataclass(frozen=True)
class Quality:
    top1: float
    top3: float
    ari: float


def adjusted_rand_index(a: Sequence[object], b: Sequence[object]) -> float:
    """Hubert–Arabie adjusted Rand index of two labellings of the same items."""
    n = len(a)
    if n < 2:
        return 1.0
    pairs = Counter(zip(a, b, strict=True))

    def comb(x: int) -> float:
        return x * (x - 1) / 2

    index = sum(comb(c) for c in pairs.values())
    sum_a = sum(comb(c) for c in Counter(a).values())
    sum_b = sum(comb(c) for c in Counter(b).values())
    expected = sum_a * sum_b / comb(n)
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return float((index - expected) / (maximum - expected))


def draws(
    notes: Sequence[GoldNote], per_theme: int, count: int, seed: int = 0
) -> list[tuple[dict[str, list[GoldNote]], list[GoldNote]]]:
    """``count`` seeded draws of (examples by theme, remaining notes). Themes with no more
    than ``per_theme`` notes keep all but one note as examples."""
    by_theme: dict[str, list[GoldNote]] = {}
    for n in notes:
        by_theme.setdefault(n.theme, []).append(n)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        examples: dict[str, list[GoldNote]] = {}
        chosen: set[str] = set()
        for theme in sorted(by_theme):
            members = by_theme[theme]
            take = min(per_theme, max(1, len(members) - 1))
            picks = rng.choice(len(members), size=take, replace=False)
            examples[theme] = [members[i] for i in sorted(picks)]
            chosen.update(members[i].id for i in picks)
        out.append((examples, [n for n in notes if n.id not in chosen]))
    return out


Ranker = Callable[[dict[str, list[GoldNote]], list[GoldNote]], list[list[str]]]
Clusterer = Callable[[list[GoldNote], int], list[int]]


def engine_ranker(settings: Settings | None = None) -> Ranker:
    """A ranker that asks samling's grouping engine (``rank_themes``)."""

    def rank(examples: dict[str, list[GoldNote]], rest: list[GoldNote]) -> list[list[str]]:
        themes = [Theme(name, tuple(e.text for e in ex)) for name, ex in examples.items()]
        ranked = rank_themes(themes, [Note(n.id, n.text) for n in rest], settings)
        return [[name for name, _ in r.themes] for r in ranked]

    return rank


def engine_clusterer(settings: Settings | None = None) -> Clusterer:
    """A clusterer that asks samling's grouping engine (``cluster_notes``)."""

    def cluster(notes: list[GoldNote], k: int) -> list[int]:
        clusters = cluster_notes([Note(n.id, n.text) for n in notes], k, settings)
        where = {i: ci for ci, c in enumerate(clusters) for i in c.note_ids}
        return [where[n.id] for n in notes]

    return cluster


# ------------------------------------------------------------------ character baseline


def _char_tfidf(texts: Sequence[str]) -> np.ndarray:
    grams = []
    for t in texts:
        c: Counter[str] = Counter()
        for w in t.lower().split():
            p = f" {w} "
            for n in range(2, 6):
                c.update(p[i : i + n] for i in range(len(p) - n + 1))
        grams.append(c)
    df = Counter(g for c in grams for g in c)
    vocab = {g: i for i, g in enumerate(sorted(df))}
    m = np.zeros((len(texts), len(vocab)))
    for r, c in enumerate(grams):
        for g, tf in c.items():
            m[r, vocab[g]] = tf * (math.log((1 + len(texts)) / (1 + df[g])) + 1)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms > 0, norms, 1)


def baseline_ranker(examples: dict[str, list[GoldNote]], rest: list[GoldNote]) -> list[list[str]]:
    """Character 2–5-gram TF-IDF (fitted on the notes in play), nearest centroid."""
    names = list(examples)
    ex = [e for name in names for e in examples[name]]
    m = _char_tfidf([e.text for e in ex] + [n.text for n in rest])
    ex_m, rest_m = m[: len(ex)], m[len(ex) :]
    cents, start = [], 0
    for name in names:
        cents.append(ex_m[start : start + len(examples[name])].mean(axis=0))
        start += len(examples[name])
    sims = rest_m @ np.array(cents).T
    return [[names[j] for j in np.argsort(-row, kind="stable")] for row in sims]


def baseline_clusterer(notes: list[GoldNote], k: int) -> list[int]:
    """The baseline: k-means on plain character 2–5-gram TF-IDF vectors."""
    from facilitation.grouping import _kmeans

    m = _char_tfidf([n.text for n in notes])
    return [int(x) for x in _kmeans(m, k, 10, 0)]


# ------------------------------------------------------------------------- evaluation


def evaluate(
    notes: Sequence[GoldNote],
    ranker: Ranker,
    clusterer: Clusterer,
    per_theme: int = 3,
    count: int = 200,
    seed: int = 0,
) -> Quality:
    """Top-1 / top-3 of a ranker over seeded draws of examples per theme, and the adjusted
    Rand index of a clusterer against the true themes (benchmark figures, docs/benchmarks.md)."""
    top1 = top3 = total = 0
    for examples, rest in draws(notes, per_theme, count, seed):
        for note, ranked in zip(rest, ranker(examples, rest), strict=True):
            total += 1
            top1 += ranked[0] == note.theme
            top3 += note.theme in ranked[:3]
    k = len({n.theme for n in notes})
    labels = clusterer(list(notes), k)
    ari = adjusted_rand_index([n.theme for n in notes], labels)
    return Quality(top1 / total, top3 / total, ari)
