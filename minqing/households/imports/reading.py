"""The one reading function the roster importer depends on: rows of a file, one at a time.

Cells and headers are read with the ledger importer's helpers (minqing.ledgers.importers.cells). Its
own sheet reader keeps every row in a list; the ledger branch is making it stream. Until that lands
this module streams CSV itself (so memory stays flat in file size) and reads .xlsx through the ledger's
calamine reader; when the ledger's streaming reader is merged, ``iter_rows`` should simply call it."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from minqing.ledgers.importers import cells
from minqing.ledgers.importers.cells import CellError

XLSX = (".xlsx", ".xlsm", ".xls", ".ods")
CSV = (".csv", ".txt")


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as such, else GB18030 (what Excel on a
    Chinese Windows saves); checked in 1 MB steps so a large file is never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open(encoding=_encoding(path), newline="") as f:
        yield from csv.reader(f)


def iter_rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet (or the CSV), in file order; row 1 is the file's first line."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX:
        return cells._read_xlsx(path)  # the ledger's reader, until its streaming one lands
    if suffix in CSV:
        return _csv_rows(path)
    raise CellError(f"不支持的文件类型“{path.suffix}”：请使用 .xlsx 或 .csv")


def count_rows(path: str | Path) -> int:
    """Rows in the file (for the progress bar), by one streaming pass."""
    return sum(1 for _ in iter_rows(path))
