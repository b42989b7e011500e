"""Hostile and broken spreadsheets are refused with a Chinese reason, before they are read whole:
a sparse grid, an entity bomb, a million rows, a Word file renamed .xlsx, an empty file, a cut-off
workbook. (Memory on a 1 M-row file is measured in bench/import_memory.py, not here.)"""

from __future__ import annotations

import pytest

from minqing.ledgers import RECTIFICATION_COLUMNS
from minqing.ledgers.importers import LedgerImportError, load_ledger
from minqing.lib.sheets import SheetError, inspect_xlsx
from tests.ledgers_metrics import hostile
from tests.ledgers_metrics.test_ledgers import own_row, write_own

pytestmark = pytest.mark.django_db
TOWN = "511722100"


def refusal(path, **kw) -> str:
    with pytest.raises(LedgerImportError) as info:
        load_ledger(path, mapping="own", region=TOWN, **kw)
    errors = info.value.errors
    assert len(errors) == 1 and errors[0][0] == 0  # one reason, about the whole file
    return errors[0][2]


@pytest.mark.parametrize("declare", [True, False], ids=["declared", "undeclared"])
def test_a_sparse_grid_is_refused_before_calamine_builds_it(county, tmp_path, declare):
    from minqing.appeals.models import Appeal

    path = hostile.sparse_grid(tmp_path / "sparse.xlsx", declare=declare)
    assert path.stat().st_size < 4000
    before = Appeal.objects.count()
    message = refusal(path)
    assert "工作表范围过大" in message or "超过单次导入上限" in message
    assert Appeal.objects.count() == before


def test_an_entity_bomb_is_refused(county, tmp_path):
    assert "XML 实体声明" in refusal(hostile.billion_laughs(tmp_path / "lol.xlsx"))


def test_a_million_rows_are_refused_at_the_cap(county, tmp_path):
    csv_path = hostile.million_rows_csv(tmp_path / "big.csv")
    assert "超过单次导入上限 200000 行" in refusal(csv_path)
    xlsx_path = hostile.million_rows_xlsx(tmp_path / "big.xlsx")
    assert "超过单次导入上限 200000 行" in refusal(xlsx_path)


def test_the_row_cap_is_a_setting(county, tmp_path, settings):
    path = tmp_path / "own.xlsx"
    write_own(path, [own_row(n) for n in range(1, 6)])
    settings.MINQING_IMPORT_MAX_ROWS = 4
    assert "超过单次导入上限 4 行" in refusal(path)
    settings.MINQING_IMPORT_MAX_ROWS = 5
    assert load_ledger(path, mapping="own", region=TOWN, dry_run=True).created == 5


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: hostile.docx_renamed(p), "Word 文档"),
    (lambda p: hostile.empty(p), "文件是空的"),
    (lambda p: (p.write_text("序号,问题描述\n1,x\n", encoding="utf-8"), p)[1], "不是 Excel 表格"),
    (lambda p: (p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 600), p)[1], "旧版 Excel"),
    (lambda p: (p.write_bytes(b"%PDF-1.4 " + b"x" * 100), p)[1], "PDF 文件"),
], ids=["docx", "empty", "text", "xls", "pdf"])
def test_a_disguised_or_empty_xlsx_says_what_it_is(county, tmp_path, make, words):
    assert words in refusal(make(tmp_path / "ledger.xlsx"))


def test_a_truncated_workbook_is_refused(county, tmp_path):
    whole = tmp_path / "whole.xlsx"
    write_own(whole, [own_row(n) for n in range(1, 200)])
    assert "不完整或已损坏" in refusal(hostile.truncated(tmp_path / "cut.xlsx", whole))


def test_a_csv_that_is_really_a_workbook_or_binary(county, tmp_path):
    whole = tmp_path / "whole.xlsx"
    write_own(whole, [own_row(1)])
    renamed = tmp_path / "ledger.csv"
    renamed.write_bytes(whole.read_bytes())
    assert "内容是 Excel 或压缩文件" in refusal(renamed)
    assert "文件是空的" in refusal(hostile.empty(tmp_path / "empty.csv"))


def test_a_gb18030_csv_is_still_read(county, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes((",".join(RECTIFICATION_COLUMNS) + "\n" + ",".join(str(c) for c in own_row(1)) + "\n")
                     .encode("gb18030"))
    assert load_ledger(path, mapping="own", region=TOWN, dry_run=True).created == 1


def test_the_inspector_alone_refuses_the_sparse_grid(tmp_path):
    with pytest.raises(SheetError, match="1048576 行 × 16384 列"):
        inspect_xlsx(hostile.sparse_grid(tmp_path / "s.xlsx"))
