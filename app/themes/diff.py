"""Readable differences between two versions of a draft: word by word, with difflib."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from app.themes.models import DraftVersion

# -- readable differences -----------------------------------------------------------------

TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    """A run of words that stayed (``same``), came in (``added``) or went (``removed``)."""

    change: str
    text: str


def word_diff(before: str, after: str) -> list[Piece]:
    a, b = TOKEN.findall(before), TOKEN.findall(after)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces


def version_diff(old: DraftVersion, new: DraftVersion) -> dict[str, list[Piece]]:
    """Word-by-word differences of title, text and rationale between two versions."""
    return {
        "title": word_diff(old.title, new.title),
        "text": word_diff(old.text, new.text),
        "rationale": word_diff(old.rationale, new.rationale),
    }
