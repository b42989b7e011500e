"""Registering enterprises, pairing leaders, visits and their appeals; the API and pages."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals.models import Appeal
from minqing.audit.models import Event
from minqing.enterprises import services as s
from minqing.enterprises.models import EnterpriseAppeal, EnterpriseVisit

from .conftest import at, year

pytestmark = pytest.mark.django_db


def test_register_validates_and_masks_the_phone(county):
    with pytest.raises(ValidationError, match="电话号码无效"):
        s.register_enterprise(actor=county.county_leader, region=county.town.code, name="厂", kind="enterprise",
                              phone="12345")
    with pytest.raises(PermissionDenied):
        s.register_enterprise(actor=county.cadre_a, region=county.village_a.code, name="厂", kind="enterprise")
    with pytest.raises(ValidationError, match="类型"):
        s.register_enterprise(actor=county.county_leader, region=county.town.code, name="厂", kind="shop")
    e = s.register_enterprise(actor=county.township_leader, region=county.village_a.code, name="甲村砖厂",
                              kind="enterprise", phone="13711112222")
    assert e.phone_masked == "137****2222" and "13711112222" not in e.phone_enc
    assert not Event.objects.filter(changes__icontains="13711112222").exists()
    with pytest.raises(ValidationError, match="县级领导或县级部门"):
        s.pair_leader(e, county.cadre_a, actor=county.county_leader)
    s.pair_leader(e, county.county_leader, actor=county.county_leader)
    with pytest.raises(ValidationError, match="已联系"):
        s.pair_leader(e, county.county_leader, actor=county.county_leader)


def test_a_visit_raises_appeals_of_the_enterprise_once(liaison):
    e1 = liaison.enterprises["e1"]
    items = [{"title": "道路", "text": "进厂道路破损，货车难以通行", "client_id": "ea-1"}, {"text": "缺少技术工人"}]
    v, created = s.record_visit(actor=liaison.county_leader, enterprise=e1, visited_at=at("07-01"),
                                raised="道路、用工", appeals=items, client_id="ev-1")
    assert created and EnterpriseAppeal.objects.filter(visit=v).count() == 2
    link = EnterpriseAppeal.objects.get(client_id="ea-1")
    appeal = link.appeal
    assert appeal.region_id == e1.region_id and appeal.channel == "visit" and "甲镇天然气净化厂" in appeal.title
    assert appeal.events.filter(action="register").exists()
    again, created = s.record_visit(actor=liaison.county_leader, enterprise=e1, visited_at=at("07-01"),
                                    appeals=items, client_id="ev-1")
    assert (again.pk, created) == (v.pk, False) and Appeal.objects.count() == 2
    with pytest.raises(PermissionDenied):  # village A's cadre cannot see village B's enterprise
        s.record_visit(actor=liaison.cadre_a, enterprise=liaison.enterprises["e3"], visited_at=at("07-01"))


def test_the_api(liaison, client, bearer):
    c = liaison
    headers = bearer(c.county_leader)
    listed = client.get("/api/v1/enterprises", headers=headers).json()
    assert listed["count"] == 3
    e1 = next(e for e in listed["items"] if e["name"] == "甲镇天然气净化厂")
    assert e1["phone"] == "137****2222" and {x["name"] for x in e1["leaders"]} == {"county_leader", "county_head"}
    detail = client.get(f"/api/v1/enterprises/{e1['id']}", headers=headers)
    assert detail.status_code == 200 and "13711112222" not in detail.content.decode()
    assert len(detail.json()["visits"]) == 10

    body = {"enterprise": e1["id"], "visited_at": at("07-02").isoformat(), "raised": "融资难", "client_id": "ev-9",
            "appeals": [{"text": "申请贷款贴息", "client_id": "ea-9"}]}
    first = client.post("/api/v1/enterprises/visits", json.dumps(body), content_type="application/json",
                        headers=headers)
    assert first.status_code == 201 and first.json()["status"] == "applied" and len(first.json()["appeals"]) == 1
    resent = client.post("/api/v1/enterprises/visits", json.dumps(body), content_type="application/json",
                         headers=headers)
    assert resent.status_code == 200 and resent.json()["status"] == "duplicate"
    assert resent.json()["id"] == first.json()["id"] and EnterpriseVisit.objects.filter(client_id="ev-9").count() == 1

    y = year()
    report = client.get(f"/api/v1/enterprises/liaison?region={c.county.code}&period={y}-03", headers=headers).json()
    assert {r["name"]: r["status"] for r in report["rows"]} == {
        "county_leader": "green", "dept_head": "red", "leader2": "red", "county_head": "green"}
    assert client.get(f"/api/v1/enterprises/liaison?region={c.county.code}&period={y}-13",
                      headers=headers).status_code == 422
    assert client.get(f"/api/v1/enterprises/liaison?region={c.county.code}",
                      headers=bearer(c.cadre_a)).status_code == 404
    # village A's cadre sees village A's project only
    mine = client.get("/api/v1/enterprises", headers=bearer(c.cadre_a)).json()
    assert [e["name"] for e in mine["items"]] == ["甲村乡村振兴示范项目"]

    raised = client.post(f"/api/v1/enterprises/{e1['id']}/appeals", {"title": "用电", "text": "需增容变压器"},
                         content_type="application/json", headers=headers)
    assert raised.status_code == 201
    made = client.post("/api/v1/enterprises", {"region": c.town.code, "name": "新项目", "kind": "project"},
                       content_type="application/json", headers=headers)
    assert made.status_code == 201
    paired = client.post(f"/api/v1/enterprises/{made.json()['id']}/pairings", {"leader": c.leader2.pk},
                         content_type="application/json", headers=headers)
    assert paired.status_code == 201


def test_pages(liaison, login):
    y = year()
    page = login(liaison.county_leader).get(f"/enterprises/?period={y}-03")
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲镇天然气净化厂" in text and "137****2222" in text and "13711112222" not in text
    assert "联系领导每月走访" in text  # zh_Hans catalogue
    e1 = liaison.enterprises["e1"]
    client = login(liaison.county_leader)
    assert client.get(f"/enterprises/{e1.pk}/").status_code == 200
    posted = client.post(f"/enterprises/{e1.pk}/visits/", {"visited_at": at("07-03").strftime("%Y-%m-%dT%H:%M"),
                                                           "raised": "物流", "appeal": "物流园区道路需拓宽"})
    assert posted.status_code == 302
    assert EnterpriseAppeal.objects.filter(enterprise=e1, visit__raised="物流").count() == 1


def test_an_appeal_of_the_enterprise_keeps_the_category_chosen(liaison, client, bearer):
    from minqing.appeals.categories import seed_categories

    cat = seed_categories()["S01"]
    e1 = liaison.enterprises["e1"]
    appeal, created = s.raise_appeal(e1, actor=liaison.county_leader, title="用工", text="用工紧张，希望协调招工",
                                     category=cat.code)
    assert created and appeal.category_id == cat.pk and appeal.category_source == "person"
    headers = bearer(liaison.county_leader)
    before = Appeal.objects.count()
    bad = client.post(f"/api/v1/enterprises/{e1.pk}/appeals", {"text": "融资难", "category": "NO-SUCH"},
                      content_type="application/json", headers=headers)
    assert bad.status_code in (400, 422) and "类别" in bad.json()["detail"] and Appeal.objects.count() == before
    body = {"enterprise": e1.pk, "visited_at": at("07-03").isoformat(),
            "appeals": [{"text": "进厂道路破损", "category": cat.code, "client_id": "ea-c"}]}
    made = client.post("/api/v1/enterprises/visits", json.dumps(body), content_type="application/json",
                       headers=headers)
    assert made.status_code == 201
    assert EnterpriseAppeal.objects.get(client_id="ea-c").appeal.category_id == cat.pk
