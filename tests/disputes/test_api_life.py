"""The whole life of a dispute through the API: registration with parties and risk, a risk review,
people's mediation with sessions, hand-over to administrative then judicial mediation, an
agreement with terms and the photo of the signed paper, a follow-up finding a broken term
(reopens), a second agreement kept (closes as solved); and the referral paths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.appeals.models import AppealEvent, Attachment
from minqing.audit.models import Event
from minqing.audit.softdelete import HardDeleteForbidden
from minqing.disputes.models import Dispute, MediationStage, Term
from tests.conftest import PHONE_A
from tests.disputes.conftest import two_sides

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


JPEG = _jpeg()  # a real picture: a stored photo must decode


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_the_whole_life_through_the_api(county, client, bearer):
    cadre, mediator, leader = bearer(county.cadre_a), bearer(county.mediator_a), bearer(county.township_leader)
    today = timezone.localdate()

    # 排查登记: two sides, their claims, the risk found on a visit
    r = _post(client, "/api/v1/disputes", {
        "region": county.village_a.code, "kind": "neighbour", "title": "遮雨棚过界纠纷",
        "text": f"两户因遮雨棚是否过界发生争执，联系电话{PHONE_A}。", "source": "visit", "source_visit_id": 17,
        "risk_level": "medium", "risks": ["violence"], "parties": two_sides(county)}, cadre)
    assert r.status_code == 201, r.content
    d = r.json()
    did = d["id"]
    assert d["phase"] == "screening" and d["appeal_status"] == "registered" and d["kind_name"] == "邻里矛盾"
    assert [p["side"] for p in d["parties"]] == [1, 2]
    assert d["parties"][0]["name"] == "甲村居民1" and d["parties"][1]["name"] == "甲村户主2"
    assert d["risks"] == ["violence"] and d["source_visit_id"] == 17
    assert d["next_review_on"] == str(today + dt.timedelta(days=15))  # medium → reviewed within 15 days

    # one side only is refused
    one = _post(client, "/api/v1/disputes", {"region": county.village_a.code, "kind": "land", "title": "x",
                                             "text": "y", "parties": two_sides(county)[:1]}, cadre)
    assert one.status_code == 422 and "两方" in one.json()["detail"]

    # a party found later, a risk review
    r = _post(client, f"/api/v1/disputes/{did}/parties", {"side": 2, "kind": "enterprise", "name": "宏达建材厂",
                                                           "enterprise_ref": "91511722MA6", "claim": "棚子是我们搭的"},
              cadre)
    assert r.status_code == 201 and len(r.json()["parties"]) == 3
    r = _post(client, f"/api/v1/disputes/{did}/risk", {"level": "high", "risks": ["violence", "petition"],
                                                        "note": "双方言语激烈"}, cadre)
    assert r.status_code == 201
    assert r.json()["risk_level"] == "high" and r.json()["next_review_on"] == str(today + dt.timedelta(days=7))
    assert r.json()["risk_reviews"][0]["level_before"] == "medium"

    # a session before any mediation stage is refused
    r = _post(client, f"/api/v1/disputes/{did}/sessions", {"outcome": "x"}, mediator)
    assert r.status_code == 422 and "启动调解" in r.json()["detail"]

    # 人民调解 by the village mediation committee (the default unit), the mediator named
    r = _post(client, f"/api/v1/disputes/{did}/stages", {"kind": "people", "mediator": county.mediator_a.pk}, cadre)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["phase"] == "mediating" and d["appeal_status"] == "assigned"
    assert d["stages"][0]["body"] == "甲村调解委员会" and d["stages"][0]["level"] == "village"
    assert d["owner_name"] == "mediator_a" and d["due_at"]
    pid = [p["id"] for p in d["parties"]]
    r = _post(client, f"/api/v1/disputes/{did}/sessions", {
        "venue": "reasoning", "place": "甲村一组院坝", "attendees": ["甲村居民1", "甲村户主2", "调解员"],
        "statements": [{"party": pid[0], "text": "雨水流进我家"}, {"party": pid[1], "text": "没有过界"}],
        "outcome": "双方各执一词，约定下周再谈", "result": "continue"}, mediator)
    assert r.status_code == 201, r.content
    s = r.json()["sessions"][0]
    assert s["venue"] == "reasoning" and s["statements"][0]["name"] == "甲村居民1"
    bad = _post(client, f"/api/v1/disputes/{did}/sessions", {"outcome": "x", "statements": [{"party": 999999,
                                                                                            "text": "?"}]}, mediator)
    assert bad.status_code == 422

    # hand-over needs a reason and runs one way
    r = _post(client, f"/api/v1/disputes/{did}/stages", {"kind": "administrative", "unit": county.units[
        "town_office"].pk, "mediator": county.township_leader.pk}, leader)
    assert r.status_code == 422 and "移交理由" in r.json()["detail"]
    r = _post(client, f"/api/v1/disputes/{did}/stages", {
        "kind": "administrative", "unit": county.units["town_office"].pk, "mediator": county.township_leader.pk,
        "reason": "村调解两次未果，涉及宅基地界址需镇国土所认定"}, leader)
    assert r.status_code == 201, r.content
    stages = r.json()["stages"]
    assert [s["result"] for s in stages] == ["failed", ""] and stages[0]["reason"].startswith("村调解两次未果")
    assert stages[1]["level"] == "township" and stages[1]["body"] == "甲镇党委政府"
    r = _post(client, f"/api/v1/disputes/{did}/stages", {"kind": "people", "reason": "再试", "body": "x",
                                                          "mediator_name": "y"}, leader)
    assert r.status_code == 422 and "下一环节" in r.json()["detail"]
    # 司法调解 with the tribunal (no unit of ours: the township stays responsible)
    r = _post(client, f"/api/v1/disputes/{did}/stages", {
        "kind": "judicial", "body": "宣汉县人民法院甲镇人民法庭", "mediator_name": "王法官",
        "reason": "行政调解不成，当事人同意诉前调解"}, leader)
    assert r.status_code == 201, r.content
    d = r.json()
    assert [s["kind"] for s in d["stages"]] == ["people", "administrative", "judicial"]
    assert d["owner_name"] == "王法官"
    _post(client, f"/api/v1/disputes/{did}/sessions", {"venue": "field_court", "place": "甲村田坎",
                                                        "outcome": "双方同意拆除过界部分", "result": "agreed"}, leader)

    # 调解协议 with two terms, signed by both sides, and the photo of the signed paper
    r = _post(client, f"/api/v1/disputes/{did}/agreements", {
        "summary": "拆除过界遮雨棚，修排水沟", "signed_by": pid[:2],
        "terms": [{"text": "乙方拆除过界部分", "due_on": str(today + dt.timedelta(days=5)), "party": pid[1]},
                  {"text": "双方共修排水沟", "due_on": str(today + dt.timedelta(days=20))}]}, leader)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["phase"] == "performing" and d["appeal_status"] == "awaiting_verification" and d["solved_at"]
    agreement = d["agreements"][0]
    terms = [t["id"] for t in agreement["terms"]]
    bad = client.post(f"/api/v1/disputes/{did}/agreements/{agreement['id']}/photo",
                      {"file": _upload("协议.jpg", b"not a jpeg")}, headers=leader)
    assert bad.status_code == 422
    r = client.post(f"/api/v1/disputes/{did}/agreements/{agreement['id']}/photo",
                    {"file": _upload("协议.jpg", JPEG)}, headers=leader)
    assert r.status_code == 201, r.content
    photo = r.json()["agreements"][0]["photo"]
    assert Attachment.objects.get(pk=photo).appeal_id == d["appeal_id"]

    # the mediator who made the agreement cannot verify it
    r = _post(client, f"/api/v1/disputes/{did}/follow-ups", {"checks": [{"term": terms[0], "kept": True}]}, leader)
    assert r.status_code == 422 and "核查人" in r.json()["detail"]

    # 履行回访 by the village: term 2 broken → the dispute reopens
    r = _post(client, f"/api/v1/disputes/{did}/follow-ups", {
        "method": "上门", "checks": [{"term": terms[0], "kept": True}, {"term": terms[1], "kept": False,
                                                                        "note": "乙方不出工"}]}, cadre)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["phase"] == "mediating" and d["appeal_status"] == "in_progress" and d["reopen_count"] == 1
    assert d["agreements"][0]["status"] == "broken" and d["solved_at"] is None
    assert [t["status"] for t in d["agreements"][0]["terms"]] == ["kept", "broken"]
    assert d["stages"][-1]["result"] == "" and d["stages"][-1]["ended_at"] is None  # judicial mediation resumes

    # a second agreement, kept: verified, visited, closed as solved
    r = _post(client, f"/api/v1/disputes/{did}/agreements", {
        "summary": "乙方出资300元由村组代修排水沟",
        "terms": [{"text": "乙方交付300元", "due_on": str(today + dt.timedelta(days=3)), "party": pid[1]}]}, leader)
    assert r.status_code == 201, r.content
    term2 = r.json()["agreements"][1]["terms"][0]["id"]
    r = _post(client, f"/api/v1/disputes/{did}/follow-ups", {"checks": [{"term": term2, "kept": True}]}, cadre)
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["phase"] == "solved" and d["appeal_status"] == "closed_solved"
    assert d["agreements"][1]["status"] == "fulfilled"
    actions = [e["action"] for e in d["events"]]
    assert actions == ["register", "review", "add_progress", "assign", "add_progress", "add_progress",
                       "submit_result", "verify", "submit_result", "verify", "return_visit", "close"]

    # every step of our own is in the audit chain, with no clear phone anywhere
    ours = list(Event.objects.filter(object_type="disputes.dispute", object_id=str(did)).values_list("action",
                                                                                                        flat=True))
    assert ours == ["dispute.registered", "dispute.party_added", "dispute.risk_reviewed", "dispute.stage_started",
                    "dispute.session_added", "dispute.stage_started", "dispute.stage_started",
                    "dispute.session_added", "dispute.agreement_recorded", "dispute.agreement_photo",
                    "dispute.reopened", "dispute.followed_up", "dispute.agreement_recorded", "dispute.followed_up"]
    for row in list(Event.objects.values()) + list(AppealEvent.objects.values()):
        assert PHONE_A not in repr(row)

    # nothing is hard-deleted
    with pytest.raises(HardDeleteForbidden):
        Dispute.objects.get(pk=did).delete()
    with pytest.raises(HardDeleteForbidden):
        Term.objects.all().delete()
    assert MediationStage.objects.filter(dispute_id=did).count() == 3


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_referral_after_failed_mediation_closes_the_appeal_as_referred(county, client, bearer, make_dispute):
    d = make_dispute()
    cadre = bearer(county.cadre_a)
    _post(client, f"/api/v1/disputes/{d.pk}/stages", {"kind": "people", "mediator": county.mediator_a.pk}, cadre)
    r = _post(client, f"/api/v1/disputes/{d.pk}/referral", {"to": "court", "body": "宣汉县人民法院"}, cadre)
    assert r.status_code == 422 and "转出理由" in r.json()["detail"]
    r = _post(client, f"/api/v1/disputes/{d.pk}/referral", {"to": "court", "body": "宣汉县人民法院",
                                                             "reason": "一方坚持起诉"}, cadre)
    assert r.status_code == 201, r.content
    body = r.json()
    # the appeal's 导入法定途径 is a proposal the dispatcher confirms, then verified and visited (issue 16)
    assert body["phase"] == "referred" and body["appeal_status"] == "refer_proposed"
    assert body["referrals"][0]["reason"] == "一方坚持起诉" and body["stages"][0]["result"] == "referred"
    r = _post(client, f"/api/v1/disputes/{d.pk}/stages", {"kind": "administrative", "body": "x",
                                                           "mediator_name": "y", "reason": "z"}, cadre)
    assert r.status_code == 422 and "已转出" in r.json()["detail"]


def test_referral_before_mediation_closes_the_appeal_unsolved(county, client, bearer, make_dispute):
    d = make_dispute(kind="labour")
    r = _post(client, f"/api/v1/disputes/{d.pk}/referral", {"to": "arbitration", "body": "县劳动人事争议仲裁委",
                                                             "reason": "工资争议依法先行仲裁"}, bearer(county.cadre_a))
    assert r.status_code == 201
    # decided at review: straight to verification by someone else, then a visit, before it closes
    assert r.json()["appeal_status"] == "awaiting_verification" and r.json()["phase"] == "referred"


def test_posts_without_the_place_see_nothing(county, client, bearer, make_dispute):
    """A county department, the discipline inspector and an outsider have no place: 404."""
    d = make_dispute()
    for persona in ("dept_handler", "inspector", "outsider"):
        r = client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(getattr(county, persona)))
        assert r.status_code == 404


def test_lists_and_risk_list(county, client, bearer, make_dispute):
    a = make_dispute(risk_level="high", risks=["group"])
    make_dispute(kind="land")
    make_dispute(village="b")
    data = client.get("/api/v1/disputes", headers=bearer(county.cadre_a)).json()
    assert data["count"] == 2 and {i["region_id"] for i in data["items"]} == {county.village_a.code}
    risks = client.get("/api/v1/disputes/risks", headers=bearer(county.township_leader)).json()
    assert risks["count"] == 3 and risks["items"][0]["id"] == a.pk  # high first
    Dispute.objects.filter(pk=a.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=2))
    late = client.get("/api/v1/disputes/risks?overdue=true", headers=bearer(county.cadre_a)).json()
    assert [i["id"] for i in late["items"]] == [a.pk] and late["items"][0]["review_overdue"]
    kinds = client.get("/api/v1/disputes/kinds", headers=bearer(county.cadre_a)).json()
    assert [k["name"] for k in kinds] == ["邻里矛盾", "土地纠纷", "山林权属", "赡养争议", "婚姻家庭", "劳资",
                                          "征地拆迁", "其他"]
    assert client.get("/api/v1/disputes?phase=screening&kind=land", headers=bearer(county.cadre_a)).json()[
        "count"] == 1
