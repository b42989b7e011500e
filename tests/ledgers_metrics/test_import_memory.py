"""What the ledger import holds while it runs is one batch (import22: memory flat in file size): the
rows go to the writer a batch at a time, the figures' counters are written once they reach a bounded
number of keys, nothing is remembered per written case, and an .xlsx is streamed (calamine, which
builds the whole sheet first, is not used) with its date cells read as calamine reads them."""

from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from minqing.appeals import bulk, rollup_store
from minqing.ledgers import RECTIFICATION_COLUMNS
from minqing.ledgers import importers as imp
from minqing.lib import cells, sheets
from tests.ledgers_metrics.test_import_scale import _rows
from tests.ledgers_metrics.test_ledgers import own_row, write_own

TOWN = "511722100"
pytestmark = pytest.mark.django_db


def test_the_import_holds_a_batch_and_bounded_counters(county, tmp_path, settings, monkeypatch):
    settings.MINQING_IMPORT_BATCH = 5
    monkeypatch.setattr(rollup_store.Pending, "LIMIT", 40)  # a few cases' counters
    seen: dict[str, list[int]] = {"items": [], "planned": [], "keys": [], "book": [], "flushes": []}
    real_batch, real_write, real_flush = imp._batch, bulk.write, rollup_store.Pending._write_wider

    def batch(state, items):
        seen["items"].append(len(items))
        real_batch(state, items)
        seen["keys"].append(len(state.figures.total.counts) + len(state.figures.wider))
        book = rollup_store._book()
        seen["book"].append(len(book["before"]) + len(book["now"]))

    def write(planned, **kw):
        seen["planned"].append(len(planned))
        return real_write(planned, **kw)

    def flush(self):
        seen["flushes"].append(len(self.wider))
        real_flush(self)

    monkeypatch.setattr(imp, "_batch", batch)
    monkeypatch.setattr(bulk, "write", write)
    monkeypatch.setattr(rollup_store.Pending, "_write_wider", flush)
    path = tmp_path / "l.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(RECTIFICATION_COLUMNS) + "\n")
        for row in _rows(23):
            fh.write(",".join(str(c) for c in row) + "\n")
    assert imp.load_ledger(path, mapping="own", region=TOWN).created == 23
    assert max(seen["items"]) == max(seen["planned"]) == 5 and sum(seen["planned"]) == 23
    assert max(seen["keys"]) <= 40  # a batch's own counters written with it; the wider ones up to the limit
    assert len(seen["flushes"]) > 2  # written as they reach the limit, not held to the end
    assert seen["book"] == [0] * len(seen["book"])  # no case's facts remembered


def test_xlsx_is_streamed_with_calamines_values(county, tmp_path, monkeypatch):
    path = tmp_path / "dates.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("整改台账")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy/m/d h:mm"})
    sheet.write_row(0, 0, [*RECTIFICATION_COLUMNS, "登记时间"])
    deadline = RECTIFICATION_COLUMNS.index("整改时限")
    for r in range(1, 4):
        sheet.write_row(r, 0, own_row(r, 整改时限=""))
        sheet.write_datetime(r, deadline, dt.datetime(2024, 6, 20 + r), day)
        sheet.write_datetime(r, len(RECTIFICATION_COLUMNS), dt.datetime(2024, 6, r, 9, 30), moment)
    book.close()
    theirs = [[cells.when(c) if isinstance(c, dt.date) else c for c in row] for row in sheets._xlsx_rows(path)]

    def refuse(*_a, **_k):
        raise AssertionError("calamine builds the whole sheet: the import must stream")

    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", refuse)
    mine = [[cells.when(c) if isinstance(c, dt.date) else c for c in row] for row in sheets.rows(path)]
    assert mine == theirs
    result = imp.load_ledger(path, mapping="own", region=TOWN)
    assert result.created == 3
    from minqing.appeals.models import Appeal

    received = sorted(Appeal.objects.values_list("received_at", flat=True))
    from django.utils import timezone

    assert [timezone.localtime(r).replace(tzinfo=None) for r in received] == [dt.datetime(2024, 6, d, 9, 30)
                                                                       for d in (1, 2, 3)]


def test_a_large_xlsx_is_not_read_before_its_first_row(tmp_path, monkeypatch):
    path = tmp_path / "big.xlsx"
    write_own(path, [own_row(n) for n in range(1, 300)])
    rows = sheets.rows(path)
    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", lambda *a, **k: 1 / 0)
    first = next(iter(rows))
    assert first  # the title or header row, read without calamine
