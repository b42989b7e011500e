"""Rows of an .xlsx's first sheet, streamed: memory flat in file size (issue 15; the ledger import too
since import22, through ``sheets.rows``).

calamine builds the whole sheet in memory before the first row, about 0.7 KB a resident in a 花名册
(+98 MB for a 20 000-row ledger). Here the sheet's XML is parsed as it is unzipped, one <row> at a time,
each row dropped once read. Shared strings (Excel keeps every distinct text of the workbook in one
table, so a roster's names and ID numbers make it as long as the file) are copied to a temporary file
and found by their offset: 8 bytes a string in memory, the text on disk.

Only what a roster holds is decoded: text (shared, inline, formula results), numbers (as float, so an
ID number typed as a number is still seen and refused) and booleans. A number in a cell whose style is
a date format (the workbook's styles.xml: built-in formats 14–22 and 45–47, or a custom one with
y/m/d/h/s outside quotes and brackets) is a datetime, as calamine gives it. The file was checked before
(sheets.rows: zip, DTDs, extent, row cap)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import iterparse

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _IS, _T, _SI, _SHEET_DATA = (f"{_NS}{n}" for n in ("row", "c", "v", "is", "t", "si", "sheetData"))
_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})
_EPOCH = dt.datetime(1899, 12, 30)


def _date_styles(zf: zipfile.ZipFile, names: set[str]) -> frozenset[int]:
    """Indexes of the cell styles (cellXfs) whose number format is a date or time."""
    if "xl/styles.xml" not in names:
        return frozenset()
    custom: dict[int, str] = {}
    styles: list[int] = []
    in_xfs = False
    with zf.open("xl/styles.xml") as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "cellXfs":
                in_xfs = event == "start"
            elif event == "end" and tag == "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
            elif event == "end" and tag == "xf" and in_xfs:
                styles.append(int(el.get("numFmtId", "0")))
    dates = {n for n, code in custom.items() if _is_date_code(code)} | (_DATE_FORMATS - set(custom))
    return frozenset(i for i, n in enumerate(styles) if n in dates)


def _is_date_code(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return bool(re.search(r"[ymdhsYMDHS]", bare))


def _serial_datetime(serial: float) -> dt.datetime | dt.date:
    """An Excel serial as calamine gives it: a date when whole days, else a naive datetime to the ms."""
    ms = round(serial * 86_400_000)
    moment = _EPOCH + dt.timedelta(milliseconds=ms)
    return moment.date() if ms % 86_400_000 == 0 else moment


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


def _value(c: Any, shared: _SharedStrings, dates: frozenset[int] = frozenset()) -> Any:
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
        number = float(v.text)
    except ValueError:
        return v.text
    if dates and int(c.get("s") or 0) in dates and 0 <= number < 2958466:
        return _serial_datetime(number)
    return number


def rows(path: str | Path) -> Iterator[list[Any]]:
    """Every row of the first sheet from line 1 (a missing row is an empty list), cells from column A."""
    from minqing.lib.sheets import _first_sheet  # sheets streams its .xlsx rows with this module

    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        part = _first_sheet(zf, names)
        shared = _SharedStrings(zf, names)
        dates = _date_styles(zf, names)
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
                        cells.append(_value(c, shared, dates))
                    el.clear()
                    if data is not None:
                        data.clear()  # the finished rows, so the tree never grows
                    yield cells
        finally:
            shared.close()
