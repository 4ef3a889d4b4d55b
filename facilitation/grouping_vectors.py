"""Turning notes into vectors for the grouping engine.

Each note becomes one L2-normalised row that concatenates four weighted blocks:

* word stems (Snowball, per language, stop words removed),
* pairs of adjacent content stems (catch "public transport", "heat pump"),
* character 3–5-grams of the accent-folded content words (compounds, spelling variants,
  inflections the stemmer misses),
* policy domains from ``grouping_concepts`` (related words that share no letters).

Inside a block a feature weighs (1 + ln tf) · idf, with idf from the notes in play; then the
block is normalised and scaled by the square root of its weight, so a dot product between two
rows is the weighted mean of the blocks' cosines. Features seen in one note only are kept in
the normalisation but get no column (they cannot make two notes alike); blocks wider than
``MAX_COLUMNS`` are folded by a stable hash, so 2,000 notes stay small and fast.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from facilitation.grouping_concepts import domains_of
from facilitation.grouping_text import char_ngrams, content_words

MAX_COLUMNS = 4096
IDF_FLOOR = 1.0  # smoothed idf = ln((1 + n) / (1 + df)) + IDF_FLOOR; lower floors measured worse

DEFAULT_WEIGHTS: dict[str, float] = {"word": 1.0, "pair": 0.3, "char": 1.0, "concept": 0.5}


@dataclass(frozen=True)
class Analysed:
    """One text after normalisation: its features per block and surface forms per stem."""

    blocks: dict[str, Counter[str]]
    surfaces: tuple[tuple[str, str], ...]  # (stem, surface word) in reading order


@lru_cache(maxsize=100_000)
def _grams(folded: str) -> tuple[str, ...]:
    return tuple(char_ngrams(folded))


def analyse(text: str, language: str) -> Analysed:
    """A note's words for matching: stemmed content words, word pairs and character n-grams."""
    content = content_words(text, language)
    stems = [s for _, _, s in content]
    word = Counter(stems)
    pair = Counter(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False))
    char: Counter[str] = Counter()
    concept: Counter[str] = Counter()
    for _, folded, _ in content:
        char.update(_grams(folded))
        concept.update(domains_of(folded))
    return Analysed(
        {"word": word, "pair": pair, "char": char, "concept": concept},
        tuple((s, w) for w, _, s in content),
    )


def _block_matrix(counters: Sequence[Counter[str]]) -> tuple[np.ndarray, np.ndarray]:
    """The block's rows and, per row, whether the text had any feature in it."""
    n = len(counters)
    vocab: dict[str, int] = {}
    cols: list[int] = []
    tfs: list[int] = []
    lengths: list[int] = []
    for counts in counters:
        cols.extend([vocab.setdefault(f, len(vocab)) for f in counts])
        tfs.extend(counts.values())
        lengths.append(len(counts))
    col = np.array(cols, dtype=np.int64)
    row = np.repeat(np.arange(n), lengths)
    df = np.bincount(col, minlength=len(vocab))
    idf = np.log((1.0 + n) / (1.0 + df)) + IDF_FLOOR
    weight = (1.0 + np.log(np.array(tfs, dtype=np.float64))) * idf[col]
    norms = np.sqrt(np.bincount(row, weight * weight, minlength=n))
    present = norms > 0
    # Only features in two or more texts get a column (see the module docstring).
    features = np.array(list(vocab), dtype=object)
    shared = np.flatnonzero(df >= 2)
    order = shared[np.argsort(features[shared].astype(str), kind="stable")]
    column = np.full(len(vocab), -1, dtype=np.int64)
    if len(order) > MAX_COLUMNS:
        column[order] = [zlib.crc32(f.encode()) % MAX_COLUMNS for f in features[order]]
        width = MAX_COLUMNS
    else:
        column[order] = np.arange(len(order))
        width = len(order)
    target = column[col]
    keep = target >= 0
    values = weight[keep] / norms[row[keep]]
    width = max(width, 1)
    if width == MAX_COLUMNS:  # folded: two features may share a column, so add them up
        flat = np.bincount(row[keep] * width + target[keep], values, minlength=n * width)
        return flat.reshape(n, width).astype(np.float32), present
    matrix = np.zeros((n, width), dtype=np.float32)
    matrix[row[keep], target[keep]] = values
    return matrix, present


def vectorise(analysed: Sequence[Analysed], weights: dict[str, float] | None = None) -> np.ndarray:
    """One row per analysed text; a dot product of two rows is the weighted mean of the
    blocks' cosines (over the blocks the first text has), so it lies in [0, 1]."""
    weights = weights or DEFAULT_WEIGHTS
    n = len(analysed)
    parts = []
    mass = np.zeros(n, dtype=np.float32)
    for block, weight in weights.items():
        if weight <= 0:
            continue
        matrix, present = _block_matrix([a.blocks[block] for a in analysed])
        parts.append(matrix * np.float32(math.sqrt(weight)))
        mass += present * np.float32(weight)
    if not parts:
        return np.zeros((n, 1), dtype=np.float32)
    return np.hstack(parts) / np.sqrt(np.where(mass > 0, mass, 1.0))[:, None]
