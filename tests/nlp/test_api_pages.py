"""The /api/v1/nlp and /api/v1/search endpoints and the two pages."""

import datetime as dt

import pytest
from django.utils import timezone

from minqing.nlp import search
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db


@pytest.fixture
def lamp(county, appeal_in):
    return appeal_in("village_a", "小区路灯坏了", "安置小区路灯坏了好几盏<script>", name="王五")


def test_search_api_get_and_post(county, client, bearer, lamp, appeal_in):
    b = appeal_in("village_b", "路灯不亮", "乙村路灯不亮")
    h = bearer(county.cadre_a)
    data = client.get("/api/v1/search", {"q": "路灯"}, headers=h).json()
    assert [(i["object_type"], i["object_id"]) for i in data["items"]] == [("appeal", lamp.pk)]
    assert "<mark>路灯</mark>" in data["items"][0]["snippet"] and "&lt;script&gt;" in data["items"][0]["snippet"]
    assert data["items"][0]["url"].rstrip("/").endswith(f"/{lamp.pk}")
    assert b.pk not in [i["object_id"] for i in data["items"]]
    r = client.get("/api/v1/search", {"q": PHONE_A}, headers=h)
    assert r.status_code == 422 and "POST" in r.json()["detail"]
    r = client.post("/api/v1/search", {"q": PHONE_A}, content_type="application/json", headers=h)
    assert [i["object_type"] for i in r.json()["items"]] == ["resident"]
    assert client.get("/api/v1/search", {"q": "路灯"}).status_code == 401


def test_progress_and_visit_notes_are_indexed(county, lamp, committed):
    from minqing.appeals import services
    from minqing.fieldwork import services as field

    committed(services.do_assign, lamp, actor=county.cadre_a, unit=county.units["committee_a"], person=county.cadre_a,
              measures="更换灯泡")
    committed(services.do_add_progress, lamp, actor=county.cadre_a, note="已联系电工更换灯泡")
    visit, _ = committed(field.record_visit, actor=county.cadre_a, household=county.households["a1"],
                         visited_at=timezone.now() - dt.timedelta(hours=1), note="户主反映屋顶漏雨需要维修")
    kinds = {(h.object_type, h.appeal_id) for h in search.search(county.cadre_a, "灯泡")}
    assert kinds == {("progress", lamp.pk)}
    hits = search.search(county.cadre_a, "屋顶漏雨")
    assert [(h.object_type, h.object_id) for h in hits] == [("visit", visit.pk)]
    assert search.url_for(hits[0]) == f"/households/{county.households['a1'].pk}/"
    assert search.search(county.cadre_b, "屋顶漏雨") == []
    assert search.rebuild()["visit"] == 1


def test_replies_to_residents_are_indexed(county, appeal_in, committed):
    from minqing.appeals import services

    a = appeal_in("village_a", "低保政策咨询", "想问问低保怎么申请")
    committed(services.do_explain_policy, a, actor=county.cadre_a, text="低保申请需携带户口簿到村委会提交核对授权书")
    hits = search.search(county.cadre_a, "核对授权书")
    assert [(h.object_type, h.appeal_id) for h in hits] == [("reply", a.pk)]
    assert search.url_for(hits[0]) == f"/appeals/{a.pk}/"
    assert search.search(county.cadre_b, "核对授权书") == []
    assert search.rebuild()["reply"] == 1


def test_duplicates_api(county, client, bearer, lamp, appeal_in):
    twin = appeal_in("village_a", "小区路灯坏了", "安置小区路灯坏了好几盏")
    h = bearer(county.cadre_a)
    data = client.get("/api/v1/nlp/duplicates", {"text": "安置小区路灯坏了好几盏", "region": county.village_a.code},
                      headers=h).json()
    assert {d["appeal_id"] for d in data} == {lamp.pk, twin.pk} and data[0]["merge_url"] == ""
    data = client.get(f"/api/v1/nlp/appeals/{twin.pk}/duplicates", headers=h).json()
    assert [d["appeal_id"] for d in data] == [lamp.pk]
    assert data[0]["merge_url"] == f"/api/v1/appeals/{twin.pk}/actions/merge_into"
    r = client.post(data[0]["merge_url"], {"target": lamp.pk}, content_type="application/json",
                    headers=bearer(county.cadre_a))
    assert r.status_code == 200, r.content
    assert client.get(f"/api/v1/nlp/appeals/{lamp.pk}/duplicates", headers=h).json() == []


def test_hotspots_api_and_turning_into_a_meeting(county, client, bearer, appeal_in):
    from minqing.fieldwork.models import Activity, ResearchTopic

    ids = [appeal_in("village_a", "水渠堵塞", f"甲村二组水渠堵塞，灌溉用不了水，第{i}次反映", days_ago=i + 1).pk
           for i in range(3)]
    h = bearer(county.township_leader)
    data = client.get("/api/v1/nlp/hotspots", {"region": county.town.code}, headers=h).json()
    spot = data["hotspots"][0]
    assert sorted(int(i) for i in spot["message_ids"]) == sorted(ids) and spot["heat"] > 0
    r = client.get("/api/v1/nlp/hotspots", {"region": county.village_b.code}, headers=bearer(county.cadre_a))
    assert r.status_code == 403
    body = {"region": county.village_a.code, "kind": "courtyard", "title": spot["title"],
            "description": spot["description"], "appeal_ids": ids}
    r = client.post("/api/v1/nlp/hotspots/actions", body, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    assert Activity.objects.get(pk=r.json()["object_id"]).topic == spot["title"]
    r = client.post("/api/v1/nlp/hotspots/actions", {**body, "kind": "research"}, content_type="application/json",
                    headers=h)
    assert r.status_code == 201 and ResearchTopic.objects.filter(pk=r.json()["object_id"]).exists()
    r = client.post("/api/v1/nlp/hotspots/actions", {**body, "kind": "research"}, content_type="application/json",
                    headers=bearer(county.cadre_a))
    assert r.status_code == 403  # only leaders set up research topics


def test_persistent_hotspots_api(county, client, bearer, appeal_in):
    # the same ditch, one message every month for five months, against a burst of three in one week
    ditch = [appeal_in("village_a", "甲村水渠堵塞", f"甲村二组水渠堵塞，灌溉用不了水，第{i}次反映",
                       days_ago=5 + 30 * i).pk for i in range(5)]
    for i in range(3):
        appeal_in("village_a", "乙组路灯不亮", f"乙组路灯全部不亮，晚上出行不便{i}", days_ago=1 + i)
    h = bearer(county.township_leader)
    data = client.get("/api/v1/nlp/hotspots/persistent", {"region": county.town.code}, headers=h).json()
    assert data["end"] == dt.date.today().isoformat()
    assert (dt.date.today() - dt.date.fromisoformat(data["start"])).days == 730
    [found] = data["persistent"]
    assert sorted(int(i) for i in found["message_ids"]) == sorted(ditch)
    assert found["months"] >= 4 and 119 <= found["span_days"] <= 120 and 4 <= found["idle_days"] <= 6
    r = client.get("/api/v1/nlp/hotspots/persistent", {"region": county.village_b.code},
                   headers=bearer(county.cadre_a))
    assert r.status_code == 403


def test_persistent_hotspots_page(county, login, appeal_in):
    ids = [appeal_in("village_a", "甲村水渠堵塞", f"甲村二组水渠堵塞，灌溉用不了水{i}", days_ago=5 + 30 * i).pk
           for i in range(5)]
    client = login(county.township_leader)
    body = client.get("/nlp/hotspots/", {"region": county.town.code, "kind": "persistent"}).content.decode()
    assert "长期反复反映" in body and "涉及月数" in body and "水渠堵塞" in body
    assert all(f'href="/appeals/{pk}/"' in body for pk in ids)
    assert 'name="kind" value="persistent"' in body  # the filter form keeps the view
    bursts = client.get("/nlp/hotspots/", {"region": county.town.code}).content.decode()
    assert "涉及月数" not in bursts and "kind=persistent" in bursts


def test_reply_score_api(county, client, bearer):
    r = client.post("/api/v1/nlp/reply-score", {"message": "路灯坏了", "reply": "您的留言已收悉。"},
                    content_type="application/json", headers=bearer(county.cadre_a))
    data = r.json()
    assert r.status_code == 200 and data["completeness"] == 0 and len(data["missing"]) == 4
    r = client.post("/api/v1/nlp/reply-score", {"message": "路灯坏了", "reply": " "},
                    content_type="application/json", headers=bearer(county.cadre_a))
    assert r.status_code == 422


def test_search_page(county, login, lamp):
    client = login(county.cadre_a)
    body = client.get("/nlp/search/", {"q": "路灯"}).content.decode()
    assert "<mark>路灯</mark>" in body and "&lt;script&gt;" in body
    r = client.get("/nlp/search/", {"q": PHONE_A})
    assert r.status_code == 302 and PHONE_A not in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert county.residents["a1"].name in page and PHONE_A not in page


def test_hotspots_page(county, login, appeal_in):
    ids = [appeal_in("village_a", "水渠堵塞", f"甲村二组水渠堵塞{i}", days_ago=i + 1).pk for i in range(2)]
    client = login(county.township_leader)
    body = client.get("/nlp/hotspots/", {"region": county.town.code}).content.decode()
    assert "水渠堵塞" in body and 'name="kind" value="courtyard"' in body
    assert all(f'href="/appeals/{pk}/"' in body for pk in ids)
    r = client.post("/nlp/hotspots/act/", {"region": county.village_a.code, "kind": "courtyard", "title": "水渠堵塞",
                                           "next": "/nlp/hotspots/"})
    assert r.status_code == 302
    from minqing.fieldwork.models import Activity

    assert Activity.objects.filter(topic="水渠堵塞").exists()
