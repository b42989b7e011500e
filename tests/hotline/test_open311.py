"""Open311 GeoReport v2 (/open311/v2/): the spec's shapes, the public list without personal data, and
a POST with an api_key creating a case through intake (channel open311)."""

from __future__ import annotations

import pytest

from minqing.accounts.models import ApiToken
from minqing.appeals import services
from minqing.appeals.models import Appeal, Category

REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


@pytest.fixture
def light(db):
    return Category.objects.get_or_create(code="O311-LIGHT", defaults={"name": "路灯照明"})[0]


def test_services(client, light):
    got = client.get("/open311/v2/services.json")
    assert got.status_code == 200 and got["Content-Type"].startswith("application/json")
    mine = [s for s in got.json() if s["service_code"] == light.code]
    assert mine and set(mine[0]) >= {"service_code", "service_name", "description", "metadata", "type", "keywords",
                                     "group"}
    assert mine[0]["metadata"] is False and mine[0]["type"] == "realtime"
    assert client.get(f"/open311/v2/services/{light.code}.json").json() == {"service_code": light.code,
                                                                             "attributes": []}
    assert client.get("/open311/v2/services/NOPE.json").status_code == 404


def test_public_requests_show_no_personal_data(client, county, light, register):
    a = register(title="张三家门口路灯坏了", text="张三 13812345678 反映路灯坏了", category=light.pk)
    hidden = register(kind="misconduct", title="举报某干部", text="……")
    got = client.get("/open311/v2/requests.json", {"start_date": "2025-01-01T00:00:00+08:00"})
    assert got.status_code == 200
    items = {r["service_request_id"]: r for r in got.json()}
    assert a.number in items and hidden.number not in items
    item = items[a.number]
    assert set(item) == REQUEST_FIELDS and item["status"] == "open" and item["service_code"] == light.code
    body = got.content.decode()
    assert "张三" not in body and "13812345678" not in body and "5678" not in body
    one = client.get(f"/open311/v2/requests/{a.number}.json").json()
    assert one == [item]
    assert client.get(f"/open311/v2/requests/{hidden.number}.json").status_code == 404
    closed = client.get("/open311/v2/requests.json", {"status": "closed", "start_date": "2025-01-01T00:00:00Z"})
    assert a.number not in {r["service_request_id"] for r in closed.json()}
    assert client.get("/open311/v2/requests.json", {"status": "done"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "2025-13-01T00:00:00"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"jurisdiction_id": "abc"}).status_code == 400
    mine = client.get("/open311/v2/requests.json", {"jurisdiction_id": county.village_a.code,
                                                    "start_date": "2025-01-01T00:00:00Z"}).json()
    assert a.number in {r["service_request_id"] for r in mine}


def test_post_a_request_with_an_api_key(client, county, light):
    raw, _token = ApiToken.objects.issue(county.township_leader)
    data = {"service_code": light.code, "description": "甲村小学门口路灯不亮", "address_string": "甲村小学门口",
            "jurisdiction_id": county.village_a.code, "first_name": "小明", "last_name": "王", "phone": "13700002222"}
    assert client.post("/open311/v2/requests.json", data).status_code == 403  # no api_key
    got = client.post("/open311/v2/requests.json", {**data, "api_key": raw})
    assert got.status_code == 201, got.content
    [answer] = got.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    a = Appeal.objects.get(number=answer["service_request_id"])
    assert (a.channel, a.region_id, a.category_id) == ("open311", county.village_a.code, light.pk)
    report = a.reports.get()
    assert report.reporter_name == "王 小明" and report.phone_masked != "13700002222"
    assert a.events.filter(action="register").exists()
    outside = client.post("/open311/v2/requests.json",
                          {**data, "api_key": raw, "jurisdiction_id": county.village_c.code})
    assert outside.status_code == 403 and outside.json()[0]["code"] == 403
    bad = client.post("/open311/v2/requests.json", {**data, "api_key": raw, "service_code": "NOPE"})
    assert bad.status_code == 400 and set(bad.json()[0]) == {"code", "description"}


def test_a_closed_request_says_closed(client, county, light, register, clock):
    a = register(category=light.pk)
    services.do_solve_on_spot(a, actor=county.cadre_a, what="已修复", now=clock())
    got = client.get(f"/open311/v2/requests/{a.number}.json").json()[0]
    assert got["status"] == "closed" and got["updated_datetime"] >= got["requested_datetime"]
