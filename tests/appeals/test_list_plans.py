"""The appeal list's common filters are served by indexes on both databases: EXPLAIN (PostgreSQL, with
sequential scans priced out so the plan shows whether an index *can* serve it) or EXPLAIN QUERY PLAN
(SQLite) of the page query and of the capped count, for a village cadre's own village, a township,
the county, the open group, one category, newest first. No plan reads appeals_appeal whole."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from minqing.appeals import listing, queries
from minqing.appeals.models import Category

pytestmark = pytest.mark.django_db


def plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Bitmap scans priced out too: on a few rows the planner's choice between a bitmap and an ordered
            # index scan follows whatever statistics earlier tests left (a full run once chose a bitmap on
            # deleted_at); the question here is which index can serve the query, as at 1 M.
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute("SET LOCAL enable_bitmapscan = off")
            cur.execute("EXPLAIN " + sql, params)
            return "\n".join(r[0] for r in cur.fetchall())
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(r[-1] for r in cur.fetchall())


def full_scans(text: str) -> list[str]:
    """Lines that read the appeals table whole: a bare SCAN (SQLite) or a Seq Scan (PostgreSQL)."""
    pattern = r"^\s*(SCAN appeals_appeal\s*$|.*Seq Scan on appeals_appeal\b)"
    return [line for line in text.splitlines() if re.search(pattern, line)]


def appeal_indexes(text: str) -> set[str]:
    found = set(re.findall(r"USING (?:COVERING )?INDEX (\w+)", text))  # SQLite
    found |= set(re.findall(r"Index (?:Only )?Scan(?: Backward)? using (\w+) on appeals_appeal", text))
    return {name for name in found if name.startswith(("appeal_", "appeals_appeal_"))}


@pytest.fixture
def listed(county, register):
    cat = Category.objects.create(code="T01", name="道路交通", level=1)
    child = Category.objects.create(code="T01.01", name="道路", level=2, parent=cat)
    register(title="甲村道路", category=child.pk)
    register(region=county.village_b.code, actor=county.cadre_b, title="乙村的事")
    return {"cat": cat, "child": child}


LIST = {"appeal_list_group", "appeal_list_category"}
CASES = [  # (who, filters, True: the page comes off a list index already in order — no sort)
    ("cadre_a", {}, False),
    ("cadre_a", {"region": "511722100201"}, False),
    ("township_leader", {}, False),
    ("township_leader", {"group": "open"}, True),
    ("county_leader", {}, False),
    ("county_leader", {"group": "open"}, True),
    ("county_leader", {"group": "open", "category": "cat"}, True),
    ("county_leader", {"category": "child"}, False),
]


def sorts(text: str) -> bool:
    return "TEMP B-TREE FOR ORDER BY" in text or bool(re.search(r"^\s*(->\s*)?(Incremental )?Sort\b", text, re.M))


@pytest.mark.parametrize(("who", "filters", "ordered"), CASES)
def test_the_page_and_its_count_use_an_index(county, listed, who, filters, ordered):
    kw = {k: (listed[v].pk if k == "category" else v) for k, v in filters.items()}
    qs = queries.appeals_for(county.users[who], **kw)
    page = plan(listing.rows(qs)[:26])
    count = plan(qs.select_related(None).order_by().values("id")[: listing.EXACT_UP_TO + 1])
    for text in (page, count):
        assert not full_scans(text), text
        assert appeal_indexes(text), text
    if ordered:
        assert appeal_indexes(page) & LIST and not sorts(page), page


def test_a_deep_page_by_cursor_seeks_the_index(county, listed):
    qs = queries.appeals_for(county.county_leader, group="open")
    first = listing.page(qs, size=1)
    assert first.next is not None
    text = plan(listing.rows(qs).filter(listing._after(first.next))[:26])
    assert not full_scans(text) and appeal_indexes(text) & LIST and not sorts(text), text


def test_a_category_filter_reads_no_category_tree_join(county, listed):
    sql = str(queries.appeals_for(county.county_leader, category=listed["cat"].pk).query)
    where = sql[sql.index(" WHERE "):]
    assert '"appeals_appeal"."category_id" IN' in where and "parent_id" not in where
    assert sql.count('JOIN "appeals_category"') <= 1  # the one join that names the class, not the tree
