"""What the file-reading subcommands share: one error for bad input, one way to read a CSV."""

from __future__ import annotations

from app.csvfiles import CsvError, CsvTable, read_csv

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """Input a person must fix; the command prints it on stderr and exits with EXIT_BAD_INPUT."""


def read_table(path: str, *columns: str) -> CsvTable:
    """Read a CSV file that must have ``columns``; any problem becomes an InputError naming the
    file (and, for bad rows, every line)."""
    try:
        table = read_csv(path)
        table.require(*columns)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except CsvError as exc:
        raise InputError(f"{path}: {'; '.join(exc.problems)}") from None
    return table
