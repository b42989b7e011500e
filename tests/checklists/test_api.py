"""The checklists API (bearer tokens), and answers carried by the offline sync."""

from __future__ import annotations

import json

import pytest

from minqing.checklists.models import ChecklistAnswer, ChecklistResponse
from minqing.fieldwork.models import Visit

from .helpers import ITEMS, PASS_ALL, at, make_checklist, visit, year

pytestmark = pytest.mark.django_db


def _sync(client, headers, records):
    return client.post("/api/v1/sync", data=json.dumps({"device": "test-phone", "records": records}),
                       content_type="application/json", headers=headers)


def _record(county, version, cid="v-1", answers=None, when="03-05"):
    return {"client_id": cid, "type": "visit",
            "data": {"household": county.households["a1"].pk, "visited_at": at(when).isoformat(), "note": "走访",
                     "checklist": {"version": version.pk, "answers": answers or {**PASS_ALL, "income": 3000}}}}


def test_offline_sync_carries_the_checklist_and_a_resend_is_a_duplicate(county, client, bearer):
    from minqing.checklists.services import current_version

    v = current_version(make_checklist(county))
    headers = bearer(county.cadre_a)
    first = _sync(client, headers, [_record(county, v)]).json()["results"][0]
    assert first["status"] == "applied"
    response = ChecklistResponse.objects.get(visit_id=first["id"])
    assert response.version_id == v.pk and response.failed == 1
    assert ChecklistAnswer.objects.get(response=response, item__code="income").passed is False
    again = _sync(client, headers, [_record(county, v)]).json()["results"][0]
    assert (again["status"], again["id"]) == ("duplicate", first["id"])
    assert ChecklistResponse.objects.count() == 1 and ChecklistAnswer.objects.count() == len(PASS_ALL)


def test_an_invalid_checklist_rejects_the_whole_visit(county, client, bearer):
    from minqing.checklists.services import current_version

    v = current_version(make_checklist(county))
    bad = _record(county, v, cid="v-bad", answers={"water": "很好"})
    result = _sync(client, bearer(county.cadre_a), [bad]).json()["results"][0]
    assert result["status"] == "rejected" and "选项" in result["reason"]
    assert not Visit.objects.filter(client_id="v-bad").exists() and not ChecklistResponse.objects.exists()
    plain = _record(county, v, cid="v-plain")
    del plain["data"]["checklist"]
    assert _sync(client, bearer(county.cadre_a), [plain]).json()["results"][0]["status"] == "applied"


def test_forms_answer_and_appeal_through_the_api(county, client, bearer):
    make_checklist(county)
    headers = bearer(county.cadre_a)
    forms = client.get("/api/v1/checklists/forms", headers=headers).json()
    assert forms["count"] == 1
    form = forms["items"][0]
    assert [i["code"] for i in form["items"]] == [i["code"] for i in ITEMS] and form["frozen"] is False
    vis = visit(county.cadre_a, county.households["a1"], "04-02")
    url = f"/api/v1/checklists/visits/{vis.pk}/answers"
    bad = client.post(url, {"version": form["version"], "answers": {"income": "abc"}},
                      content_type="application/json", headers=headers)
    assert bad.status_code == 422 and "数字" in bad.json()["detail"]
    made = client.post(url, {"version": form["version"], "answers": {**PASS_ALL, "medical": False}},
                       content_type="application/json", headers=headers)
    assert made.status_code == 201 and made.json()["failed"] == 1
    listed = client.get(url, headers=headers).json()
    assert listed["count"] == 1
    medical = next(a for a in listed["items"][0]["answers"] if a["item"] == "medical")
    assert medical["passed"] is False and medical["value"] is False
    raised = client.post(f"/api/v1/checklists/answers/{medical['id']}/appeal", {"text": "慢性病报销难"},
                         content_type="application/json", headers=headers)
    assert raised.status_code == 201 and raised.json()["created"] is True
    again = client.post(f"/api/v1/checklists/answers/{medical['id']}/appeal", {},
                        content_type="application/json", headers=headers)
    assert again.status_code == 200 and again.json()["appeal"] == raised.json()["appeal"]
    assert client.get("/api/v1/checklists/forms", headers=headers).json()["items"][0]["frozen"] is True


def test_counts_and_clearance_endpoints(answered, client, bearer):
    c = answered
    y = year()
    body = client.get(f"/api/v1/checklists/counts?region={c.county.code}&from={y}-01-01&to={y}-12-31",
                      headers=bearer(c.county_leader)).json()
    income = next(r for r in body["items"] if r["item"] == "income")
    assert (income["checked"], income["failing"], income["cleared"], income["open"]) == (5, 2, 1, 1)
    assert body["households"] == {"checked": 5, "failing": 3, "cleared": 1, "open": 2}
    rounds = client.get(f"/api/v1/checklists/clearance?region={c.county.code}&year={y}",
                        headers=bearer(c.county_leader)).json()["rounds"]
    assert [r["cleared"] for r in rounds] == [0, 0, 1, 1]
    # A village cadre: own village yes, the neighbour's no (404), default = own village.
    own = client.get(f"/api/v1/checklists/counts?from={y}-01-01&to={y}-12-31", headers=bearer(c.cadre_a)).json()
    assert own["region"] == c.village_a.code and own["households"]["checked"] == 2
    assert client.get(f"/api/v1/checklists/counts?region={c.village_b.code}",
                      headers=bearer(c.cadre_a)).status_code == 404
    bad = client.get(f"/api/v1/checklists/counts?region={c.county.code}&from=2024-13-01",
                     headers=bearer(c.county_leader))
    assert bad.status_code == 422


def test_define_and_version_through_the_api(county, client, bearer):
    headers = bearer(county.county_leader)
    made = client.post("/api/v1/checklists", {"county": county.county.code, "code": "water", "name": "安全饮水",
                                              "tags": ["jiance"], "items": ITEMS[5:6]},
                       content_type="application/json", headers=headers)
    assert made.status_code == 201 and made.json()["number"] == 1
    nxt = client.post("/api/v1/checklists/versions", {"checklist": made.json()["checklist"], "items": ITEMS[5:7]},
                      content_type="application/json", headers=headers)
    assert nxt.status_code == 201 and nxt.json()["number"] == 2 and len(nxt.json()["items"]) == 2
    denied = client.post("/api/v1/checklists", {"county": county.county.code, "code": "x", "name": "x",
                                                "items": ITEMS[:1]},
                         content_type="application/json", headers=bearer(county.cadre_a))
    assert denied.status_code == 403


def test_the_report_page(answered, login):
    y = year()
    page = login(answered.county_leader).get(f"/checklists/?from={y}-01-01&to={y}-12-31")
    assert page.status_code == 200
    text = page.content.decode()
    assert "人均纯收入" in text and "甲村" in text and "分项统计" in text  # zh_Hans catalogue
    assert login(answered.cadre_a).get(f"/checklists/?region={answered.village_b.code}").status_code == 404


def test_the_household_page_opens_an_appeal_in_one_step(answered, login):
    c = answered
    client = login(c.cadre_a)
    page = client.get(f"/checklists/households/{c.households['a1'].pk}/")
    assert page.status_code == 200 and "饮水安全" in page.content.decode()
    water = ChecklistAnswer.objects.filter(household=c.households["a1"], item__code="water").first()
    done = client.post(f"/checklists/answers/{water.pk}/appeal/")
    assert done.status_code == 302 and done.url == f"/appeals/{water.appeal_link.appeal_id}/"
    again = client.get(f"/checklists/households/{c.households['a1'].pk}/").content.decode()
    assert water.appeal_link.appeal.number in again  # linked: the button became the case number
    assert client.get(f"/checklists/households/{c.households['b1'].pk}/").status_code == 404
