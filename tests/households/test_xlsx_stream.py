"""The roster's .xlsx rows are streamed (imports.xlsx), not loaded whole by calamine (issue 15: memory
flat in file size); they must read what calamine reads: shared and inline strings, rich text, numbers
(an ID number typed as a number still refused), booleans, gaps of rows and columns."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from minqing.households.imports import import_roster, reading, sample, xlsx
from minqing.households.imports.loader import HouseholdImportError
from minqing.lib import sheets


def _trim(row: list) -> list:
    while row and row[-1] in ("", None):
        row = row[:-1]
    return row


def _book(path: Path, *, constant_memory: bool) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    sheet = book.add_worksheet("花名册")
    sheet.write_row(0, 0, sample.HEADERS)
    for i, row in enumerate(sample.people(40, [("第1镇", "第1镇1村")]), start=2):  # line 2 left empty
        sheet.write_row(i, 1, row)  # column A left empty
    sheet.write_number(50, 3, 511722199001011234)
    sheet.write_boolean(51, 0, True)
    sheet.write_rich_string(52, 0, "青", book.add_format({"bold": True}), "山村")
    book.close()
    return path


@pytest.mark.parametrize("constant_memory", [False, True], ids=["shared-strings", "inline-strings"])
def test_streamed_rows_are_calamines_rows(tmp_path, constant_memory):
    path = _book(tmp_path / "r.xlsx", constant_memory=constant_memory)
    mine = [_trim(r) for r in xlsx.rows(path)]
    theirs = [_trim(list(r)) for r in sheets._xlsx_rows(path)]
    assert mine == theirs
    assert mine[0][0] == "乡镇（街道）" and mine[1] == [] and mine[52] == ["青山村"]
    assert mine[50][3] == pytest.approx(511722199001011234) and mine[51] == [True]


def test_reading_streams_xlsx_after_the_sheet_checks(tmp_path):
    path = _book(tmp_path / "r.xlsx", constant_memory=False)
    assert len(list(reading.iter_rows(path))) == 53
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a zip at all")
    with pytest.raises(Exception, match="Excel"):
        list(reading.iter_rows(broken))


@pytest.mark.django_db
def test_an_id_number_typed_as_a_number_is_refused_from_a_streamed_sheet(tmp_path):
    from minqing.regions.models import Level, Region

    Region.objects.create(code="511722000000", name="宣汉县", level=Level.COUNTY)
    Region.objects.create(code="511722100000", name="第1镇", level=Level.TOWNSHIP, parent_id="511722000000")
    Region.objects.create(code="511722100200", name="第1镇1村", level=Level.VILLAGE, parent_id="511722100000")
    path = tmp_path / "n.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, sample.HEADERS)
    row = list(next(iter(sample.people(1, [("第1镇", "第1镇1村")]))))
    id_at = sample.HEADERS.index("公民身份号码")
    sheet.write_row(1, 0, row)
    sheet.write_number(1, id_at, float(row[id_at]))
    book.close()
    with pytest.raises(HouseholdImportError) as err:
        import_roster(path, region="511722")
    assert "第2行 “公民身份号码”" in str(err.value) and "数字" in str(err.value)
