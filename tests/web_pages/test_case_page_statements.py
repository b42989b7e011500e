"""The case page (/appeals/ID/) reads as many statements with three times the cases around it: for a
county leader, a township leader and a village cadre, the page of one case — merged into by one,
with similar open, paused and recently closed cases in its village, township and county — takes the
same number of statements after the other cases triple (none of its reads is per candidate or per row),
and every similar case it names stays inside the user's jurisdiction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minqing.appeals import services
from minqing.appeals.models import Appeal

pytestmark = pytest.mark.django_db

TITLE, TEXT = "村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见"


def more_cases(county, n: int) -> None:
    """n cases like the one on the page, spread over the county: open, paused and recently closed."""
    places = [county.village_a, county.village_b, county.village_c]
    for i in range(n):
        place = places[i % 3]
        actor = county.township_leader if place != county.village_c else None
        a = services.register_appeal(actor=actor, region=place.code, kind="problem", channel="visit",
                                     title=TITLE, text=f"{TEXT}（第{i}次）", reporter_name="",
                                     received_at=timezone.now() - dt.timedelta(days=i % 20 + 1))
        if i % 3 == 1:
            Appeal.objects.filter(pk=a.pk).update(group="solved", status="closed_solved",
                                                  closed_at=timezone.now() - dt.timedelta(days=5))
        elif i % 5 == 2:
            Appeal.objects.filter(pk=a.pk).update(group="paused", status="suspended")


def statements(client, case) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/appeals/{case.pk}/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("who", ["county_leader", "township_leader", "cadre_a"])
def test_the_case_pages_statements_do_not_grow_with_the_cases_around_it(county, stages, login, who):
    case = stages.registered(title=TITLE, text=TEXT)
    stages.merged()  # a merge elsewhere: the page reads the cases merged into *this* one
    services.merge(stages.registered(title=TITLE, text=TEXT), case, actor=county.cadre_a)
    client = login(county.users[who])
    more_cases(county, 4)
    first, page = statements(client, case)
    assert 'id="similar"' in page
    more_cases(county, 8)
    again, page = statements(client, case)
    assert again == first, (first, again)
    similar = page[page.index('id="similar"'):page.index("</section>", page.index('id="similar"'))]
    if who == "cadre_a":  # village A's cadre: nothing of village B or of the other township
        assert "（第1次）" not in similar and "（第2次）" not in similar
