"""The set-up services through the JSON API: same checks, same audit events as the pages."""

import json

import pytest

from minqing.accounts.models import Post, User
from minqing.appeals.models import HolidayOverride
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


def _post(client, url, headers, body, method="post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_a_sysadmin_sets_up_a_unit_a_person_a_post_and_a_code_by_api(county, sysadmin, bearer, client):
    h = bearer(sysadmin)
    r = _post(client, "/api/v1/setup/units", h, {"name": "乙镇党委政府", "kind": "township_office",
                                                 "region": county.regions["town2"].code})
    assert r.status_code == 201, r.content
    unit_id = r.json()["id"]
    r = _post(client, "/api/v1/setup/staff", h, {"username": "wang-li", "display_name": "王丽"})
    assert r.status_code == 201 and r.json()["password_set"] is False
    staff_id = r.json()["id"]
    r = _post(client, f"/api/v1/setup/staff/{staff_id}/posts", h, {"unit_id": unit_id, "role": "township_head"})
    assert r.status_code == 201 and r.json()["region_id"] == county.regions["town2"].code
    r = _post(client, f"/api/v1/setup/staff/{staff_id}/code", h, {})
    assert r.status_code == 200 and len(r.json()["code"]) == 14
    assert {u["username"] for u in client.get("/api/v1/setup/staff", headers=h).json()} >= {"wang-li", "sys-admin"}
    r = _post(client, f"/api/v1/setup/staff/{staff_id}/deactivate", h, {"reason": ""})
    assert r.status_code == 422 and "停用理由" in r.json()["detail"]
    r = _post(client, f"/api/v1/setup/staff/{staff_id}/deactivate", h, {"reason": "调离"})
    assert r.json()["is_active"] is False
    assert not Post.objects.filter(user_id=staff_id, ended_on__isnull=True).exists()
    assert Event.objects.filter(action="staff.deactivated", actor=sysadmin).count() == 1


def test_holidays_by_api_and_nobody_else_may(county, sysadmin, bearer, client):
    h = bearer(sysadmin)
    r = _post(client, "/api/v1/setup/holidays/2031", h, {"text": "2031-01-01 休 元旦\n", "reason": "通知"}, "put")
    assert r.status_code == 200 and r.json()["days"] == 1
    got = client.get("/api/v1/setup/holidays/2031", headers=h).json()
    assert got["known"] and got["text"] == "2031-01-01 休 元旦"
    other = bearer(county.township_leader)
    r = _post(client, "/api/v1/setup/staff", other, {"username": "x", "display_name": "x"})
    assert r.status_code == 403
    # (a URL that names one set-up object, here a year's table, answers 404 to a non-administrator)
    assert _post(client, "/api/v1/setup/holidays/2032", other, {"text": "2032-01-01 休 元旦"}, "put").status_code == 404
    assert not User.objects.filter(username="x").exists() and HolidayOverride.objects.count() == 1
    r = _post(client, "/api/v1/setup/deadline-rules", h, {"stage": "resolve", "amount": 0, "unit": "workdays"})
    assert r.status_code == 422
