"""The import's shortcuts (import23) give what the long way gives: deadlines computed once per (rule,
local date), appeals made without ``Model.__init__``, the text signature with one normalising of the
full text, and the SQLite page cache set only while the import writes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from minqing.appeals import bulk
from minqing.appeals.models import Appeal, Urgency
from minqing.lib import workdays
from minqing.nlp import duplicates
from minqing.nlp.textnorm import text_hash

pytestmark = pytest.mark.django_db
TZ = workdays.TZ


def test_deadlines_per_local_date_equal_the_calendar_walk():
    rules = bulk.Deadlines()
    policies = [workdays.DeadlinePolicy(24, "hours"), workdays.DeadlinePolicy(15, "workdays"),
                workdays.DeadlinePolicy(1, "workdays"), workdays.DeadlinePolicy(60, "calendar_days"),
                workdays.DeadlinePolicy(7, "calendar_days", roll_to_workday=True)]
    # times around midnight in China and in UTC, before and across the Spring Festival and National Day
    starts = [dt.datetime(2025, m, d, h, mi, tzinfo=TZ) for m, d in ((1, 24), (1, 27), (9, 30), (10, 8), (12, 31))
              for h, mi in ((0, 0), (0, 30), (7, 59), (8, 0), (15, 59), (16, 1), (23, 59))]
    starts += [s.astimezone(dt.UTC) for s in starts]  # the same instants in UTC: the local date counts
    for k, policy in enumerate(policies):
        rules.rules[("resolve", "problem", k)] = policy
        for start in starts:
            expected = workdays.compute_due(start, policy, rules.calendar)
            assert rules.due("resolve", "problem", k, start) == expected
            assert rules.due("resolve", "problem", k, start) == expected  # from the cache, the same
    assert rules.days  # the day counts were cached, the hours were not
    assert all(policy.unit != "hours" for policy, _day in rules.days)


def test_a_blank_appeal_equals_one_made_by_the_model(county):
    from minqing.regions.models import Region

    village = Region.objects.filter(code__startswith="511722").order_by("-code").first()
    now = dt.datetime(2025, 3, 3, 9, tzinfo=TZ)
    values = {"number": "~x", "kind": "problem", "region": village, "channel": "visit", "category": None,
              "category_source": "", "urgency": Urgency.NORMAL, "sensitivity": "", "title": "路灯坏了",
              "text": "村口路灯坏了", "anonymous": False, "received_at": now, "registered_by": None,
              "response_due_at": now, "due_at": now, "due_estimated": False, "source_ref": "own:1", "updated_at": now}
    blank = bulk.Blank()
    made, ordinary = blank.new(**values), Appeal(**values)
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == \
        {k: v for k, v in ordinary.__dict__.items() if k != "_state"}
    assert made.region is village and made.region_id == village.code
    assert (made._state.adding, made._state.db) == (ordinary._state.adding, ordinary._state.db)
    other = blank.new(**values)
    other.state["x"] = 1  # a default dict is the instance's own, not shared with the next
    assert made.state == {} and blank.new(**values).state == {}


@pytest.mark.parametrize(("title", "text"), [
    ("路灯不亮", "村口的路灯坏了三天，晚上  出行不便"),
    ("ＡＢＣ　小区", "全角　字符 与\t空白\n换行；漏水、渗水"),
    ("", "  只有内容  "),
    ("只有标题", ""),
    ("道路破损", "马路上有坑，尽快维修"),
])
def test_the_signature_is_its_definition(title, text):
    full = f"{title} {text}"
    assert duplicates.signature(title, text) == (duplicates.fold(full).lower(), text_hash(text), text_hash(full))


def test_the_page_cache_is_the_connections_own_again_after_an_import(county, tmp_path, settings):
    from minqing.ledgers import importers
    from tests.ledgers_metrics.test_ledgers import own_row, write_own

    path = tmp_path / "own.xlsx"
    write_own(path, [own_row(1), own_row(2)])
    seen: list[int] = []

    def cache() -> int:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            return int(cur.fetchone()[0])

    before = cache() if connection.vendor == "sqlite" else None
    original = importers._batch

    def spy(state, items):
        if connection.vendor == "sqlite":
            seen.append(cache())
        return original(state, items)

    settings.MINQING_IMPORT_CACHE_MB = 16
    importers._batch = spy
    try:
        assert importers.load_ledger(path, mapping="own", region="511722100").created == 2
    finally:
        importers._batch = original
    if connection.vendor == "sqlite":
        assert seen and set(seen) == {-16 * 1024}
        assert cache() == before


def test_statement_lengths_come_from_a_fixed_set():
    """Multi-row statements of any number of rows cover the rows once, in order, with lengths from a set
    that does not grow with the batches (full chunks, multiples of ROUND, a tail under ROUND)."""
    from minqing.lib import rows

    lengths: set[int] = set()
    for total in range(0, 2300, 7):
        cover = list(rows.spans(total, 500))
        assert [i for start, stop in cover for i in range(start, stop)] == list(range(total))
        assert len(cover) <= total // 500 + 2
        lengths.update(stop - start for start, stop in cover)
    assert max(lengths) == 500
    assert {n for n in lengths if n >= rows.ROUND} <= {500, *range(rows.ROUND, 500, rows.ROUND)}
