"""The briefing as a Word file (.docx) in the layout of a government 简报: 方正小标宋 title,
仿宋 body with a two-character first-line indent, a 主要指标 table, A4 with official margins."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from .compose import Briefing

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"


def _font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(doc, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = True):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font, size, bold)
    return p


def write(briefing: Briefing, out: str | Path | IO[bytes]) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    doc.core_properties.title = briefing.title
    doc.core_properties.author = briefing.region_name

    _paragraph(doc, briefing.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, briefing.subtitle, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(doc, "", indent=False)
    for text in briefing.paragraphs:
        _paragraph(doc, text)
    if briefing.cases:
        _paragraph(doc, "一、典型案例", font=HEADING_FONT)
        for n, case in enumerate(briefing.cases, 1):
            p = _paragraph(doc, f"（{'一二三四五六七八九'[n - 1] if n < 10 else n}）{case.title}", bold=True)
            _font(p.add_run(case.text), BODY_FONT, 16)
    _paragraph(doc, ("二、" if briefing.cases else "") + "主要指标", font=HEADING_FONT)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, label in zip(table.rows[0].cells, ("指标", "数值", "说明"), strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(label), HEADING_FONT, 12)
    for row in briefing.table:
        cells = table.add_row().cells
        for cell, value in zip(cells, (row.label, row.value, row.note), strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(value), BODY_FONT, 12)
    doc.save(str(out) if isinstance(out, Path) else out)
