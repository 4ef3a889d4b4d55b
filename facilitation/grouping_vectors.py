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
    df: Counter[str] = Counter()
    for c in counters:
        df.update(c.keys())
    shared = sorted(f for f, d in df.items() if d >= 2)
    fold = len(shared) > MAX_COLUMNS
    width = MAX_COLUMNS if fold else len(shared)
    if fold:
        column = {f: zlib.crc32(f.encode()) % MAX_COLUMNS for f in shared}
    else:
        column = {f: i for i, f in enumerate(shared)}
    matrix = np.zeros((n, max(width, 1)), dtype=np.float32)
    present = np.zeros(n, dtype=bool)
    for row, counts in enumerate(counters):
        total = 0.0
        cells: list[tuple[int, float]] = []
        for feature, tf in counts.items():
            weight = (1.0 + math.log(tf)) * (math.log((1 + n) / (1 + df[feature])) + 1.0)
            total += weight * weight
            col = column.get(feature)
            if col is not None:
                cells.append((col, weight))
        if total > 0:
            present[row] = True
            norm = math.sqrt(total)
            for col, weight in cells:
                matrix[row, col] += weight / norm
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
