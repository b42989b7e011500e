"""The one reading function the roster importer depends on: rows of a file, one at a time.

The ledger importer's sheet reader (minqing.ledgers.importers.sheets) does the reading: it checks a
workbook's declared extent, DTDs and the row cap before reading, and streams rows, so memory stays flat
in file size and a hostile file is refused before it costs anything. Its errors become CellError, the
error the roster importer reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from minqing.ledgers.importers import sheets
from minqing.ledgers.importers.cells import CellError


def _checked(source: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from source
    except sheets.SheetError as exc:  # found while streaming (a cap reached, a broken part)
        raise CellError(str(exc)) from exc


def iter_rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet (or the CSV), in file order; row 1 is the file's first line."""
    try:
        return _checked(sheets.rows(Path(path)))
    except sheets.SheetError as exc:
        raise CellError(str(exc)) from exc


def count_rows(path: str | Path) -> int:
    """Rows in the file (for the progress bar), by one streaming pass."""
    return sum(1 for _ in iter_rows(path))
