"""The ledger import at scale, as tests can see it: a fixed number of statements a batch whatever the
number of rows (lookups read once, bulk inserts), an event and an audit entry for every created case,
and all or nothing — a bad row in the last batch leaves nothing written, in either writing mode."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.ledgers.importers import LedgerImportError, load_ledger
from tests.ledgers_metrics.test_ledgers import own_row, write_own

TOWN = "511722100"
pytestmark = pytest.mark.django_db


def _text(n: int) -> str:
    """A text unlike every other row's (no repeat links between the rows: those would add statements)."""
    return "".join(chr(0x4E00 + (n * 7919 + i * 104729) % 20000) for i in range(14))


def _rows(n: int, *, first: int = 1) -> list[list]:
    """Every kind of row the layout has: open with a deadline (and progress), closed after a return
    visit, solved on the spot, two villages, an existing and a new category, the unit by name."""
    out = []
    for k in range(first, first + n):
        kind = k % 4
        extra: dict = {"问题描述": _text(k), "乡镇/村": "甲镇/甲村" if k % 2 else "乙村",
                       "类别": "人居环境整治" if k % 3 else "新的类别"}
        if kind == 1:
            extra.update(进展="已派人查看")
        elif kind == 2:
            extra.update(是否办结="是", 群众满意度="满意")
        elif kind == 3:
            extra.update(责任单位="", 整改时限="", 是否办结="是", 备注="立行立改", 群众满意度="满意")
        out.append(own_row(k, **extra))
    return out


def _import_counting(path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        result = load_ledger(path, mapping="own", region=TOWN)
    return result.created, len(queries.captured_queries)


def test_statements_do_not_grow_with_the_rows(county, tmp_path, settings):
    from minqing.appeals.models import Appeal, AppealEvent
    from minqing.audit.models import Event
    from minqing.nlp.models import SearchDoc

    settings.MINQING_IMPORT_BATCH = 1000  # both files in one batch: the count is the batch's
    first, small, large = tmp_path / "first.xlsx", tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    write_own(first, _rows(3, first=500))  # creates the new category and the audit stream: both files find them
    write_own(small, _rows(12))
    write_own(large, _rows(36, first=100))
    load_ledger(first, mapping="own", region=TOWN)
    created_small, statements_small = _import_counting(small)
    created_large, statements_large = _import_counting(large)
    assert (created_small, created_large) == (12, 36)
    assert statements_large == statements_small, (statements_small, statements_large)
    assert statements_small < 60  # a batch's fixed cost, not a few statements a row
    # Every created case has its registration event, its audit entry and its search document.
    assert AppealEvent.objects.filter(action="register").count() == Appeal.objects.count() == 51
    assert Event.objects.filter(action="appeal.import").count() == 51
    assert SearchDoc.objects.filter(object_type="appeal").count() == 51
    progress = AppealEvent.objects.filter(action="add_progress").count()
    assert progress == sum(1 for k in [*range(1, 13), *range(100, 136), *range(500, 503)] if k % 4 == 1)


def test_more_batches_cost_statements_per_batch_not_per_row(county, tmp_path, settings):
    settings.MINQING_IMPORT_BATCH = 10
    one, three = tmp_path / "one.xlsx", tmp_path / "three.xlsx"
    write_own(one, _rows(10))
    write_own(three, _rows(30, first=100))
    _created, statements_one = _import_counting(one)
    _created, statements_three = _import_counting(three)
    # The file's fixed cost (places, units, categories, the audit head) is paid once.
    assert statements_three <= 3 * statements_one


@pytest.mark.parametrize("chunk", [0, 10], ids=["one-transaction", "chunked"])
def test_a_bad_row_in_the_last_batch_leaves_nothing_written(county, tmp_path, settings, chunk):
    from minqing.appeals.models import Appeal, AppealEvent, RepeatLink
    from minqing.audit.models import Event
    from minqing.nlp.models import SearchDoc

    settings.MINQING_IMPORT_BATCH = 10
    settings.MINQING_IMPORT_CHUNK = chunk
    rows = _rows(35)
    rows[-1] = own_row(35, 问题描述=_text(35), 整改时限="下个月")  # row 37: title row, header row, 35 data rows
    rows[4] = own_row(5, 问题描述=_text(5), 是否办结="也许")  # and one early on: both reported
    path = tmp_path / "bad.xlsx"
    write_own(path, rows)
    events_before = Event.objects.count()
    with pytest.raises(LedgerImportError) as info:
        load_ledger(path, mapping="own", region=TOWN)
    errors = info.value.errors
    assert [(row, column) for row, column, _m in errors] == [(7, "是否办结"), (37, "整改时限")]
    assert not info.value.partial and "未写入任何记录" in info.value.report()
    assert Appeal.objects.count() == 0
    assert AppealEvent.objects.count() == 0 and RepeatLink.objects.count() == 0
    assert SearchDoc.objects.count() == 0
    assert Event.objects.count() == events_before
    # The same file without the bad rows goes in whole.
    rows[-1], rows[4] = own_row(35, 问题描述=_text(35)), own_row(5, 问题描述=_text(5))
    write_own(path, rows)
    assert load_ledger(path, mapping="own", region=TOWN).created == 35
    assert Appeal.objects.count() == 35


def _table(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    return sorted(model.objects.exclude(**({"n": 0} if "n" in fields else {})).values_list(*fields))


def test_plain_rows_write_what_the_models_did(county, tmp_path, settings):
    """The import writes its rows as tuples and its figures from the cases in hand (import22): the
    roll-up counters equal a rebuild from the appeals, the audit chain verifies, and every search
    document is the one searchindex's builders make from the saved rows."""
    from minqing.appeals import rollup_store
    from minqing.appeals.models import Appeal, Progress
    from minqing.appeals.rollup_models import AppealRollup, AppealRollupHousehold, AppealRollupUp
    from minqing.audit import log as audit
    from minqing.nlp import searchindex
    from minqing.nlp.models import SearchDoc

    settings.MINQING_IMPORT_BATCH = 7  # several batches: the counters are added up across them
    path = tmp_path / "many.xlsx"
    write_own(path, _rows(30))
    assert load_ledger(path, mapping="own", region=TOWN).created == 30
    tables = (AppealRollup, AppealRollupHousehold, AppealRollupUp)
    imported = [_table(m) for m in tables]
    assert imported[0] and imported[2]
    rollup_store.rebuild()
    assert [_table(m) for m in tables] == imported
    assert audit.verify(checkpoints=False) == []
    columns = [c for c in searchindex.COLUMNS]
    stored = sorted(SearchDoc.objects.values_list(*columns))
    names = searchindex._names(Appeal.objects.values_list("pk", flat=True))
    built = [searchindex.appeal_doc(a, names.get(a.pk, [])) for a in Appeal.objects.select_related("region")]
    built += [searchindex.progress_doc(p) for p in Progress.objects.select_related("appeal")]
    assert stored == sorted(tuple(getattr(d, c) for c in columns) for d in built)
    assert len(stored) == 30 + Progress.objects.count()
    # and every imported case has the text signature the case page compares (decision 0066)
    from minqing.nlp import duplicates
    from minqing.nlp.models import TextSignature

    sigs = {s.appeal_id: (s.folds, s.folded, s.key, s.key_full) for s in TextSignature.objects.all()}
    assert sigs == {a.pk: (duplicates.FOLDS, *duplicates.signature(a.title, a.text)) for a in Appeal.objects.all()}
