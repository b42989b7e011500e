"""The field API: plan, records, coverage, quotas, funnel."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minqing.fieldwork import services

from .conftest import at

pytestmark = pytest.mark.django_db


def test_plan_lists_my_due_households(county, login):
    services.record_visit(actor=county.cadre_a, household=county.a2, visited_at=timezone.now() - dt.timedelta(days=2))
    items = login(county.cadre_a).get("/api/v1/field/plan").json()["items"]
    # a1 (低保户) never visited: due today; a2 visited two days ago: due in ~3 months, not listed.
    assert items == [{"household": county.a1.pk, "number": "0001", "head_name": "甲村户主1", "village": "甲村",
                      "group": "", "address": "甲村一组1号", "tags": ["dibao"], "last_visit": None,
                      "due_on": timezone.localdate().isoformat(), "overdue": False}]


def test_plan_for_a_past_day_and_by_token(county, client, bearer):
    services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-01-02"))
    r = client.get("/api/v1/field/plan?on=2025-03-01", headers=bearer(county.cadre_a))
    items = {i["number"]: i for i in r.json()["items"]}
    assert items["0001"]["last_visit"] == "2025-01-02" and items["0001"]["due_on"] == "2025-02-01"
    assert items["0001"]["overdue"] is True
    assert Client().get("/api/v1/field/plan").status_code == 401


def test_visit_list_and_detail(county, login):
    v, _ = services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-03-05"), note="日记",
                                 lat=31.5, lng=107.5, help=[{"kind": "condolence_money", "amount": "200"}],
                                 appeals=[{"title": "路", "text": "修路"}])
    c = login(county.cadre_a)
    listed = c.get("/api/v1/field/visits?from=2025-03-01&to=2025-03-31").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == v.pk
    assert c.get("/api/v1/field/visits?from=2025-04-01").json()["count"] == 0
    detail = c.get(f"/api/v1/field/visits/{v.pk}").json()
    assert detail["note"] == "日记" and detail["help"] == [{"kind": "condolence_money", "amount": "200.00",
                                                          "goods": "", "goods_count": 0, "resident": None,
                                                          "note": ""}]
    assert detail["people_met"] == 1 and detail["residents_met"] == [] and detail["cases"] == []
    assert [a["title"] for a in detail["appeals"]] == ["路"] and detail["lat"] == 31.5
    assert login(county.cadre_b).get("/api/v1/field/visits").json()["count"] == 0


def test_activity_list_and_detail(county, login):
    a, _ = services.record_activity(actor=county.cadre_a, kind="outreach", region=county.village_a.code,
                                    held_at=at("2025-03-05", 19), topic="医保政策宣讲", documents="医保缴费通知",
                                    attendance=60)
    c = login(county.cadre_a)
    assert c.get("/api/v1/field/activities?kind=outreach").json()["count"] == 1
    assert c.get("/api/v1/field/activities?kind=reception").json()["count"] == 0
    detail = c.get(f"/api/v1/field/activities/{a.pk}").json()
    assert (detail["kind_label"], detail["attendance"], detail["documents"]) == ("宣讲", 60, "医保缴费通知")


def test_coverage_endpoint(aged_county, login):
    c = aged_county
    services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=at("2025-03-05"))
    client = login(c.township_leader)
    month = client.get(f"/api/v1/coverage?region={c.town.code}&period=2025-03").json()
    assert (month["households"], month["visited"], month["rate"]) == (4, 1, 0.25)
    assert [(k["code"], k["visited"]) for k in month["children"]] == [(c.village_a.code, 1), (c.village_b.code, 0)]
    assert client.get(f"/api/v1/coverage?region={c.town.code}&period=2025-Q1").json()["visited"] == 1
    assert client.get(f"/api/v1/coverage?region={c.town.code}&period=2025").json()["period"] == \
        {"start": "2025-01-01", "end": "2025-12-31"}
    assert client.get(f"/api/v1/coverage?region={c.town.code}&period=2025-04").json()["visited"] == 0
    bad = client.get(f"/api/v1/coverage?region={c.town.code}&period=2025-13")
    assert bad.status_code == 422 and "统计期间" in bad.json()["detail"]
    assert client.get(f"/api/v1/coverage?region={c.town2.code}&period=2025-03").status_code == 404
    assert client.get("/api/v1/coverage?region=xyz").status_code == 404
    assert client.get("/api/v1/coverage?period=2025-03").json()["code"] == c.town.code  # home region


def test_quotas_and_funnel_endpoints(aged_county, login):
    c = aged_county
    services.record_activity(actor=c.county_leader, kind="onsite_office", region=c.village_a.code,
                             held_at=at("2025-02-14"))
    client = login(c.county_leader)
    rows = client.get(f"/api/v1/quotas?region={c.county.code}&period=2025-Q1").json()["rows"]
    onsite = [r for r in rows if r["rule"] == "onsite_office"]
    assert [(r["name"], r["required"], r["done"], r["status"]) for r in onsite] == [("county_leader", 1, 1, "green")]
    funnel = client.get(f"/api/v1/field/funnel?region={c.county.code}&period=2025").json()
    assert funnel == {"visited": 0, "found": 0, "township": 0, "county": 0}
    assert login(c.cadre_a).get(f"/api/v1/quotas?region={c.county.code}&period=2025-Q1").status_code == 404


def test_round_topic_and_lists_endpoints(county, login):
    from minqing.accounts.models import VisitTeam
    from minqing.fieldwork.models import VisitRound

    team = VisitTeam.objects.create(name="甲镇五人走访组", region=county.town, year=2025)
    rnd = VisitRound.objects.create(team=team, region=county.town, year=2025, number=2,
                                    started_on=dt.date(2025, 6, 1), households_visited=40,
                                    households_with_problems=9, sent_to_township=4, sent_to_county=1,
                                    correction_reason="团队自报（走访未在系统登记）",
                                    created_at=at("2025-06-01"), updated_at=at("2025-06-01"))
    rnd.villages.set([county.village_a, county.village_b])
    c = login(county.township_leader)
    body = c.get(f"/api/v1/field/rounds/{rnd.pk}").json()
    assert (body["number"], body["households_with_problems"], body["villages"]) == \
        (2, 9, [county.village_a.code, county.village_b.code])
    assert body["results"]["counted"]["households_with_problems"] == 0  # the correction is shown beside the count
    assert body["results"]["correction_reason"] == "团队自报（走访未在系统登记）"
    topic = services.create_topic(actor=county.township_leader, region=county.town.code, title="茶产业",
                                  leader=county.township_leader, year=2025, subtopics=[{"title": "加工"}])
    assert c.get(f"/api/v1/field/topics/{topic.pk}").json()["subtopics"][0]["title"] == "加工"
    lst = services.prepare_lists(actor=county.cadre_a, village=county.village_a.code, title="清单",
                                 items={"service": ["生存认证"]})
    item = lst.items.get()
    ca = login(county.cadre_a)
    r = ca.post(f"/api/v1/field/list-items/{item.pk}/tick", {"done": True, "note": "已认证"},
                content_type="application/json")
    assert r.json() == {"id": item.pk, "done": True, "done_note": "已认证"}
    assert ca.get(f"/api/v1/field/lists/{lst.pk}").json()["items"][0]["done"] is True
