"""Grouping suggestions: cluster notes into themes, and rank existing themes for new notes.

Pure and offline: no network, no clock, no global randomness; the same input gives the same
output. The software only suggests; people decide every grouping.

API (what the theme board uses)::

    cluster_notes(notes, k) -> list[Cluster]        # Cluster(label, note_ids)
    rank_themes(themes, notes) -> list[Ranking]     # Ranking(note_id, themes=((name, score), ...))

``notes`` are ``Note(id, text)``; ``themes`` are ``Theme(name, examples)`` where ``examples``
are the texts (or Notes) already placed in the theme. Scores lie in [0, 1] and sum to 1 per
note (a softmax over the themes), best first. See ``docs/contracts/group.md``.

How (see ``grouping_vectors`` for the features): notes are turned into weighted word-stem,
stem-pair, character n-gram and policy-domain TF-IDF vectors, the language guessed from
stop words. *Assign* scores a note against each theme by mixing its cosine to the theme's
prototype (examples + theme name) with its mean cosine to the theme's closest examples, then
refines the prototypes with the unlabelled notes themselves (a few rounds of soft
self-training). *Cluster* builds a cosine graph of nearest neighbours, embeds it spectrally
and runs seeded k-means with several starts; each cluster is labelled by the surface words
most typical of it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from facilitation.grouping_concepts import domains_of
from facilitation.grouping_text import fold, guess_language
from facilitation.grouping_vectors import DEFAULT_WEIGHTS, Analysed, analyse, vectorise

__all__ = [
    "Cluster",
    "Note",
    "Ranking",
    "Settings",
    "Theme",
    "cluster_notes",
    "rank_themes",
]


@dataclass(frozen=True)
class Note:
    id: str
    text: str


@dataclass(frozen=True)
class Theme:
    """A theme and the notes already placed in it (texts or Notes; may be empty)."""

    name: str
    examples: tuple[str | Note, ...] = ()


@dataclass(frozen=True)
class Cluster:
    label: str
    note_ids: tuple[str, ...]


@dataclass(frozen=True)
class Ranking:
    note_id: str
    themes: tuple[tuple[str, float], ...]  # (theme name, score), best first


@dataclass(frozen=True)
class Settings:
    """Tuning knobs; the defaults are the ones measured in docs/benchmarks.md."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    name_weight: float = 1.0  # theme name counts as this many example notes
    prototype_mix: float = 0.8  # share of prototype cosine vs nearest-examples cosine
    nearest: int = 2  # examples averaged for the nearest-examples cosine
    self_training_rounds: int = 3
    self_training_weight: float = 0.5  # weight of unlabelled notes in refined prototypes
    prior_weight: float = 0.5  # 0: themes equally likely; 1: as frequent as they seem
    temperature: float = 0.05  # softmax temperature of the reported scores
    # Clustering has no examples to lean on, so topic (domain) features weigh more there.
    cluster_weights: dict[str, float] = field(
        default_factory=lambda: {**DEFAULT_WEIGHTS, "concept": 1.0}
    )
    graph_neighbours: int = 8  # per note in the clustering graph (capped by n - 1)
    cluster_sample: int = 300  # above this many distinct texts, cluster a seeded sample
    kmeans_starts: int = 10
    seed: int = 20261127
    language: str | None = None  # None: guess from the texts


def _text(example: str | Note) -> str:
    return example.text if isinstance(example, Note) else example


def _check_ids(notes: Sequence[Note]) -> None:
    seen: set[str] = set()
    for note in notes:
        if note.id in seen:
            raise ValueError(f"duplicate note id: {note.id!r}")
        seen.add(note.id)


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = (scores - scores.max(axis=1, keepdims=True)) / temperature
    e = np.exp(z)
    result: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return result


def _normalise(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    return m / np.where(norms > 0, norms, 1.0)


# ----------------------------------------------------------------------------- assign


def rank_themes(
    themes: Sequence[Theme], notes: Sequence[Note], settings: Settings | None = None
) -> list[Ranking]:
    """For each note (in input order), every theme with a score, best first.

    Theme names must be unique. A theme with no examples is scored from its name alone.
    The notes are ranked together: they also refine the themes (self-training) and set the
    word weights, so pass all of a phase's unplaced notes in one call, not one at a time.
    The result for a given (themes, notes) input is always the same.
    """
    s = settings or Settings()
    _check_ids(notes)
    names = [t.name for t in themes]
    if len(set(names)) != len(names):
        raise ValueError("theme names must be unique")
    if not notes:
        return []
    if not themes:
        return [Ranking(n.id, ()) for n in notes]
    example_texts = [[_text(e) for e in t.examples] for t in themes]
    all_texts = names + [x for xs in example_texts for x in xs] + [n.text for n in notes]
    language = s.language or guess_language(all_texts)
    vectors = vectorise([analyse(t, language) for t in all_texts], s.weights)
    k = len(themes)
    name_vec = vectors[:k]
    offset = k
    example_vecs = []
    for xs in example_texts:
        example_vecs.append(vectors[offset : offset + len(xs)])
        offset += len(xs)
    note_vecs = vectors[offset:]

    base = np.stack(
        [ev.sum(axis=0) + s.name_weight * name_vec[i] for i, ev in enumerate(example_vecs)]
    )
    counts = np.array([len(ev) + s.name_weight for ev in example_vecs], dtype=np.float32)
    counts = np.maximum(counts, 1e-6)  # a theme with neither examples nor name weight

    # Nearest-examples part: mean cosine to the theme's `nearest` closest examples (the
    # theme name stands in when a theme has fewer examples).
    near = np.zeros((len(notes), k), dtype=np.float32)
    for i, ev in enumerate(example_vecs):
        cand = np.vstack([ev, name_vec[i : i + 1]]) if len(ev) < s.nearest else ev
        sims = note_vecs @ cand.T
        m = min(s.nearest, sims.shape[1])
        near[:, i] = np.sort(sims, axis=1)[:, -m:].mean(axis=1)

    def score(prototypes: np.ndarray) -> np.ndarray:
        mixed: np.ndarray = (
            s.prototype_mix * (note_vecs @ prototypes.T) + (1 - s.prototype_mix) * near
        )
        return mixed

    prototypes = _normalise(base / counts[:, None])
    scores = score(prototypes)
    log_prior = np.zeros(k, dtype=np.float32)
    for _ in range(s.self_training_rounds):
        p = _softmax(scores + s.temperature * log_prior, s.temperature)
        pulled = p.T @ note_vecs  # k × d, soft sums of the unlabelled notes
        mass = p.sum(axis=0)
        refined = (base + s.self_training_weight * pulled) / (
            counts + s.self_training_weight * mass
        )[:, None]
        prototypes = _normalise(refined)
        scores = score(prototypes)
        if s.prior_weight > 0:
            share = np.maximum((mass + counts) / (mass.sum() + counts.sum()), 1e-6)
            log_prior = s.prior_weight * np.log(share * k).astype(np.float32)

    probs = _softmax(scores + s.temperature * log_prior, s.temperature)
    out = []
    for row, note in enumerate(notes):
        order = sorted(range(k), key=lambda j: (-probs[row, j], j))
        out.append(Ranking(note.id, tuple((names[j], float(probs[row, j])) for j in order)))
    return out


# ---------------------------------------------------------------------------- cluster


def _fill_empty(labels: np.ndarray, cost: np.ndarray, k: int) -> np.ndarray:
    """Give each empty cluster j the point cheapest to move there (``cost[i, j]``) from a
    cluster with more than one point, so k clusters stay k when there are k points."""
    labels = labels.copy()
    for j in range(k):
        if np.any(labels == j):
            continue
        sizes = np.bincount(labels, minlength=k)
        movable = np.flatnonzero(sizes[labels] > 1)
        if len(movable) == 0:
            break
        labels[movable[np.argmin(cost[movable, j])]] = j
    return labels


def _kmeans(points: np.ndarray, k: int, starts: int, seed: int) -> np.ndarray:
    """Lloyd's k-means with k-means++ starts from a private seeded generator; best of starts."""
    rng = np.random.default_rng(seed)
    n = len(points)
    best_labels = np.zeros(n, dtype=int)
    best_cost = np.inf
    for _ in range(starts):
        centres = [points[rng.integers(n)]]
        for _ in range(1, k):
            d2 = np.min(((points[:, None, :] - np.array(centres)[None]) ** 2).sum(-1), axis=1)
            total = d2.sum()
            if total <= 0:
                centres.append(points[rng.integers(n)])
            else:
                centres.append(points[rng.choice(n, p=d2 / total)])
        c = np.array(centres)
        labels = np.zeros(n, dtype=int)
        for _ in range(100):
            d2 = ((points[:, None, :] - c[None]) ** 2).sum(-1)
            new = d2.argmin(axis=1)
            if _ > 0 and np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                members = points[labels == j]
                if len(members):
                    c[j] = members.mean(axis=0)
        labels = _fill_empty(labels, ((points[:, None, :] - c[None]) ** 2).sum(-1), k)
        for j in range(k):
            if np.any(labels == j):
                c[j] = points[labels == j].mean(axis=0)
        cost = float(((points - c[labels]) ** 2).sum())
        if cost < best_cost - 1e-9:
            best_cost, best_labels = cost, labels.copy()
    return best_labels


def _spectral_embedding(vectors: np.ndarray, k: int, neighbours: int) -> np.ndarray:
    n = len(vectors)
    sims = np.clip(vectors @ vectors.T, 0.0, None).astype(np.float64)
    np.fill_diagonal(sims, 0.0)
    m = max(1, min(neighbours, n - 1))
    keep = np.argsort(-sims, axis=1, kind="stable")[:, :m]  # stable: ties by position
    graph = np.zeros_like(sims)
    rows = np.arange(n)[:, None]
    graph[rows, keep] = sims[rows, keep]
    graph = np.maximum(graph, graph.T) + 1e-6  # tiny floor keeps the graph connected
    np.fill_diagonal(graph, 0.0)
    degree = graph.sum(axis=1)
    inv = 1.0 / np.sqrt(degree)
    normalised = graph * inv[:, None] * inv[None, :]
    _, eigvecs = np.linalg.eigh(normalised)
    emb = eigvecs[:, -k:]
    return _normalise(emb)


def _cluster_vectors(vectors: np.ndarray, k: int, s: Settings) -> np.ndarray:
    """Spectral clustering; above ``cluster_sample`` texts, of a seeded sample, every text
    then joining the nearest cluster centre (three rounds, the later ones over all texts)."""
    m = len(vectors)
    if m <= s.cluster_sample:
        emb = _spectral_embedding(vectors, k, s.graph_neighbours)
        return _kmeans(emb, k, s.kmeans_starts, s.seed)
    rng = np.random.default_rng(s.seed)
    sample = np.sort(rng.choice(m, size=s.cluster_sample, replace=False))
    emb = _spectral_embedding(vectors[sample], k, s.graph_neighbours)
    labels = np.zeros(m, dtype=int)
    labels[sample] = _kmeans(emb, k, s.kmeans_starts, s.seed)
    members = sample
    for _ in range(3):
        centres = np.stack([vectors[members[labels[members] == j]].sum(axis=0) for j in range(k)])
        sims = np.dot(vectors, _normalise(centres).T)
        labels = _fill_empty(sims.argmax(axis=1), -sims, k)
        members = np.arange(m)
    return labels


def _labels_for(groups: list[list[int]], analysed: Sequence[Analysed]) -> list[str]:
    """Up to three surface words most typical of each group (frequent in it, rare outside)."""
    surface_counts: dict[str, Counter[str]] = defaultdict(Counter)
    for a in analysed:
        for stem, word in a.surfaces:
            surface_counts[stem][word.lower() if not word.isupper() else word] += 1

    def _surface(stem: str) -> str:
        return max(sorted(surface_counts[stem]), key=lambda w: surface_counts[stem][w])

    doc_stems = [set(a.blocks["word"]) for a in analysed]
    n = len(analysed)
    df = Counter(st for ds in doc_stems for st in ds)
    labels = []
    for members in groups:
        inside = Counter(st for i in members for st in doc_stems[i])
        ranked = []
        for stem, c in inside.items():
            share_in = c / len(members)
            share_out = (df[stem] - c) / max(1, n - len(members))
            score = share_in - share_out
            score *= 1 + 0.05 * min(len(stem), 8)  # longer words say more
            if domains_of(fold(_surface(stem))):
                score *= 1.5  # a topic word ("transport") reads better than "people"
            if c < 2 <= len(members):
                score -= 1.0  # a word from one note only is a last resort
            ranked.append((-score, stem))
        ranked.sort()
        chosen: list[str] = []
        seen_folded: set[str] = set()
        for _, stem in ranked:
            word = _surface(stem)
            if fold(word) in seen_folded:
                continue
            seen_folded.add(fold(word))
            chosen.append(word)
            if len(chosen) == 3:
                break
        labels.append(", ".join(chosen) if chosen else "(no words)")
    return labels


def cluster_notes(notes: Sequence[Note], k: int, settings: Settings | None = None) -> list[Cluster]:
    """Split the notes into at most ``k`` groups, each with a label from the notes' words.

    Notes with the same text (ignoring case and spacing) always share a group. Groups are
    listed largest first (ties: first note first); note ids keep the input order. With
    fewer distinct texts than ``k`` every distinct text gets its own group.
    """
    s = settings or Settings()
    if k < 1:
        raise ValueError("k must be at least 1")
    _check_ids(notes)
    if not notes:
        return []
    keys = [" ".join(fold(n.text).split()) for n in notes]
    distinct: dict[str, int] = {}
    for key in keys:
        distinct.setdefault(key, len(distinct))
    texts = [""] * len(distinct)
    for note, key in zip(notes, keys, strict=True):
        if not texts[distinct[key]]:
            texts[distinct[key]] = note.text
    language = s.language or guess_language(texts)
    analysed = [analyse(t, language) for t in texts]
    m = len(texts)
    if m <= k:
        labels_of_distinct = np.arange(m)
    else:
        labels_of_distinct = _cluster_vectors(vectorise(analysed, s.cluster_weights), k, s)
    groups_d: dict[int, list[int]] = defaultdict(list)
    for d, lab in enumerate(labels_of_distinct):
        groups_d[int(lab)].append(d)
    distinct_groups = sorted(groups_d.values(), key=lambda g: (-len(g), g[0]))
    names = _labels_for(distinct_groups, analysed)
    group_of = {d: gi for gi, g in enumerate(distinct_groups) for d in g}
    members: list[list[str]] = [[] for _ in distinct_groups]
    for note, key in zip(notes, keys, strict=True):
        members[group_of[distinct[key]]].append(note.id)
    clusters = [Cluster(names[i], tuple(ids)) for i, ids in enumerate(members)]
    return sorted(clusters, key=lambda c: -len(c.note_ids))
