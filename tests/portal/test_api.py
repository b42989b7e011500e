"""The public API: places, a form token, a letter (JSON or multipart with a photo), tracking by
code (path or body) and the rating — no authentication, the same checks as the pages."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.appeals.models import Appeal, Attachment, Report
from minqing.portal import codes

from .conftest import jpeg, token

pytestmark = pytest.mark.django_db


def _letter(county, **extra) -> dict:
    data = {"region": county.village_b.code, "kind": "help", "title": "独居老人需要帮助",
            "text": "二组的独居老人行动不便，家里屋顶漏雨，希望村里帮忙修一修。", "anonymous": False,
            "name": "赵大妈", "phone": "15900002222", "token": token(), "website": ""}
    data.update(extra)
    return data


def test_places_walk_down_the_tree(client, county):
    counties = client.get("/api/v1/portal/places").json()
    assert counties == [{"code": county.county.code, "name": "宣汉县", "level": 3}]
    towns = client.get(f"/api/v1/portal/places?parent={county.county.code}").json()
    assert [t["name"] for t in towns] == ["甲镇", "乙镇"]
    villages = client.get(f"/api/v1/portal/places?parent={county.town.code}").json()
    assert [v["name"] for v in villages] == ["甲村", "乙村"]
    assert client.get(f"/api/v1/portal/places?parent={county.village_a.code}").json() == []
    assert client.get("/api/v1/portal/places?parent=abc").json() == []


def test_a_json_letter_and_its_tracking(client, county, bearer):
    response = client.post("/api/v1/portal/letters", _letter(county), content_type="application/json",
                           REMOTE_ADDR="198.51.100.1", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 201, response.content
    body = response.json()
    code = body["code"]
    assert codes.normalize(code) and len(code) == 19 and body["stage"] == "received"
    appeal = Appeal.objects.get()
    assert (appeal.region_id, appeal.kind, appeal.channel, appeal.level) == (county.village_b.code, "help", "mailbox",
                                                                             "village")
    assert Report.objects.get().phone_masked == "159****2222"
    # the village's own cadre sees it; village A's does not
    assert client.get(f"/api/v1/appeals/{appeal.pk}", headers=bearer(county.cadre_b)).status_code == 200
    assert client.get(f"/api/v1/appeals/{appeal.pk}", headers=bearer(county.cadre_a)).status_code == 404

    for response in (client.post("/api/v1/portal/track", {"code": code},
                                 content_type="application/json", REMOTE_ADDR="198.51.100.2"),
                     client.post("/api/v1/portal/track", {"code": code.lower()}, content_type="application/json",
                                 REMOTE_ADDR="198.51.100.2")):
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
        data = response.json()
        assert data["stage"] == "received" and data["kind_label"] == "求助" and data["place"] == "宣汉县甲镇乙村"
        blob = json.dumps(data, ensure_ascii=False)
        for secret in ("赵大妈", "15900002222", "159****2222", appeal.number):
            assert secret not in blob


def test_a_multipart_letter_with_a_photo(client, county):
    data = {**_letter(county), "anonymous": "true",
            "photo": SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg")}
    response = client.post("/api/v1/portal/letters", data, REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert appeal.anonymous and Report.objects.get().reporter_name == ""
    assert b"GPS" not in Attachment.objects.get(appeal=appeal).file.read()


@pytest.mark.parametrize(("extra", "message"), [
    ({"phone": "123"}, "电话号码无效"),
    ({"region": "511799000000"}, "选择写信对象"),
    ({"kind": "petition"}, "来信类型"),
    ({"website": "x"}, "未通过校验"),
    ({"token": "forged"}, "页面已过期"),
    ({"text": "字" * 3001}, "3000"),
])
def test_bad_letters_get_a_chinese_422(client, county, extra, message):
    response = client.post("/api/v1/portal/letters", _letter(county, **extra), content_type="application/json",
                           REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 422 and message in response.json()["detail"]
    assert not Appeal.objects.exists()


def test_a_fresh_token_must_wait(client, county):
    fresh = client.get("/api/v1/portal/form-token").json()
    assert fresh["min_seconds"] >= 1
    response = client.post("/api/v1/portal/letters", _letter(county, token=fresh["token"]),
                           content_type="application/json", REMOTE_ADDR="198.51.100.5")
    assert response.status_code == 422 and "提交太快" in response.json()["detail"]


def test_not_json_is_a_422(client, county):
    response = client.post("/api/v1/portal/letters", "{not json", content_type="application/json",
                           REMOTE_ADDR="198.51.100.6")
    assert response.status_code == 422 and "JSON" in response.json()["detail"]


def test_the_schema_lists_the_public_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/portal/letters", "/api/v1/portal/track", "/api/v1/portal/track/rating",
                 "/api/v1/portal/places", "/api/v1/portal/form-token"):
        assert path in paths
    assert not paths["/api/v1/portal/letters"]["post"].get("security")
