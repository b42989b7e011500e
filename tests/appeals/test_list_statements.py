"""The appeal list's request path, bounded (docs/decisions/0063-list22-request-path.md): the statements one
API list request sends — a statement added to every request (a middleware's look-up, a second read
of the posts, a session written back) fails here — and the bytes of its answer, which are built
without the schema's validation and must stay the schema's."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from minqing.appeals.api import AppealPage
from minqing.appeals.models import Category

pytestmark = pytest.mark.django_db

# A logged-in session: the session row, the person, the second-factor check with the posts held today (one
# statement: the jurisdiction reads them there), the category's subtree, the page with its capped count in it.
SESSION_LIST = 5
# A bearer token: the token with its person, the posts, the category's subtree, the page.
TOKEN_LIST = 4


@pytest.fixture
def listed(county, register):
    cat = Category.objects.create(code="L01", name="城乡建设", level=1)
    leaf = Category.objects.create(code="L01.01", name="住房", level=2, parent=cat)
    for n in range(4):
        register(county.cadre_a, title=f"列表{n}", category=leaf.pk if n % 2 else None)
    return cat  # the filter takes the class with its subtree


def _statements(client, params, **headers) -> list[str]:
    client.get("/api/v1/appeals", params, headers=headers)  # warm: caches, the session's first push
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/api/v1/appeals", params, headers=headers)
    assert r.status_code == 200, r.content[:300]
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("params", [{"limit": 25}, {"group": "open", "limit": 25}, "category"])
def test_a_session_list_request_sends_at_most_five_statements(county, login, listed, params):
    params = {"category": listed.pk, "group": "open", "limit": 25} if params == "category" else params
    sql = _statements(login(county.township_leader), params)
    assert len(sql) <= SESSION_LIST, "\n".join(sql)
    assert not any("django_session" in s and not s.lstrip().upper().startswith("SELECT") for s in sql), sql


def test_a_token_list_request_sends_at_most_four_statements(county, client, bearer, listed):
    sql = _statements(client, {"category": listed.pk, "limit": 25}, **bearer(county.township_leader))
    assert len(sql) <= TOKEN_LIST, "\n".join(sql)


def test_the_answer_is_the_schemas(county, login, listed):
    client = login(county.township_leader)
    for params in ({"limit": 2}, {"limit": 25}, {"category": listed.pk, "limit": 25}):
        r = client.get("/api/v1/appeals", params)
        assert r["Content-Type"] == "application/json; charset=utf-8"
        again = AppealPage.model_validate(json.loads(r.content)).model_dump()
        assert r.content.decode() == json.dumps(again, cls=NinjaJSONEncoder)
        assert again["items"] and again["count"] == (4 if "category" not in params else 2)


def test_an_unchanged_session_is_not_written_until_its_end_is_a_minute_old(county, login, settings):
    client = login(county.township_leader)
    client.get("/api/v1/appeals")  # the first request after the log-in
    row = Session.objects.get()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/appeals").status_code == 200
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert Session.objects.get().expire_date == row.expire_date
    # the end was pushed longer ago than SESSION_REFRESH_SECONDS: this request pushes it again
    old = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS - 5)
    Session.objects.update(expire_date=old)
    assert client.get("/api/v1/appeals").status_code == 200
    assert Session.objects.get().expire_date > old + dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS)


def test_a_session_ended_elsewhere_ends_at_once(county, login):
    client = login(county.township_leader)
    assert client.get("/api/v1/appeals").status_code == 200
    Session.objects.all().delete()  # logged out in another tab, or ended by the administrator
    assert client.get("/api/v1/appeals").status_code == 401
