"""Translations: Danish first, English second, read straight from the .po catalogs.

Catalogs live in ``app/locale/<lang>/LC_MESSAGES/messages.po``; they are compiled in memory
on first use, so there is no build step and a fresh clone runs as it is.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.config import SUPPORTED_LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> Translations:
    """The gettext translations for ``lang`` (a supported language code)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def pick_language(requested: str | None, accept_language: str | None, default: str) -> str:
    """The person's chosen language, else the browser's first supported one, else the default."""
    if requested in SUPPORTED_LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED_LANGUAGES:
            return code
    return default
