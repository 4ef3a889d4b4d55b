"""Reading the CSV files organisers already have: one way, for every import and CLI.

Tolerates a UTF-8 byte-order mark, `;` or `,` (or tab) delimiters and trailing blank lines.
Errors name the row (1-based line number in the file, header = line 1) so a person can fix it.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from facilitation.messages import N_, Message

# Bounds for any file (a pool of 20,000 volunteers or a members list fits well inside them):
MAX_BYTES = 5 * 2**20  # the web forms' upload limit too
MAX_CHARS = MAX_BYTES
MAX_ROWS = 25_000
MAX_COLUMNS = 200
MAX_FIELD = 10_000  # characters in one field
MAX_PROBLEMS = 50  # problems listed; the rest are counted
SNIFF_CHARS = 4096  # of the first line, to guess the delimiter


class CsvError(ValueError):
    """A file that cannot be used; ``problems`` lists every bad row, not just the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


@dataclass(frozen=True)
class CsvTable:
    columns: list[str]
    rows: list[CsvRow] = field(default_factory=list)

    def require(self, *columns: str) -> None:
        """Raise CsvError naming every required column the header lacks."""
        missing = [c for c in columns if c not in self.columns]
        if missing:
            raise CsvError(
                [N_("line 1: missing column(s): %(columns)s", columns=", ".join(missing))]
            )


def decode(data: bytes) -> str:
    """Decode uploaded bytes as UTF-8 (BOM or not), refusing anything else clearly."""
    if len(data) > MAX_BYTES:
        raise CsvError([N_("the file is larger than %(size)s MB", size=MAX_BYTES // 2**20)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError([N_("the file is not UTF-8 text (byte %(byte)s)", byte=exc.start)]) from None


def parse_csv(text: str) -> CsvTable:
    """Parse CSV text with a header row into a table of rows keyed by trimmed column names.

    Bounded in time and memory whatever the file holds: at most MAX_CHARS characters,
    MAX_COLUMNS columns, MAX_ROWS rows, MAX_FIELD characters in a field and MAX_PROBLEMS
    problems listed; linear in the size of the file. Pure: call it outside any transaction.
    """
    text = text.lstrip("\ufeff")
    if len(text) > MAX_CHARS:
        raise CsvError([N_("the file is larger than %(size)s MB", size=MAX_BYTES // 2**20)])
    if not text.strip():
        raise CsvError([N_("the file is empty")])
    first_line = text.lstrip("\r\n").partition("\n")[0][:SNIFF_CHARS]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            first_line, delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error:  # e.g. a field beyond the csv module's own limit (131,072 characters)
        raise CsvError([_too_long(reader.line_num or 1)]) from None
    if len(header) > MAX_COLUMNS:
        raise CsvError([N_("line 1: more than %(count)s columns", count=MAX_COLUMNS)])
    if any(not name for name in header):
        raise CsvError([N_("line 1: a column has no name")])
    if any(len(name) > MAX_FIELD for name in header):
        raise CsvError([_too_long(1)])
    duplicates = sorted(name for name, n in Counter(header).items() if n > 1)
    if duplicates:
        raise CsvError(
            [N_("line 1: duplicate column(s): %(columns)s", columns=", ".join(duplicates))]
        )
    rows: list[CsvRow] = []
    problems: list[str] = []
    bad_lines = 0
    while True:
        try:
            cells = next(reader, None)
        except csv.Error:
            raise CsvError([*problems, _too_long(reader.line_num)]) from None
        if cells is None:
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) + bad_lines >= MAX_ROWS:
            raise CsvError([N_("the file has more than %(count)s rows", count=MAX_ROWS)])
        problem = None
        if len(cells) != len(header):
            problem = N_(
                "line %(line)s: expected %(expected)s fields, found %(found)s",
                line=line,
                expected=len(header),
                found=len(cells),
            )
        elif any(len(cell) > MAX_FIELD for cell in cells):
            problem = _too_long(line)
        if problem is not None:
            bad_lines += 1
            if len(problems) < MAX_PROBLEMS:
                problems.append(problem)
            continue
        rows.append(CsvRow(line, {k: v.strip() for k, v in zip(header, cells, strict=True)}))
    if bad_lines > len(problems):
        problems.append(N_("… lines not listed here: %(count)s", count=bad_lines - len(problems)))
    if problems:
        raise CsvError(problems)
    return CsvTable(header, rows)


def _too_long(line: int) -> Message:
    return N_(
        "line %(line)s: a field is longer than %(count)s characters", line=line, count=MAX_FIELD
    )


def read_csv(path: str | Path) -> CsvTable:
    """Read and parse a CSV file from disk."""
    return parse_csv(decode(Path(path).read_bytes()))
