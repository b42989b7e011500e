"""Keyset pages of the appeal list (no row twice, none missed, stable while new appeals arrive), the
count that stops counting (exact up to the threshold, then "约 N" or "超过 N" said so) and a
category filtered with its subtree by the stored path — through the API and the workbench page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from minqing.appeals import listing, queries
from minqing.appeals.models import Appeal, Category
from minqing.web.views import appeals as appeal_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(county, register):
    """12 appeals of village A, three of them received at the very same moment (ties broken by id)."""
    made = [register(title=f"分页{n:02d}") for n in range(12)]
    same = timezone.now() - dt.timedelta(days=3)
    Appeal.objects.filter(pk__in=[a.pk for a in made[4:7]]).update(received_at=same)
    return made


def _walk(qs, size: int) -> list[int]:
    seen, after = [], None
    while True:
        page = listing.page(qs, size=size, after=after)
        seen += [a.pk for a in page.rows]
        if page.next is None:
            return seen
        after = page.next


def test_cursor_pages_give_every_row_once_in_order(county, many):
    qs = queries.appeals_for(county.cadre_a)
    expected = list(qs.order_by("-received_at", "-id").values_list("pk", flat=True))
    for size in (1, 2, 5, 12, 50):
        assert _walk(qs, size) == expected, size


def test_a_page_is_stable_while_new_appeals_arrive(county, many, register):
    qs = queries.appeals_for(county.cadre_a)
    first = listing.page(qs, size=5)
    register(title="新来的")  # newest: lands before page 1, must not shift page 2
    second = listing.page(qs, size=5, after=first.next)
    expected = list(qs.order_by("-received_at", "-id").values_list("pk", flat=True))
    start = expected.index(first.rows[-1].pk) + 1
    assert [a.pk for a in second.rows] == expected[start:start + 5]
    assert not {a.pk for a in first.rows} & {a.pk for a in second.rows}


def test_before_goes_back_to_the_same_rows(county, many):
    qs = queries.appeals_for(county.cadre_a)
    first = listing.page(qs, size=4)
    second = listing.page(qs, size=4, after=first.next)
    back = listing.page(qs, size=4, before=second.prev)
    assert [a.pk for a in back.rows] == [a.pk for a in first.rows]


def test_a_cursor_round_trips_exactly():
    at = dt.datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    assert listing.Cursor.parse(str(listing.Cursor(at, 77))) == listing.Cursor(at, 77)
    with pytest.raises(listing.BadCursor):
        listing.Cursor.parse("abc-1")


def test_the_count_is_exact_up_to_the_threshold_then_said_as_more(county, many):
    qs = queries.appeals_for(county.cadre_a)
    assert listing.count(qs, up_to=12) == listing.Count(12, exact=True)
    over = listing.count(qs, up_to=5)
    assert not over.exact and over.n >= 6


def test_the_page_says_more_than_or_about(county, login, many, monkeypatch):
    client = login(county.cadre_a)
    exact = client.get("/appeals/").content.decode()
    assert "共 12 条诉求" in exact
    monkeypatch.setattr(listing, "EXACT_UP_TO", 5)
    monkeypatch.setattr(appeal_views, "PAGE_SIZE", 5)  # a next page, so the pager shows
    monkeypatch.setattr(listing.count, "__defaults__", (5,))
    monkeypatch.setattr(listing, "estimate", lambda qs: None)  # SQLite's way: a lower bound
    assert "超过 5 条诉求" in client.get("/appeals/").content.decode()
    monkeypatch.setattr(listing, "estimate", lambda qs: 1234)  # PostgreSQL's way: the planner's estimate
    text = client.get("/appeals/").content.decode()
    assert "约 1234 条诉求" in text and "第 1 页" in text
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/appeals/").content.decode()
    assert "About 1234 appeals" in english and "Page 1" in english
    monkeypatch.setattr(listing, "estimate", lambda qs: None)
    assert "More than 5 appeals" in client.get("/appeals/").content.decode()


def test_the_planner_estimate_is_a_number_on_postgresql(county, many):
    from django.db import connection

    guess = listing.estimate(queries.appeals_for(county.cadre_a).order_by().values("id"))
    assert (guess is None) == (connection.vendor != "postgresql")
    if guess is not None:
        assert guess >= 1


def test_the_workbench_pages_by_cursor(county, login, many):
    client = login(county.cadre_a)
    first = client.get("/appeals/").content.decode()
    assert "after=" not in first  # 12 rows fit on one page of 25: no next link
    api = client.get("/api/v1/appeals?limit=5").json()
    assert api["count"] == 12 and api["count_exact"] and api["next"]
    second = client.get(f"/api/v1/appeals?limit=5&after={api['next']}").json()
    third = client.get(f"/api/v1/appeals?limit=5&after={second['next']}").json()
    ids = [i["id"] for p in (api, second, third) for i in p["items"]]
    assert len(ids) == len(set(ids)) == 12 and third["next"] is None


def test_the_page_links_carry_the_cursor(county, login, register):
    for n in range(27):
        register(title=f"翻页{n:02d}")
    client = login(county.cadre_a)
    first = client.get("/appeals/").content.decode()
    assert "1 / 2" in first and "page=2&amp;after=" in first
    link = first[first.index("page=2&amp;after="):].split('"')[0].replace("&amp;", "&")
    second = client.get(f"/appeals/?{link}").content.decode()
    assert second.count('class="row-title"') == 2 and "2 / 2" in second and "page=1" in second


def test_bad_cursors_and_deep_offsets_are_refused_in_chinese(county, bearer, many):
    from django.test import Client

    client, h = Client(), bearer(county.cadre_a)
    bad = client.get("/api/v1/appeals?after=xyz", headers=h)
    assert bad.status_code == 400 and "游标" in bad.json()["detail"]
    deep = client.get("/api/v1/appeals?offset=5000", headers=h)
    assert deep.status_code == 400 and "after" in deep.json()["detail"]


def test_a_class_filters_its_whole_subtree_by_path(county, register):
    root = Category.objects.create(code="T01", name="城乡建设", level=1)
    mid = Category.objects.create(code="T01.01", name="住房", level=2, parent=root)
    leaf = Category.objects.create(code="T01.01.01", name="危房", level=3, parent=mid)
    other = Category.objects.create(code="T02", name="交通", level=1)
    a = register(title="危房改造", category=leaf.pk)
    register(title="修路", category=other.pk)
    assert leaf.path == f"/{root.pk}/{mid.pk}/{leaf.pk}/"
    assert list(queries.appeals_for(county.cadre_a, category=root.pk).values_list("pk", flat=True)) == [a.pk]
    # Moving a class moves its subtree's paths with it.
    mid.parent = other
    mid.save()
    leaf.refresh_from_db()
    assert leaf.path == f"/{other.pk}/{mid.pk}/{leaf.pk}/"
    assert a.pk in queries.appeals_for(county.cadre_a, category=other.pk).values_list("pk", flat=True)
    assert not queries.appeals_for(county.cadre_a, category=root.pk).exists()


def test_a_list_query_over_the_time_limit_says_so_in_chinese(county, login, settings, monkeypatch, many):
    from tests.test_api_messages import _slow_query

    settings.STATEMENT_TIMEOUT = 0.2

    def slow(*args, **kwargs):
        _slow_query()

    monkeypatch.setattr(listing, "count", slow)  # the list's own statement runs past the limit (the page's)
    monkeypatch.setattr(listing, "_said", slow)  # (the API's: its count rides in the page's statement)
    client = login(county.cadre_a)
    api = client.get("/api/v1/appeals")
    assert api.status_code == 503 and api.json()["detail"] == "查询范围过大，请缩小条件"
    page = client.get("/appeals/")
    assert page.status_code == 503 and "查询范围过大，请缩小条件" in page.content.decode()
