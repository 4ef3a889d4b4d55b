"""The verifiable draw: public randomness text → index into the published lottery.

Rule (version 1), so anyone can check a draw with a few lines in any language:

1. Normalise the text the organiser recorded: Unicode NFC; every run of whitespace (spaces,
   tabs, newlines) becomes one space; leading and trailing whitespace is removed. Nothing else
   changes (case and punctuation count).
2. ``digest = SHA-256(UTF-8 bytes of the normalised text)``.
3. ``index = int(digest as a big-endian unsigned integer) mod m`` where m is the number of panels
   in the lottery (the bias of the modulo is below 2**-200 for any m up to a million).

The drawn panel is ``lottery[index]`` (0-based) of the lottery, whose order is canonical: each
panel's ids sorted as strings, and the panels sorted as tuples.

For numbers drawn in public (dice, lotto balls), ``rfc3797_text`` writes them in the manner of
RFC 3797: within each source the numbers sorted ascending, each followed by ".", and each source
followed by "/" — e.g. ``[[17, 3, 42], [9]]`` → ``"3.17.42./9./"``.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable

SEED_RULE = "sha256-nfc-ws-v1"


def normalise_seed(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, stripped."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def seed_digest(text: str) -> str:
    """Hex SHA-256 of the normalised seed text."""
    return hashlib.sha256(normalise_seed(text).encode("utf-8")).hexdigest()


def draw_index(text: str, m: int) -> int:
    """The 0-based index of the drawn panel among m."""
    if m < 1:
        raise ValueError("a lottery needs at least one panel")
    if not normalise_seed(text):
        raise ValueError("the seed text is empty")
    return int(seed_digest(text), 16) % m


def rfc3797_text(sources: Iterable[Iterable[int]]) -> str:
    """Canonical text for sets of publicly drawn numbers, in the manner of RFC 3797."""
    out = []
    for numbers in sources:
        values = sorted(int(v) for v in numbers)
        if any(v < 0 for v in values):
            raise ValueError("drawn numbers must be non-negative")
        out.append("".join(f"{v}." for v in values) + "/")
    return "".join(out)


def lottery_digest(lottery: Iterable[Iterable[str]]) -> str:
    """SHA-256 of the lottery (one panel per line, ids joined by ","), to publish before a draw."""
    text = "\n".join(",".join(panel) for panel in lottery) + "\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
