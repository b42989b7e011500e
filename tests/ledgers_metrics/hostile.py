"""Hostile spreadsheets, made on the spot (nothing checked in): a sparse grid, an entity bomb, a
million rows, a Word file renamed, an empty file, a cut-off workbook. Used by the tests and by
bench/import_memory.py."""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>')
SHEET_TAIL = "</sheetData></worksheet>"


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _workbook(path: Path, sheet_parts, extra: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, text in (extra or {}).items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            for part in sheet_parts:
                fh.write(part.encode())
    return path


def sparse_grid(path: Path, *, declare: bool = True) -> Path:
    """One cell in A1, one in XFD1048576 (with or without a <dimension> saying so): 1.9 KB."""
    dimension = '<dimension ref="A1:XFD1048576"/>' if declare else ""
    return _workbook(path, [SHEET_HEAD.format(dimension=dimension),
                            f'<row r="1">{_cell("A1", "序号")}</row>',
                            f'<row r="1048576">{_cell("XFD1048576", "x")}</row>', SHEET_TAIL])


def billion_laughs(path: Path) -> Path:
    """An entity bomb in the shared strings (and one in the sheet)."""
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                      for i in range(1, 10))
            + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
              '<si><t>&lol9;</t></si></sst>')
    return _workbook(path, [SHEET_HEAD.format(dimension='<dimension ref="A1:A1"/>'),
                            '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_TAIL],
                     extra={"xl/sharedStrings.xml": bomb})


def million_rows_xlsx(path: Path, rows: int = 1_000_000, headers: tuple[str, ...] = ("序号", "问题描述")) -> Path:
    """A real (inline-string) workbook of ``rows`` data rows, written as a stream (a few seconds)."""
    def parts():
        yield SHEET_HEAD.format(dimension="")
        yield '<row r="1">' + "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(headers)) + "</row>"
        batch = []
        for r in range(2, rows + 2):
            batch.append(f'<row r="{r}"><c r="A{r}"><v>{r - 1}</v></c>{_cell(f"B{r}", f"第{r - 1}个问题")}</row>')
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)
        yield SHEET_TAIL
    return _workbook(path, parts())


def million_rows_csv(path: Path, rows: int = 1_000_000, header: str = "序号,问题描述") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(header + "\n")
        for start in range(1, rows + 1, 10_000):
            fh.write("".join(f"{r},第{r}个问题\n" for r in range(start, min(start + 10_000, rows + 1))))
    return path


def docx_renamed(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", "<w:document/>")
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def truncated(path: Path, source: Path) -> Path:
    """The first half of a real workbook (an upload cut off)."""
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path
