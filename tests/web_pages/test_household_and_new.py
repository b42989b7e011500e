"""一户一档 on one page, and registering an appeal from the form (Chinese errors, the household
carried over, the NLP category suggestion when that part is there)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.accounts.models import Pairing
from minqing.appeals.models import Appeal
from tests.conftest import ID_A, PHONE_A

pytestmark = pytest.mark.django_db


def _section(page: str, key: str) -> str:
    start = page.index(f'id="{key}"')
    return page[start:page.index("</section>", start)]


def test_the_household_profile_has_everything_on_one_page(county, stages, login):
    from minqing.fieldwork import services as field

    h = county.households["a1"]
    appeal = stages.registered(title="户里反映的饮水问题", household=h.pk)
    Pairing.objects.create(cadre=county.cadre_a, region=county.village_a, household=h, started_on=dt.date(2024, 1, 1))
    Pairing.objects.create(cadre=county.township_leader, region=county.village_a)
    field.record_visit(actor=county.cadre_a, household=h, visited_at=timezone.now() - dt.timedelta(hours=2),
                       note="老人身体还好，缺过冬衣物", help=[{"kind": "condolence_goods", "goods": "棉被两床"}])
    page = login(county.cadre_a).get(f"/households/{h.pk}/").content.decode()
    members = _section(page, "members")
    assert "甲村居民1" in members and "甲村配偶" in members
    assert ID_A not in page and PHONE_A not in page and "138****5678" in members
    assert "低保户" in _section(page, "profile")
    assert appeal.title in _section(page, "appeals")
    pairings = _section(page, "pairings")
    assert "cadre_a" in pairings and "township_leader" in pairings
    assert "老人身体还好" in _section(page, "visits")
    assert "棉被两床" in _section(page, "help")
    assert f"/appeals/new/?household={h.pk}" in page


def test_the_profile_shows_no_appeal_of_another_village(county, stages, login):
    b = stages.registered(region=county.village_b.code, actor=county.cadre_b, title="乙村户的事",
                          household=county.households["b1"].pk)
    page = login(county.cadre_b).get(f"/households/{county.households['b1'].pk}/").content.decode()
    assert b.title in page
    assert login(county.cadre_a).get(f"/households/{county.households['b1'].pk}/").status_code == 404


def test_registering_an_appeal_from_the_household(county, login):
    h = county.households["a1"]
    client = login(county.cadre_a)
    form = client.get(f"/appeals/new/?household={h.pk}").content.decode()
    assert f'value="{h.pk}"' in form and h.head_name in form
    response = client.post("/appeals/new/", {
        "household": h.pk, "region": county.village_a.code, "kind": "help", "channel": "visit", "urgency": "normal",
        "title": "申请临时救助", "text": "家里房屋漏雨，请求帮助维修。", "reporter_name": "甲村居民1",
        "phone": "13812345678"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(title="申请临时救助")
    assert response["Location"] == f"/appeals/{appeal.pk}/"
    assert appeal.household_id == h.pk and appeal.region_id == county.village_a.code
    assert appeal.reports.get().phone_masked == "138****5678"


def test_the_new_appeal_form_speaks_chinese_when_wrong(county, login):
    client = login(county.cadre_a)
    response = client.post("/appeals/new/", {"region": county.village_a.code, "kind": "problem", "channel": "visit",
                                             "urgency": "normal", "title": "", "text": ""})
    assert response.status_code == 422
    assert response.content.decode().count("请填写此项") == 2
    response = client.post("/appeals/new/", {"region": county.village_a.code, "kind": "problem", "channel": "visit",
                                             "urgency": "normal", "title": "路灯", "text": "坏了", "phone": "12345"})
    assert response.status_code == 422 and "电话号码无效" in response.content.decode()
    assert not Appeal.objects.exists()


def test_one_cannot_register_outside_ones_jurisdiction(county, login):
    response = login(county.cadre_a).post("/appeals/new/", {
        "region": county.village_b.code, "kind": "problem", "channel": "visit", "urgency": "normal",
        "title": "乙村的事", "text": "乙村"})
    assert response.status_code == 422 and "请选择您管辖内的地点" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_category_suggestion_follows_the_nlp_part(county, login):
    client = login(county.cadre_a)
    response = client.get("/appeals/suggest/", {"text": "村里的路灯坏了好几天，晚上出行不安全"})
    assert response.status_code == 200
    try:
        from minqing.nlp.classify import suggest
    except ImportError:  # without the NLP part the form has no suggestion, and still works
        assert response.content.decode().strip() == ""
        return
    expected = suggest("村里的路灯坏了好几天，晚上出行不安全")
    if expected:
        assert "建议类别" in response.content.decode()
