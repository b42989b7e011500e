"""An N+1 fails here: the main lists, the dashboard and the API lists run no more statements with
many rows than with a few (each page is asked once to warm its caches, then measured)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.appeals import services

pytestmark = pytest.mark.django_db

PAGES = ["/", "/appeals/", "/dashboards/", "/disputes/", "/disputes/risks/", "/households/"]
API_LISTS = ["/api/v1/appeals", "/api/v1/disputes", "/api/v1/households"]
_seq = itertools.count(1)


def _add_cases(county, n: int) -> None:
    """n appeals of village A and B: assigned to a unit and a person, with a second reporter, and a
    dispute among them (the disputes part adopts it through the appeals hooks)."""
    for i in range(n):
        cadre, village = (county.cadre_a, county.village_a) if i % 2 else (county.cadre_b, county.village_b)
        hh = county.households["a1" if i % 2 else "b1"]
        a = services.register_appeal(actor=cadre, region=village.code, kind="dispute" if i % 3 == 0 else "problem",
                                     channel="visit", title=f"事项{next(_seq)}", text="邻里因排水沟发生争执",
                                     household=hh, reporter_name="张三", phone="13812345678")
        services.do_assign(a, actor=cadre, unit=county.units["housing"], person=county.dept_handler, measures="处理")
        services.add_report(a, actor=cadre, channel="phone", text="再次反映", reporter_name="李四")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", PAGES)
def test_pages_do_not_grow_with_their_rows(county, login, url, django_assert_max_num_queries):
    client = login(county.township_leader)
    _add_cases(county, 2)
    client.get(url)
    few = _count(client, url)
    _add_cases(county, 10)
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", API_LISTS)
def test_api_lists_do_not_grow_with_their_rows(county, client, bearer, url, django_assert_max_num_queries):
    headers = bearer(county.township_leader)
    _add_cases(county, 2)
    client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        before = client.get(url, headers=headers).json()["count"]
    few = len(ctx.captured_queries)
    _add_cases(county, 10)
    with django_assert_max_num_queries(few):
        r = client.get(url, headers=headers)
    assert r.status_code == 200
    assert r.json()["count"] > before or url.endswith("/households")  # the households are the county's own
