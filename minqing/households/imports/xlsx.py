"""Rows of an .xlsx's first sheet, streamed: memory flat in file size (issue 15).

calamine (the ledger importer's reader) builds the whole sheet in memory before the first row, about
0.7 KB a resident in a 花名册. Here the sheet's XML is parsed as it is unzipped, one <row> at a time,
each row dropped once read. Shared strings (Excel keeps every distinct text of the workbook in one
table, so a roster's names and ID numbers make it as long as the file) are copied to a temporary file
and found by their offset: 8 bytes a string in memory, the text on disk.

Only what a roster holds is decoded: text (shared, inline, formula results), numbers (as float, so an
ID number typed as a number is still seen and refused) and booleans. Dates stay numbers: no roster
column is a date. The file was checked before (sheets.rows: zip, DTDs, extent, row cap)."""

from __future__ import annotations

import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse

from minqing.lib import sheets

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _T, _SI, _SHEET_DATA = (f"{_NS}{n}" for n in ("row", "c", "v", "is", "t", "si", "sheetData"))


class _SharedStrings:
    """The workbook's shared strings on disk, by index."""

    def __init__(self, zf: zipfile.ZipFile, names: set[str]) -> None:
        self.offsets = array("Q", [0])
        self.file: IO[bytes] = tempfile.TemporaryFile()
        if "xl/sharedStrings.xml" not in names:
            return
        with zf.open("xl/sharedStrings.xml") as fh:
            root = None
            for event, el in iterparse(fh, events=("start", "end")):
                if event == "start":
                    root = el if root is None else root
                    continue
                if el.tag == _SI:
                    # rich text: the <t> of every run; phonetic guides (<rPh>) are not the text
                    skip = {id(t) for rph in el.iter(f"{_NS}rPh") for t in rph.iter(_T)}
                    data = "".join(t.text or "" for t in el.iter(_T) if id(t) not in skip).encode()
                    self.file.write(data)
                    self.offsets.append(self.offsets[-1] + len(data))
                    root.clear()  # the strings read so far, so the tree never grows

    def __getitem__(self, index: int) -> str:
        start, end = self.offsets[index], self.offsets[index + 1]
        self.file.seek(start)
        return self.file.read(end - start).decode()

    def close(self) -> None:
        self.file.close()


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _value(c: Any, shared: _SharedStrings) -> Any:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        box = c.find(_IS)
        return "".join(t.text or "" for t in box.iter(_T)) if box is not None else ""
    v = c.find(_V)
    if v is None or v.text is None:
        return ""  # as calamine gives an empty cell
    if kind == "s":
        return shared[int(v.text)]
    if kind == "b":
        return v.text.strip() == "1"
    if kind in ("str", "e", "d"):
        return v.text
    try:
        return float(v.text)
    except ValueError:
        return v.text


def rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet from line 1 (a missing row is an empty list), cells from column A."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        part = sheets._first_sheet(zf, names)
        shared = _SharedStrings(zf, names)
        try:
            with zf.open(part) as fh:
                line = 0
                data = None
                for event, el in iterparse(fh, events=("start", "end")):
                    if event == "start":
                        if el.tag == _SHEET_DATA:
                            data = el
                        continue
                    if el.tag != _ROW:
                        continue
                    number = int(el.get("r") or line + 1)
                    while line + 1 < number:
                        line += 1
                        yield []
                    line = number
                    cells: list[Any] = []
                    for c in el.iter(_C):
                        ref = c.get("r")
                        at = _column(ref) if ref else len(cells)
                        if at < len(cells):
                            continue
                        cells.extend([""] * (at - len(cells)))
                        cells.append(_value(c, shared))
                    el.clear()
                    if data is not None:
                        data.clear()  # the finished rows, so the tree never grows
                    yield cells
        finally:
            shared.close()
