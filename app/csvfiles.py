"""Reading the CSV files organisers already have: one way, for every import and CLI.

Tolerates a UTF-8 byte-order mark, `;` or `,` (or tab) delimiters and trailing blank lines.
Errors name the row (1-based line number in the file, header = line 1) so a person can fix it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from facilitation.messages import N_


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
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError([N_("the file is not UTF-8 text (byte %(byte)s)", byte=exc.start)]) from None


def parse_csv(text: str) -> CsvTable:
    """Parse CSV text with a header row into a table of rows keyed by trimmed column names."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CsvError([N_("the file is empty")])
    first_line = text.splitlines()[0]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            first_line, delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [name.strip() for name in next(reader)]
    if any(not name for name in header):
        raise CsvError([N_("line 1: a column has no name")])
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise CsvError(
            [N_("line 1: duplicate column(s): %(columns)s", columns=", ".join(duplicates))]
        )
    rows: list[CsvRow] = []
    problems: list[str] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                N_(
                    "line %(line)s: expected %(expected)s fields, found %(found)s",
                    line=line,
                    expected=len(header),
                    found=len(cells),
                )
            )
            continue
        rows.append(CsvRow(line, {k: v.strip() for k, v in zip(header, cells, strict=True)}))
    if problems:
        raise CsvError(problems)
    return CsvTable(header, rows)


def read_csv(path: str | Path) -> CsvTable:
    """Read and parse a CSV file from disk."""
    return parse_csv(decode(Path(path).read_bytes()))
