"""POST /api/v1/sync: one transaction per record, idempotent resends, reasons, conflicts."""

import json

import pytest
from django.test import Client

from minqing.appeals.models import Appeal, Report
from minqing.fieldwork.models import Activity, FieldAppeal, Visit

from .conftest import cid

pytestmark = pytest.mark.django_db


def visit_record(household, *, key=None, appeal_key=None, **data):
    body = {"household": household.pk, "visited_at": "2025-03-05T10:00:00+08:00", "note": "民情日记",
            "lat": 31.51, "lng": 107.71, "tags_add": [], "tags_remove": [],
            "help": [{"kind": "survival_check", "amount": None, "goods": "", "note": "社保生存认证"}],
            "appeals": [{"client_id": appeal_key or cid(), "title": "饮水困难", "text": "自来水经常停水",
                         "kind": "problem", "solved_on_spot": False, "what": ""}]}
    body.update(data)
    return {"client_id": key or cid(), "type": "visit", "id": None, "base_version": None, "data": body}


def post(client, records, headers=None, device="phone-1"):
    return client.post("/api/v1/sync", data=json.dumps({"device": device, "records": records}),
                       content_type="application/json", headers=headers or {})


def test_batch_applies_each_record_and_reports_its_fate(county, login):
    c = login(county.cadre_a)
    appeal_key = cid()
    records = [
        visit_record(county.a1, appeal_key=appeal_key),
        visit_record(county.b1),  # village B: not cadre A's
        {"client_id": cid(), "type": "activity", "id": None, "base_version": None,
         "data": {"kind": "courtyard", "region": county.village_a.code, "held_at": "2025-03-06T19:00:00+08:00",
                  "place": "甲村院坝", "topic": "人居环境整治", "attendance": 35, "note": "",
                  "appeals": [{"client_id": cid(), "title": "垃圾清运", "text": "垃圾清运不及时",
                               "household": county.a2.pk, "solved_on_spot": False}]}},
        {"client_id": cid(), "type": "appeal", "id": None,
         "data": {"region": county.village_a.code, "household": None, "title": "路灯坏了", "text": "村口路灯坏了",
                  "kind": "problem", "reporter_name": "张三", "phone": "13800138000"}},
        {"client_id": cid(), "type": "activity", "data": {"kind": "courtyard", "region": county.village_a.code,
                                                          "held_at": "2999-01-01T10:00:00+08:00"}},
    ]
    r = post(c, records)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied", "rejected", "applied", "applied", "rejected"]
    assert [x["client_id"] for x in results] == [x["client_id"] for x in records]
    visit = Visit.objects.get(pk=results[0]["id"])
    assert visit.device == "phone-1" and results[0]["version"] == 1 and visit.help.count() == 1
    assert results[0]["appeals"] == [{"client_id": appeal_key, "id": FieldAppeal.objects.get(visit=visit).appeal_id,
                                      "status": "applied"}]
    assert results[1]["reason"] == "不在您的管辖范围内" and results[1]["id"] is None
    assert "不能晚于当前时间" in results[4]["reason"]
    assert Activity.objects.count() == 1 and Visit.objects.count() == 1
    assert Appeal.objects.count() == 3  # visit's, activity's, the lone one
    lone = Appeal.objects.get(pk=results[3]["id"])
    assert lone.channel == "visit" and lone.reports.get().phone_masked.startswith("138")
    assert "13800138000" not in json.dumps(r.json(), ensure_ascii=False)


def test_resending_the_same_batch_changes_nothing(county, login):
    c = login(county.cadre_a)
    key, appeal_key = cid(), cid()
    records = [visit_record(county.a1, key=key, appeal_key=appeal_key),
               {"client_id": cid(), "type": "appeal", "data": {"region": county.village_a.code, "title": "路",
                                                                "text": "修路", "kind": "problem"}}]
    first = post(c, records).json()["results"]
    counts = (Visit.objects.count(), Appeal.objects.count(), Report.objects.count(), FieldAppeal.objects.count())
    second = post(c, records).json()["results"]
    assert [x["status"] for x in first] == ["applied", "applied"]
    assert [x["status"] for x in second] == ["duplicate", "duplicate"]
    assert [x["id"] for x in second] == [x["id"] for x in first]
    assert second[0]["appeals"] == [{"client_id": appeal_key, "id": first[0]["appeals"][0]["id"],
                                     "status": "duplicate"}]
    assert (Visit.objects.count(), Appeal.objects.count(), Report.objects.count(),
            FieldAppeal.objects.count()) == counts == (1, 2, 2, 2)


def test_a_duplicate_inside_one_batch(county, login):
    c = login(county.cadre_a)
    record = visit_record(county.a1)
    results = post(c, [record, record]).json()["results"]
    assert [x["status"] for x in results] == ["applied", "duplicate"]
    assert results[0]["id"] == results[1]["id"] and Visit.objects.count() == 1


def test_an_update_on_an_old_version_is_a_conflict(county, login):
    c = login(county.cadre_a)
    created = post(c, [visit_record(county.a1)]).json()["results"][0]
    update = {"client_id": cid(), "type": "visit", "id": created["id"], "base_version": 1,
              "data": {"note": "补充：屋后有滑坡隐患"}}
    applied = post(c, [update]).json()["results"][0]
    assert applied["status"] == "applied" and applied["version"] == 2
    assert post(c, [update]).json()["results"][0]["status"] == "duplicate"  # the same update again
    stale = {"client_id": cid(), "type": "visit", "id": created["id"], "base_version": 1,
             "data": {"note": "另一台手机的旧版本"}}
    conflict = post(c, [stale]).json()["results"][0]
    assert conflict["status"] == "conflict" and conflict["version"] == 2 and "已被他人修改" in conflict["reason"]
    assert Visit.objects.get().note == "补充：屋后有滑坡隐患"
    missing_version = {"client_id": cid(), "type": "visit", "id": created["id"], "data": {"note": "x"}}
    assert post(c, [missing_version]).json()["results"][0]["status"] == "rejected"


def test_updating_a_record_of_another_village_is_rejected(county, login):
    created = post(login(county.cadre_b), [visit_record(county.b1)]).json()["results"][0]
    c = login(county.cadre_a)
    update = {"client_id": cid(), "type": "visit", "id": created["id"], "base_version": 1, "data": {"note": "x"}}
    result = post(c, [update]).json()["results"][0]
    assert result["status"] == "rejected" and result["reason"] == "不在您的管辖范围内"


@pytest.mark.parametrize("record, reason", [
    ({"type": "visit", "data": {}}, "client_id"),
    ({"client_id": "k1", "type": "meeting", "data": {}}, "未知记录类型"),
    ({"client_id": "k2", "type": "visit", "data": []}, "data"),
    ({"client_id": "k3", "type": "visit", "data": {"visited_at": "2025-03-05T10:00:00+08:00"}}, "请选择走访的户"),
    ({"client_id": "k4", "type": "visit", "data": {"household": 999999, "visited_at": "2025-03-05T10:00:00"}},
     "不存在"),
    ({"client_id": "k5", "type": "appeal", "data": {"region": "99", "title": "a", "text": "b"}}, "区划“99”不存在"),
    ({"client_id": "k5b", "type": "appeal", "data": {"title": "a", "text": "b"}}, "请选择所在地"),
    ({"client_id": "k5c", "type": "activity", "data": {"kind": "courtyard", "region": "511722100202",
                                                       "held_at": "2025-03-05T10:00:00+08:00"}}, "不在您的管辖范围内"),
    ({"client_id": "k6", "type": "visit", "data": {"household": 1, "visited_at": "x", "appeals": "x"}}, "列表"),
])
def test_rejection_reasons_are_chinese(county, login, record, reason):
    result = post(login(county.cadre_a), [record]).json()["results"][0]
    assert result["status"] == "rejected" and reason in result["reason"]


def test_a_bad_batch_is_422(county, login):
    c = login(county.cadre_a)
    assert c.post("/api/v1/sync", data="not json", content_type="application/json").status_code == 422
    assert c.post("/api/v1/sync", data=json.dumps({"records": {}}),
                  content_type="application/json").status_code == 422


def test_bearer_token_and_anonymous(county, bearer, client):
    r = client.post("/api/v1/sync", data=json.dumps({"records": [visit_record(county.a1)]}),
                    content_type="application/json", headers=bearer(county.cadre_a))
    assert r.json()["results"][0]["status"] == "applied"
    anonymous = Client().post("/api/v1/sync", data=json.dumps({"records": []}), content_type="application/json")
    assert anonymous.status_code == 401


def test_session_posts_need_the_csrf_token(county):
    """ninja's django_auth checks CSRF for session-authenticated POSTs (the PWA sends X-CSRFToken)."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(county.cadre_a, backend="django.contrib.auth.backends.ModelBackend")
    body = json.dumps({"records": [visit_record(county.a1)]})
    refused = c.post("/api/v1/sync", data=body, content_type="application/json")
    assert refused.status_code == 403 and not Visit.objects.exists()
    c.get("/field/")  # any page sets the csrftoken cookie
    token = c.cookies["csrftoken"].value
    ok = c.post("/api/v1/sync", data=body, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json()["results"][0]["status"] == "applied"

