"""Every message in Chinese (issue 22 item 6) and every query bounded (item 5): wrong types, a body that
is not JSON or too large, an over-long title, offset=-1 or an absurd integer, a one-character search,
a query stopped by the time limit — each a 4xx/503 with a Chinese reason, never a 500 or English."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError, connection, transaction

from minqing.nlp import search
from minqing.ops import querylimits

pytestmark = pytest.mark.django_db


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def appeal(county, **changes):
    body = {"region": county.village_a.code, "kind": "problem", "channel": "visit", "title": "路灯",
            "text": "村口路灯坏了"}
    body.update(changes)
    return body


def post_json(client, url, body):
    return client.post(url, data=body if isinstance(body, (str, bytes)) else json.dumps(body),
                       content_type="application/json")


def test_wrong_types_and_missing_fields_are_named_in_chinese(county, login):
    c = login(county.cadre_a)
    body = appeal(county, household="第三户", anonymous="也许")
    del body["title"]
    r = post_json(c, "/api/v1/appeals", body)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "户：应为整数" in detail and "标题：必填" in detail and "是否匿名：应为 true 或 false" in detail
    assert {e["field"] for e in r.json()["errors"]} == {"户", "标题", "是否匿名"}
    assert "Input should" not in r.content.decode() and "Field required" not in r.content.decode()


def test_a_body_that_is_not_json_is_400_in_chinese(county, login):
    r = post_json(login(county.cadre_a), "/api/v1/appeals", "{title: 路灯")
    assert r.status_code == 400 and r.json()["detail"] == "请求内容不是有效的 JSON"


def test_an_oversize_body_is_413_in_chinese_json_and_page(county, login, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    c = login(county.cadre_a)
    r = post_json(c, "/api/v1/appeals", appeal(county, text="很长" * 10_000))
    assert r.status_code == 413 and "提交的内容太大" in r.json()["detail"]
    page = c.post("/appeals/new/", data={"title": "路灯", "text": "长" * 20_000})
    assert page.status_code == 413
    assert "提交的内容太大" in page.content.decode() and "Bad Request" not in page.content.decode()


def test_a_one_megabyte_title_is_refused_with_its_limit_not_cut(county, login):
    r = post_json(login(county.cadre_a), "/api/v1/appeals", appeal(county, title="t" * 1_000_000))
    assert r.status_code == 422 and "诉求标题不能超过 200 个字" in r.json()["detail"]
    from minqing.appeals.models import Appeal

    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("query", ["offset=-1", "offset=99999999999999999999999999", "offset=1e9999"])
def test_an_offset_out_of_range_is_400_or_422_in_chinese(county, login, query):
    r = login(county.cadre_a).get(f"/api/v1/appeals?{query}")
    assert r.status_code in (400, 422) and chinese(r.json()["detail"])


def test_an_id_beyond_any_integer_is_not_a_500(county, login):
    r = login(county.cadre_a).get("/api/v1/appeals/99999999999999999999999999")
    assert r.status_code in (400, 404) and chinese(r.json()["detail"])


def test_a_one_character_search_is_refused_in_chinese(county, login):
    c = login(county.cadre_a)
    for q in ("路", "a", "路 灯"):
        r = c.get("/api/v1/search", {"q": q})
        assert r.status_code == 422 and "检索词太短" in r.json()["detail"], q
    assert c.get("/api/v1/search", {"q": "路灯"}).status_code == 200
    page = c.get("/nlp/search/", {"q": "路"})
    assert page.status_code == 200 and "检索词太短" in page.content.decode()


def _slow_query() -> None:
    """A query longer than the (shortened) limit on either database."""
    with transaction.atomic(), connection.cursor() as cur:  # a savepoint: the test's transaction survives
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL statement_timeout = 200")
            cur.execute("SELECT pg_sleep(5)")
        else:
            cur.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000000) "
                        "SELECT count(*) FROM n")


def test_a_query_over_the_time_limit_is_503_too_broad(county, login, settings, monkeypatch):
    settings.STATEMENT_TIMEOUT = 0.2

    def slow(*args, **kwargs):
        _slow_query()
        return []

    monkeypatch.setattr(search, "find", slow)  # what the page and the API call
    c = login(county.cadre_a)
    r = c.get("/api/v1/search", {"q": "路灯"})
    assert r.status_code == 503 and r.json()["detail"] == "查询范围过大，请缩小条件"
    page = c.get("/nlp/search/", {"q": "路灯"})
    assert page.status_code == 503 and "查询范围过大，请缩小条件" in page.content.decode()


def test_the_time_limit_interrupts_the_statement_itself(settings):
    settings.STATEMENT_TIMEOUT = 0.2
    with pytest.raises(OperationalError) as caught:
        querylimits._local.deadline = 0.0  # already past: what the middleware sets per request on SQLite
        try:
            _slow_query()
        finally:
            querylimits._local.deadline = None
    assert querylimits.is_timeout(caught.value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the connection option is PostgreSQL's")
def test_postgresql_connections_carry_the_statement_timeout():
    with connection.cursor() as cur:
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone()[0] == "30s"
