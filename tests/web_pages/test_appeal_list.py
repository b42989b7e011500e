"""The appeal list: every filter narrows it, htmx gets the results alone, pages, saved views per
user, a whole phone number never rides in the URL, and nothing outside one's jurisdiction shows."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from minqing.appeals import services
from minqing.appeals.models import Appeal, Category
from minqing.web.models import SavedView

pytestmark = pytest.mark.django_db


def _titles(response) -> str:
    text = response.content.decode()
    start = text.index('id="appeal-table"')
    return text[start:text.index("</table>", start)]


@pytest.fixture
def mix(county, stages):
    cat = Category.objects.create(code="T01", name="道路交通", level=1)
    road = stages.registered(title="甲村道路", category=cat.pk)
    petition = stages.registered(title="甲村信访", kind="petition")
    late = stages.overdue(title="甲村逾期")
    solved = services.do_solve_on_spot(stages.registered(title="甲村已解决"), actor=county.cadre_a, what="修好了")
    old = stages.registered(title="甲村去年的")
    Appeal.objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=400))
    b = stages.registered(region=county.village_b.code, actor=county.cadre_b, title="乙村的事")
    return {"road": road, "petition": petition, "late": late, "solved": solved, "old": old, "b": b, "cat": cat}


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("", ["road", "petition", "late", "solved", "old"], ["b"]),
    ("group=solved", ["solved"], ["road", "late"]),
    ("group=open,paused", ["road", "late"], ["solved"]),
    ("kind=petition", ["petition"], ["road"]),
    ("overdue=1", ["late"], ["road", "solved"]),
    ("warning=red", ["late"], ["road"]),
    ("q=信访", ["petition"], ["road"]),
    ("status=solved_on_spot", ["solved"], ["road"]),
    ("region=511722100201", ["road"], ["b"]),
    ("region=511722100202", [], ["road", "b"]),
])
def test_each_filter_narrows_the_list(county, login, mix, query, shown, hidden):
    table = _titles(login(county.cadre_a).get(f"/appeals/?{query}"))
    for key in shown:
        assert mix[key].title in table, (query, key)
    for key in hidden:
        assert mix[key].title not in table, (query, key)


def test_date_category_unit_and_mine_filters(county, login, mix):
    client = login(county.cadre_a)
    today = timezone.localdate().isoformat()
    table = _titles(client.get(f"/appeals/?from={today}&to={today}"))
    assert mix["road"].title in table and mix["old"].title not in table
    table = _titles(client.get(f"/appeals/?category={mix['cat'].pk}"))
    assert mix["road"].title in table and mix["petition"].title not in table
    table = _titles(client.get(f"/appeals/?unit={county.units['housing'].pk}"))
    assert mix["late"].title in table and mix["road"].title not in table
    table = _titles(login(county.dept_handler).get("/appeals/?mine=1"))
    assert mix["late"].title in table and mix["road"].title not in table


def test_a_bad_date_is_reported_in_chinese(county, login, mix):
    text = login(county.cadre_a).get("/appeals/?from=2025-13-45").content.decode()
    assert "开始日期“2025-13-45”不是有效日期" in text


def test_htmx_gets_the_results_alone(county, login, mix):
    response = login(county.cadre_a).get("/appeals/?kind=petition",
                                         headers={"HX-Request": "true", "HX-Target": "appeal-results"})
    text = response.content.decode()
    assert "<html" not in text and 'id="filters"' not in text
    assert mix["petition"].title in text and mix["road"].title not in text


def test_the_list_pages(county, login, stages):
    for n in range(27):
        stages.registered(title=f"分页诉求{n:02d}")
    client = login(county.cadre_a)
    first = client.get("/appeals/?group=open").content.decode()
    assert "1 / 2" in first and "page=2" in first
    second = _titles(client.get("/appeals/?group=open&page=2"))
    assert second.count('class="row-title"') == 2


def test_a_whole_phone_number_never_rides_in_the_url(county, login, stages):
    stages.registered(title="电话查找", text="联系人电话13812345678")
    client = login(county.cadre_a)
    response = client.get("/appeals/?q=13812345678")
    assert response.status_code == 302 and "13812345678" not in response["Location"]
    assert "s=" in response["Location"]


def test_saved_views_are_per_user(county, login, mix):
    client = login(county.cadre_a)
    response = client.post("/appeals/views/", {"name": "逾期的", "query": "overdue=1&page=3&s=abc"})
    assert response.status_code == 302
    view = SavedView.objects.get(user=county.cadre_a)
    assert parse_qs(view.query) == {"overdue": ["1"]}
    page = client.get("/appeals/").content.decode()
    assert "逾期的" in page and f'href="?{view.query}"' in page
    assert _titles(client.get(f"/appeals/?{view.query}")).count('class="row-title"') == 1
    # Another cadre neither sees it nor may delete it.
    other = login(county.cadre_b)
    assert "逾期的" not in other.get("/appeals/").content.decode()
    assert other.post(f"/appeals/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert login(county.cadre_a).post(f"/appeals/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_saved_view_needs_a_name(county, login):
    response = login(county.cadre_a).post("/appeals/views/", {"name": " ", "query": "kind=petition"}, follow=True)
    assert "请给筛选起个名字" in response.content.decode()
    assert urlparse(response.redirect_chain[-1][0]).query == "kind=petition"
    assert not SavedView.objects.exists()


def test_a_department_sees_only_what_its_unit_holds(county, login, mix):
    table = _titles(login(county.dept_handler).get("/appeals/"))
    assert mix["late"].title in table
    assert mix["road"].title not in table and mix["b"].title not in table


def test_an_htmx_search_by_phone_reloads_the_page_without_the_number(county, login, stages):
    client = login(county.cadre_a)
    response = client.get("/appeals/?q=13812345678", headers={"HX-Request": "true", "HX-Target": "appeal-results"})
    assert response.status_code == 204
    assert "13812345678" not in response["HX-Redirect"] and "s=" in response["HX-Redirect"]
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "13812345678" not in page and "完整电话" in page


def _row(text: str, title: str) -> str:
    at = text.index(title)
    return text[text.rindex("<tr", 0, at):text.index("</tr>", at)]


def test_an_estimated_deadline_is_marked_in_its_row_only(county, stages, login, client):
    from minqing.lib.workdays import TZ

    when = dt.datetime(2031, 3, 3, 9, tzinfo=TZ)  # a year whose holidays nobody has entered: estimated
    guess = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="help",
                                     channel="visit", title="甲村预计期限", text="想问问低保怎么申请",
                                     received_at=when, now=when)
    known = stages.registered(title="甲村确定期限")
    assert guess.due_estimated and guess.due_at and known.due_at and not known.due_estimated
    login(county.cadre_a)
    table = _titles(client.get("/appeals/"))
    assert "（预计）" in _row(table, "甲村预计期限") and "尚未公布" in _row(table, "甲村预计期限")
    assert "（预计）" not in _row(table, "甲村确定期限")
