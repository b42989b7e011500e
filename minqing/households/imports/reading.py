"""The one reading function the roster importer depends on: rows of a file, one at a time.

The ledger importer's sheet reader (minqing.lib.sheets) checks the file first: what it
is, a workbook's declared extent, DTDs and the row cap, so a hostile file is refused before it costs
anything. CSV rows then come from that reader (streamed); .xlsx rows from imports.xlsx, which streams
the sheet's XML (calamine, the ledger's reader, holds the whole sheet: memory would grow with the
file). Reading errors become CellError, the error the roster importer reports."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from minqing.lib import sheets
from minqing.lib.cells import CellError

from . import xlsx


def _checked(source: Iterator[list[Any]]) -> Iterator[list[Any]]:
    try:
        yield from source
    except sheets.SheetError as exc:  # found while streaming (a cap reached, a broken part)
        raise CellError(str(exc)) from exc
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise CellError("Excel 文件已损坏或格式不正确，无法读取，请在 Excel 中另存为 .xlsx 后再导入") from exc


def iter_rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet (or the CSV), in file order; row 1 is the file's first line."""
    path = Path(path)
    try:
        source = sheets.rows(path)  # every check of the file; its rows are read lazily
    except sheets.SheetError as exc:
        raise CellError(str(exc)) from exc
    if path.suffix.lower() in sheets.XLSX_SUFFIXES:
        source.close()  # the checked file is streamed here instead of by calamine
        source = xlsx.rows(path)
    return _checked(source)


def count_rows(path: str | Path) -> int:
    """Rows in the file (for the progress bar), by one streaming pass."""
    return sum(1 for _ in iter_rows(path))
