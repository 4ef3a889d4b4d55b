"""Text normalisation for the grouping engine: tokens, language guess, stems, n-grams.

Pure functions, no state beyond small memo caches that do not change results.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]

from facilitation.grouping_stopwords import STOPWORDS

MAX_CHARS = 4000
"""Only the first MAX_CHARS characters of a note are read (very long notes stay cheap)."""

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
_DEFAULT_LANGUAGE = "english"
LANGUAGE_SAMPLE = 300
"""At most about this many texts (evenly spaced) are read to guess the language."""


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case and strip accents (æ, ø, å and ß kept as letters in their own right)."""
    word = word.lower()
    word = word.replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Surface words of a text (original case), hyphen/apostrophe parts split off."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    out: list[str] = []
    for match in _TOKEN.finditer(text):
        for part in re.split(r"['’\-]", match.group(0)):
            if part:
                out.append(part)
    return out


_FOLDED_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(fold(w) for w in ws) for lang, ws in STOPWORDS.items()
}
_ALL_STOPWORDS: frozenset[str] = frozenset().union(*_FOLDED_STOPWORDS.values())


def guess_language(texts: Iterable[str]) -> str:
    """The Snowball language whose stop words the texts use most (English if no evidence).

    Decided once for a whole set of notes: an assembly writes in one language, and a single
    short note is too little evidence on its own.
    """
    hits: Counter[str] = Counter()
    texts = list(texts)
    step = max(1, len(texts) // LANGUAGE_SAMPLE)
    for text in texts[::step]:
        for w in words(text[:600]):
            f = fold(w)
            for lang, stop in _FOLDED_STOPWORDS.items():
                if f in stop:
                    hits[lang] += 1
    if not hits:
        return _DEFAULT_LANGUAGE
    best = max(sorted(hits), key=lambda lang: hits[lang])
    return best


@lru_cache(maxsize=16)
def _stemmer(language: str) -> Any:
    return snowballstemmer.stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word_lower: str, language: str) -> str:
    """Snowball stem of a lower-case word, accent-folded afterwards."""
    return fold(_stemmer(language).stemWord(word_lower))


def is_stopword(word_folded: str, language: str) -> bool:
    """Stop word in the note set's language, or a very common English word (mixed texts)."""
    stop = _FOLDED_STOPWORDS.get(language, frozenset())
    return word_folded in stop or word_folded in _FOLDED_STOPWORDS["english"]


def content_words(text: str, language: str) -> list[tuple[str, str, str]]:
    """(surface, folded, stem) for each content word: no stop words, no bare numbers."""
    out = []
    for w in words(text):
        f = fold(w)
        if len(f) < 2 or f.isdigit() or is_stopword(f, language):
            continue
        out.append((w, f, stem(w.lower(), language)))
    return out


def char_ngrams(folded: str, low: int = 3, high: int = 5) -> list[str]:
    """Character n-grams of one word padded with spaces, so prefixes and suffixes count."""
    padded = f" {folded} "
    grams: list[str] = []
    for n in range(low, high + 1):
        if len(padded) < n:
            break
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


def supported_languages() -> Sequence[str]:
    """The languages this module has stop words for, sorted."""
    return tuple(sorted(STOPWORDS))
