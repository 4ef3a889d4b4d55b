"""Numbers, percentages, dates and times in the viewer's language, through Babel.

Templates use them as filters; the language comes from the render's context (``lang``), so
one event rendered for a Danish and an English phone reads "10,5 %" and "10.5%".
Danish: "10.000", "10,5 %", "30. november 2026", "kl. 14.30".
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from jinja2 import pass_context

LOCALES = {"da": "da_DK", "en": "en_GB"}


def locale_of(lang: str) -> str:
    return LOCALES.get(lang, "da_DK")


def number(value: float | int, lang: str, digits: int | None = None) -> str:
    """A number with the locale's grouping and decimal sign; ``digits`` fixes the decimals."""
    if digits is None:
        return format_decimal(value, locale=locale_of(lang))
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    text = format_decimal(value, format=pattern, locale=locale_of(lang))
    return text.lstrip("-") if float(value) == 0 or set(text) <= set("-0,.") else text


def percent(value: float, lang: str, digits: int = 0) -> str:
    """``value`` in per cent (10.5 → "10,5 %" in Danish): the number is already ×100."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + " %"
    if lang == "en":
        pattern = pattern.replace(" %", "%")
    return format_percent(value / 100, format=pattern, locale=locale_of(lang))


def long_date(value: date | datetime, lang: str) -> str:
    """ "30. november 2026" / "30 November 2026"."""
    return format_date(value, format="long", locale=locale_of(lang))


def clock(value: time | datetime, lang: str) -> str:
    """ "kl. 14.30" in Danish, "14:30" in English."""
    text = format_time(value, format="HH:mm", locale=locale_of(lang))
    return f"kl. {text.replace(':', '.')}" if lang == "da" else text


# Danish alphabet: ... x y z æ ø å (ä and ö as æ and ø; "aa" in a name as å); the three sort
# after "z" as the characters that follow it in code-point order.
_DANISH_TAIL = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def collation_key(text: str, lang: str) -> str:
    """A sort key in the language's alphabetical order: in Danish Æ, Ø, Å come after Z; other
    accents sort with their letter (é with e)."""
    folded = text.casefold()
    if lang == "da":
        folded = folded.replace("aa", "å").translate(_DANISH_TAIL)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _lang(context: Any) -> str:
    return str(context.get("lang", "da"))


@pass_context
def _number(context: Any, value: float | int, digits: int | None = None) -> str:
    return number(value, _lang(context), digits)


@pass_context
def _percent(context: Any, value: float, digits: int = 0) -> str:
    return percent(value, _lang(context), digits)


@pass_context
def _date(context: Any, value: date | datetime) -> str:
    return long_date(value, _lang(context))


@pass_context
def _clock(context: Any, value: time | datetime) -> str:
    return clock(value, _lang(context))


@pass_context
def _collate(context: Any, items: Any, attribute: int | str | None = None) -> list[Any]:
    """``items`` sorted alphabetically for the viewer's language (``attribute``: the index or
    key of the text in each item)."""
    lang = _lang(context)

    def text(item: Any) -> str:
        return str(item if attribute is None else item[attribute])

    return sorted(items, key=lambda item: collation_key(text(item), lang))


# {{ n|number }}, {{ share|percent(1) }}, {{ day|longdate }}, {{ start|clock }}
FORMAT_FILTERS = {
    "number": _number,
    "percent": _percent,
    "longdate": _date,
    "clock": _clock,
    "collate": _collate,  # {{ names|collate }}, {{ pairs|collate(1) }}
}
