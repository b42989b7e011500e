"""Reading an uploaded spreadsheet safely: what the file is, how big it is, then its rows one by one.

An .xlsx is a zip of XML parts, and its reader (calamine) builds the sheet's whole rectangle, from
its first to its last cell, in memory: one cell in A1 and one in XFD1048576 is a 17-billion-cell
grid. So before calamine opens a workbook, ``inspect_xlsx`` checks the zip and streams the first
sheet's XML (never holding it whole) for its declared and real extent, refusing a sheet over
MINQING_IMPORT_MAX_ROWS rows or MINQING_IMPORT_MAX_CELLS cells, any XML part with a DTD (the
billion-laughs entity bomb) and a zip member larger than it may be. A CSV is decoded while read,
row by row. Every refusal is a SheetError with a Chinese message that says what is wrong with the
file, never a traceback.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings

DEFAULT_MAX_ROWS = 200_000  # data rows per import
DEFAULT_MAX_CELLS = 4_000_000  # rows × columns of the sheet's rectangle (calamine holds it whole)
MAX_XML_BYTES = 512 * 1024 * 1024  # one uncompressed part of the workbook
HEAD_ROWS = 10  # where the header row may be


class SheetError(ValueError):
    """The file cannot be read as a sheet; the message is Chinese and names the problem."""


def max_rows() -> int:
    return int(getattr(settings, "MINQING_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_cells() -> int:
    return int(getattr(settings, "MINQING_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS))


def too_many_rows(limit: int) -> SheetError:
    return SheetError(f"文件超过单次导入上限 {limit} 行，请拆分成几个文件分批导入")


# --- what the file is ------------------------------------------------------------------------

_MAGIC = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\xd0\xcf\x11\xe0", "ole"), (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "PNG 图片"), (b"\xff\xd8\xff", "JPEG 图片"), (b"GIF8", "GIF 图片"), (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"), (b"\x1f\x8b", "gzip 压缩包"),
)
_OTHER_ZIPS = (("word/document.xml", "Word 文档（.docx）"), ("ppt/presentation.xml", "PowerPoint 演示文稿（.pptx）"),
               ("content.xml", "OpenDocument 文件（.ods/.odt）"))


def sniff(path: Path) -> str:
    """'zip', 'ole' (old Office), 'text', or a Chinese name of what the file really is; refuses an empty file."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise SheetError(f"无法读取文件：{exc.strerror or exc}") from exc
    if not head:
        raise SheetError("文件是空的（0 字节），请检查是否上传了正确的文件")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"\x00" in head:
        return "二进制文件"
    return "text"


def _refuse_other(kind: str, suffix: str) -> None:
    if kind == "ole":
        raise SheetError("这是旧版 Excel（.xls）或其他 Office 文件，请在 Excel 中另存为 .xlsx 后再导入")
    if kind not in ("zip", "text"):
        raise SheetError(f"文件扩展名是“{suffix}”，但内容是{kind}，不是表格")


# --- .xlsx -----------------------------------------------------------------------------------

_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_TAG = re.compile(rb'<(?:\w+:)?(row|c)\b([^>]*)>')
_REF = re.compile(rb'\br="([A-Z]{1,3})?(\d+)"')
_ROW_R = re.compile(rb'\br="(\d+)"')
_SHEET_TAG = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"|<(?:\w+:)?sheet\b[^>]*?\bid="([^"]+)"')
_REL = re.compile(rb'<Relationship\b[^>]*>')


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _read_member(zf: zipfile.ZipFile, name: str, limit: int = 4 * 1024 * 1024) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise SheetError("文件结构异常（工作簿目录过大），可能是恶意构造的文件")
    with zf.open(info) as fh:
        return fh.read(limit + 1)[:limit]


def _first_sheet(zf: zipfile.ZipFile, names: set[str]) -> str:
    """The part name of the workbook's first sheet (the one calamine's index 0 reads)."""
    workbook = _read_member(zf, "xl/workbook.xml")
    rels = _read_member(zf, "xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    m = _SHEET_TAG.search(workbook)
    if m:
        rid = m.group(1) or m.group(2)
        for rel in _REL.findall(rels):
            if f'Id="{rid.decode()}"'.encode() in rel:
                target = re.search(rb'Target="([^"]+)"', rel)
                if target:
                    t = target.group(1).decode()
                    part = t.lstrip("/") if t.startswith("/") else str(PurePosixPath("xl") / t)
                    part = str(PurePosixPath(part))
                    if part in names:
                        return part
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise SheetError("Excel 文件中没有工作表")


def _refuse_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """A DTD can only stand in an XML part's prolog, before its first element: its head tells."""
    with zf.open(info) as fh:
        head = fh.read(8192)
    root = re.search(rb"<[A-Za-z]", head)
    if _DTD.search(head[: root.start()] if root else head):
        raise SheetError("文件含有 XML 实体声明（DTD），可能是恶意构造的文件，已拒绝读取")


def _scan_sheet(zf: zipfile.ZipFile, part: str, rows_limit: int, cells_limit: int) -> None:
    """Stream the sheet's XML: refuse its declared <dimension> or, when that lies or is absent, the
    real extent of its cells, as soon as it passes a limit (a sparse-grid file is refused at once)."""
    info = zf.getinfo(part)
    if info.file_size > MAX_XML_BYTES:
        raise SheetError(f"工作表解压后超过 {MAX_XML_BYTES // 1024 // 1024} MB，请拆分后分批导入")
    max_row = max_col = 0
    row = col = 0
    read = 0
    tail = b""
    checked_dimension = False
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            read += len(chunk)
            if read > MAX_XML_BYTES:
                raise SheetError(f"工作表解压后超过 {MAX_XML_BYTES // 1024 // 1024} MB，请拆分后分批导入")
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                tail = data
                continue
            data, tail = data[:cut], data[cut:]
            if not checked_dimension:
                m = _DIMENSION.search(data)
                if m and m.group(4):
                    checked_dimension = True
                    last_row, last_col = int(m.group(4)), _column(m.group(3))
                    _check_extent(last_row, last_col, rows_limit, cells_limit)
                elif b"<sheetData" in data or b":sheetData" in data:
                    checked_dimension = True
            for m in _TAG.finditer(data):
                attrs = m.group(2)
                if m.group(1) == b"row":
                    r = _ROW_R.search(attrs)
                    row = int(r.group(1)) if r else row + 1
                    col = 0
                    if row > max_row:
                        max_row = row
                        _check_extent(max_row, max_col, rows_limit, cells_limit)
                else:
                    r = _REF.search(attrs)
                    col = _column(r.group(1)) if r and r.group(1) else col + 1
                    if col > max_col:
                        max_col = col
                        _check_extent(max_row, max_col, rows_limit, cells_limit)


def _check_extent(rows: int, cols: int, rows_limit: int, cells_limit: int) -> None:
    if rows * cols > cells_limit or cols > 16384:
        raise SheetError(f"工作表范围过大（{rows} 行 × {cols} 列，超过 {cells_limit} 个单元格的上限）："
                         "可能在很远的位置有零星内容，请删除多余的行列或另存为新文件后再导入")
    if rows > rows_limit + HEAD_ROWS:
        raise too_many_rows(rows_limit)


def inspect_xlsx(path: Path, *, rows_limit: int | None = None) -> None:
    """Refuse anything but a well-formed .xlsx whose first sheet is within the limits."""
    rows_limit = rows_limit if rows_limit is not None else max_rows()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names:
                for marker, what in _OTHER_ZIPS:
                    if marker in names:
                        raise SheetError(f"这是 {what}，不是 Excel 表格；请上传 .xlsx 或 .csv 文件")
                raise SheetError("这是一个压缩包，不是 Excel 表格；请上传 .xlsx 或 .csv 文件")
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _refuse_dtd(zf, info)
            _scan_sheet(zf, _first_sheet(zf, names), rows_limit, max_cells())
    except zipfile.BadZipFile as exc:
        raise SheetError("Excel 文件不完整或已损坏（可能上传中断），请重新保存后再导入") from exc
    except (zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise SheetError("Excel 文件格式异常，无法读取，请在 Excel 中另存为 .xlsx 后再导入") from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    """calamine's rows (the whole sheet built first): kept to compare the streamed reader with."""
    from python_calamine import CalamineWorkbook

    try:
        yield from CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    except Exception as exc:  # noqa: BLE001 - calamine's errors all mean "this file is broken"
        raise SheetError("Excel 文件已损坏或格式不正确，无法读取，请在 Excel 中另存为 .xlsx 后再导入") from exc


def _xlsx_stream(path: Path) -> Iterator[list[Any]]:
    """The first sheet's rows parsed as the file is unzipped (xlsxstream): memory flat in file size."""
    from xml.etree.ElementTree import ParseError

    from . import xlsxstream

    try:
        yield from xlsxstream.rows(path)
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
        raise SheetError("Excel 文件已损坏或格式不正确，无法读取，请在 Excel 中另存为 .xlsx 后再导入") from exc


# --- .csv ------------------------------------------------------------------------------------


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030 (older Excel)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _csv_records(path: Path, encoding: str) -> Iterator[list[str]]:
    csv.field_size_limit(1 << 20)
    with open(path, encoding=encoding, newline="", errors="strict") as fh:
        try:
            yield from csv.reader(fh)
        except csv.Error as exc:
            raise SheetError(f"CSV 文件格式有误：{exc}") from exc


def inspect_csv(path: Path, *, rows_limit: int | None = None) -> str:
    """Count the records (nothing kept) and refuse a file over the cap before it is read; answers
    the encoding."""
    rows_limit = rows_limit if rows_limit is not None else max_rows()
    encoding = _encoding(path)
    for count, _record in enumerate(_csv_records(path, encoding), start=1):
        if count > rows_limit + HEAD_ROWS:
            raise too_many_rows(rows_limit)
    return encoding


# --- rows ------------------------------------------------------------------------------------

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


def rows(path: str | Path, *, rows_limit: int | None = None) -> Iterator[list[Any]]:
    """The first sheet's rows (cells as Python values), read lazily after the file was checked."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in XLSX_SUFFIXES + CSV_SUFFIXES:
        raise SheetError(f"不支持的文件类型“{path.suffix}”：请使用 .xlsx 或 .csv")
    kind = sniff(path)
    _refuse_other(kind, suffix)
    if suffix in XLSX_SUFFIXES:
        if kind != "zip":
            raise SheetError("文件扩展名是 .xlsx，但内容不是 Excel 表格（可能是改了扩展名的文本文件）")
        inspect_xlsx(path, rows_limit=rows_limit)
        return _xlsx_stream(path)
    if kind != "text":
        raise SheetError("文件扩展名是 .csv，但内容是 Excel 或压缩文件；请按实际格式保存后再导入")
    return _csv_records(path, inspect_csv(path, rows_limit=rows_limit))
