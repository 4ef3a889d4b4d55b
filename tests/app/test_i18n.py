"""Every UI string is in both catalogs, translated; pages carry the right lang attribute."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import SUPPORTED_LANGUAGES
from app.i18n import catalog_path

ROOT = Path(__file__).resolve().parents[2]
METHODS = [
    ("app/**.py", "python"),
    ("facilitation/**.py", "python"),
    ("templates/**.html", "jinja2"),
]
OPTIONS = {"templates/**.html": {"encoding": "utf-8"}}


def extracted_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, options_map=OPTIONS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def singular(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def translated(string: str | tuple[str, ...]) -> bool:
    """A msgstr, or every plural form of one, is filled in."""
    return all(string) if isinstance(string, tuple) else bool(string)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_catalog_is_complete(lang: str) -> None:
    with catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    # a plural entry's id is (singular, plural); extraction names it by its singular
    entries = {singular(m.id): m for m in catalog if m.id}
    missing = sorted(extracted_messages() - set(entries))
    assert not missing, f"{lang}: not in the catalog (run `make messages`): {missing}"
    untranslated = sorted(k for k, m in entries.items() if not translated(m.string) or m.fuzzy)
    assert not untranslated, f"{lang}: untranslated: {untranslated}"


def test_danish_is_really_danish() -> None:
    with catalog_path("da").open("rb") as po:
        catalog = read_po(po, locale="da")
    same = [
        m.id
        for m in catalog
        if m.id
        and m.string == m.id
        and m.id
        not in {
            "Live",
            "Links",
            "Id",
            "id",
            "Status",
            "Send",
            "Start",
            "Software",
            "Chance",
            "Region",
            "Version",  # Danish writes "version 3" (danish.md)
            "version",
            "version %(n)s",
        }
    ]
    assert not same, f"Danish entries that are just the English text: {same}"
