"""Translations: Danish first, English second, read straight from the .po catalogs.

Catalogs live in ``app/locale/<lang>/LC_MESSAGES/messages.po``; they are compiled in memory
on first use, so there is no build step and a fresh clone runs as it is.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from app.config import SUPPORTED_LANGUAGES
from facilitation.messages import N_, Message

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
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in SUPPORTED_LANGUAGES:
            return code
    return default


def translate(text: Any, lang: str) -> str:
    """``text`` in ``lang``: a :class:`Message` (msgid + parameters) or a plain English msgid.

    Parameters that are messages are translated too; a list of them is joined with "; ";
    whole numbers get the locale's grouping ("20.000"). Text that is no msgid comes back as is.
    """
    t = translations(lang)
    if isinstance(text, Message):
        params = {k: _param(v, lang) for k, v in text.params.items()}
        message = t.gettext(text.msgid)
        return message % params if params else message
    return t.gettext(str(text)) if text else ""


def _param(value: Any, lang: str) -> Any:
    from app.formats import number

    if isinstance(value, Message):
        return translate(value, lang)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(_param(v, lang)) for v in value)
    if isinstance(value, int) and not isinstance(value, bool):
        return number(value, lang)
    return value


def is_translated(text: str, lang: str) -> bool:
    """Whether ``text`` (an English msgid) has a translation in ``lang`` (English: always)."""
    msgid = text.msgid if isinstance(text, Message) else str(text)
    return lang == "en" or translations(lang).gettext(msgid) != msgid


# Display labels of member attributes and quota criteria, by their column name: the demo's
# and the usual Sortition Foundation columns. Other names are shown as they are.
ATTRIBUTE_LABELS = {
    "gender": N_("Gender"),
    "age": N_("Age"),
    "education": N_("Education"),
    "area": N_("Area"),
    "region": N_("Region"),
    "municipality": N_("Municipality"),
    "postcode": N_("Postcode"),
}


def attribute_label(name: str, lang: str) -> str:
    """ "gender" → "Køn" (Danish) / "Gender" (English); an unknown name as it is."""
    label = ATTRIBUTE_LABELS.get(str(name).strip().lower())
    return translate(label, lang) if label else str(name)
