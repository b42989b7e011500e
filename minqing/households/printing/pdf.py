"""The household file as PDF (fpdf2, pure Python): one A4 page per household, set in a CJK font
found on the machine (Noto Sans CJK by default, MINQING_PDF_FONT to choose another). Without such a
font there is no PDF (``available()`` is False) and the pages offer .docx only."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from . import MEMBER_HEADERS, Sheet

CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
WIDTHS = (24, 22, 12, 26, 46, 30)  # mm, the member table on 170 mm


def font_path() -> Path | None:
    for candidate in (os.environ.get("MINQING_PDF_FONT"), *CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def available() -> bool:
    try:
        import fpdf  # noqa: F401
    except ImportError:
        return False
    return font_path() is not None


def _lines(pdf, title: str, lines: list[str]) -> None:
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    for line in lines or ["无"]:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def write(sheets: Iterable[Sheet], out: IO[bytes]) -> int:
    from fpdf import FPDF

    path = font_path()
    if path is None:
        raise RuntimeError("没有可用的中文字体，无法生成 PDF")
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, 15)
    # Noto Sans CJK's collection: 0 JP, 1 KR, 2 SC — simplified Chinese glyph forms.
    pdf.add_font("cjk", fname=str(path), collection_font_number=2 if "NotoSansCJK" in path.name else 0)
    n = 0
    for sheet in sheets:
        n += 1
        pdf.add_page()
        pdf.set_font("cjk", size=16)
        pdf.cell(0, 10, sheet.title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10)
        for key, value in sheet.facts:
            pdf.cell(28, 6, key, border=1)
            pdf.multi_cell(0, 6, value or " ", border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 7, "家庭成员", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8.5)
        for row in [MEMBER_HEADERS, *sheet.members]:
            for width, text in zip(WIDTHS, row, strict=True):
                pdf.cell(width, 6, text, border=1)
            pdf.ln(6)
        pdf.ln(2)
        _lines(pdf, "走访记录", sheet.visits)
        _lines(pdf, "诉求", sheet.appeals)
        _lines(pdf, "帮扶", sheet.help)
        pdf.set_font("cjk", size=7.5)
        pdf.cell(0, 6, sheet.printed, new_x="LMARGIN", new_y="NEXT")
    if n == 0:
        pdf.add_page()
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 10, "没有可打印的户")
    out.write(bytes(pdf.output()))
    return n
