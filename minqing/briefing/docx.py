"""The briefing as a Word file (.docx) in the layout of a 公文-style 简报 (GB/T 9704-2012 as county
offices apply it): A4 with the standard margins; the red 版头 (series name in 方正小标宋, 期号,
编发单位 left and date right, a red line); the title in 小标宋 二号, the body in 仿宋_GB2312 三号 at
28 pt lines with a two-character first-line indent; page numbers "— 1 —" in 宋体 四号 at the foot,
odd pages right and even pages left; the 版记 (报/送/发 lines and the 印发 line between thin
lines) at the end."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .compose import Briefing

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
PAGE_FONT = "宋体"
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of 公文 版头
TEXT_WIDTH = Cm(21.0 - 2.8 - 2.6)


def _font(run, name: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(container, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = True, color: RGBColor | None = None, line: float = 28):
    p = container.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(line)
    fmt.space_after = Pt(0)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _font(p.add_run(text), font, size, bold, color)
    return p


def _border(p, side: str, *, color: str = "000000", size: int = 6) -> None:
    """A rule above or below a paragraph (``size`` in eighths of a point)."""
    ppr = p._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.append(borders)
    edge = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        edge.set(qn(k), v)
    borders.append(edge)


def _two_ends(container, left: str, right: str, size: float, *, color: RGBColor | None = None):
    """One line with ``left`` at the left margin and ``right`` at the right one (a right tab stop)."""
    p = _paragraph(container, "", size=size, indent=False)
    p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH - Pt(size), WD_TAB_ALIGNMENT.RIGHT)
    _font(p.add_run(f"\u3000{left}\t{right}"), BODY_FONT, size, color=color)
    return p


def _page_number(footer, align) -> None:
    """"— N —" with a PAGE field, 宋体 四号, one character in from the edge."""
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    _font(p.add_run("— "), PAGE_FONT, 14)
    run = p.add_run()
    _font(run, PAGE_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText" if text.strip() == "PAGE" else "w:t")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), PAGE_FONT, 14)
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        p.paragraph_format.right_indent = Pt(14)
    else:
        p.paragraph_format.left_indent = Pt(14)


def write(briefing: Briefing, out: str | Path | IO[bytes]) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    doc.core_properties.title = briefing.title
    doc.core_properties.author = briefing.masthead.issuer if briefing.masthead else briefing.region_name

    m = briefing.masthead
    if m is not None:  # 版头
        _paragraph(doc, m.series, font=TITLE_FONT, size=42, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                   indent=False, color=RED, line=54)
        _paragraph(doc, f"（{m.issue}）" if m.issue == "增刊" else m.issue, size=16,
                   align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        rule = _two_ends(doc, m.issuer, f"{m.date_text}\u3000", 16)
        _border(rule, "bottom", color="E60012", size=18)
        _paragraph(doc, "", indent=False)
    _paragraph(doc, briefing.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               line=36)
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
    if m is not None:  # 版记: 报/送/发 between thin lines, then the 印发 line
        _paragraph(doc, "", indent=False)
        lines = [("报：", m.report_to), ("送：", m.copy_to), ("发：", m.send_to)]
        for i, (head, text) in enumerate(lines):
            p = _paragraph(doc, f"{head}{text}", size=14, indent=False)
            p.paragraph_format.left_indent, p.paragraph_format.first_line_indent = Pt(14 * 3), Pt(-14 * 2)
            if i == 0:
                _border(p, "top", size=6)
        _border(_two_ends(doc, m.issuer, f"{m.date_text}印发\u3000", 14), "bottom", size=6)
    doc.save(str(out) if isinstance(out, Path) else out)
