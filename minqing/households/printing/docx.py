"""The household file as .docx: one A4 page per household (page breaks between households)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from . import MEMBER_HEADERS, Sheet

FONT = "宋体"


def _run(paragraph, text: str, size: float = 10.5, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        _run(cell.paragraphs[0], text, 9, bold=True)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            _run(cell.paragraphs[0], text, 9)


def _section(doc, title: str, lines: list[str]) -> None:
    _run(doc.add_paragraph(), title, 11, bold=True)
    for line in lines or ["无"]:
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        _run(p, line, 9.5)


def write(sheets: Iterable[Sheet], out: IO[bytes]) -> int:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(1.8)
    section.left_margin = section.right_margin = Cm(2.0)
    n = 0
    for sheet in sheets:
        if n:
            doc.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        n += 1
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, sheet.title, 16, bold=True)
        _table(doc, ["项目", "内容"], [[k, v] for k, v in sheet.facts])
        _run(doc.add_paragraph(), "家庭成员", 11, bold=True)
        _table(doc, MEMBER_HEADERS, sheet.members)
        _section(doc, "走访记录", sheet.visits)
        _section(doc, "诉求", sheet.appeals)
        _section(doc, "帮扶", sheet.help)
        _run(doc.add_paragraph(), sheet.printed, 8)
    if n == 0:
        _run(doc.add_paragraph(), "没有可打印的户", 12)
    doc.save(out)
    return n
