"""Parties see only what concerns them: a code per party (当事人查询码) issued by the mediator, the
party's page /portal/mediation/ and POST /api/v1/portal/mediation, messages to the mediators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.audit.models import Event
from minqing.disputes import parties, services
from minqing.disputes.models import PartyAccess, PartyMessage
from minqing.portal import codes
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db
URL = "/portal/mediation/"
API = "/api/v1/portal/mediation"


def _mediated(county, make_dispute, *, agree: bool = True):
    """Village A: people's mediation, a joint session, a back-to-back talk with side 2 only, an agreement."""
    d = make_dispute(county.mediator_a)
    me, other = list(d.parties.alive())
    services.start_stage(d, actor=county.mediator_a, kind="people", mediator=county.mediator_a,
                         mediator_name="甲村调解员")
    services.add_session(d, actor=county.mediator_a, outcome="双方当面陈述，约定一周后再谈", venue="reasoning",
                         attendees=["调解员", "双方当事人"], statements=[
                             {"party": me.pk, "text": "雨水流进我家院坝，墙角都泡坏了"},
                             {"party": other.pk, "text": "甲村户主2说：棚子在我家宅基地上，电话13512345678"}])
    services.add_session(d, actor=county.mediator_a, outcome="单独做甲村户主2的工作，他私下愿意少赔一些",
                         venue="home", attendees=["调解员", "甲村户主2"],
                         statements=[{"party": other.pk, "text": "我家里困难，最多赔五百"}])
    if agree:
        today = timezone.localdate()
        services.record_agreement(d, actor=county.mediator_a, summary="甲村户主2拆除过界部分并赔偿甲村居民1",
                                  terms=[{"text": "甲村户主2拆除过界遮雨棚", "party": other.pk,
                                          "due_on": today - dt.timedelta(days=2)},
                                         {"text": "甲村居民1清理排水沟", "party": me.pk,
                                          "due_on": today + dt.timedelta(days=10)}],
                                  signed_by=[me.pk, other.pk], signed_on=today - dt.timedelta(days=10))
    d.refresh_from_db()
    return d, me, other


def _code(county, d, party) -> str:
    return parties.issue_code(d, party, actor=county.mediator_a)


def test_the_code_is_stored_only_as_a_keyed_hash_and_a_new_code_stops_the_old(county, make_dispute, client):
    d, me, _other = _mediated(county, make_dispute)
    first = _code(county, d, me)
    assert codes.normalize(first) == first
    access = PartyAccess.objects.get(party=me)
    assert access.code_hash == parties.code_hash(first) and first not in access.code_hash
    event = Event.objects.filter(action="dispute.party_code_issued").latest("id")
    assert event.changes["party"] == me.pk and first not in str(event.changes)
    assert client.post(URL, {"code": first}).status_code == 200
    second = _code(county, d, me)
    assert client.post(URL, {"code": first}).status_code == 404
    page = client.post(URL, {"code": codes.display(second).lower()})  # separators and case do not matter
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert PartyAccess.objects.filter(party=me, revoked_at__isnull=False).count() == 1


def test_a_party_sees_their_own_side_and_not_the_other(county, make_dispute, client):
    d, me, other = _mediated(county, make_dispute)
    html = client.post(URL, {"code": _code(county, d, me)}).content.decode()
    assert "雨水流进我家院坝" in html and "他家的遮雨棚伸到我家院坝" in html  # own statement and claim
    assert "棚子是在自家宅基地上搭的" not in html and "我家里困难" not in html  # the other side's claim, words
    assert "甲村户主2" not in html and "对方拆除过界遮雨棚" in html  # its name, even inside the terms
    assert "13512345678" not in html
    assert "双方当面陈述" in html and "私下愿意少赔" not in html  # outcome only of the session they attended
    assert "甲村调解员" in html and "协议履行中" in html
    v = parties.view(PartyAccess.objects.get(party=me))
    assert [t.owed_by for t in v.agreements[0].terms] == ["对方", "您"]
    assert [t.overdue for t in v.agreements[0].terms] == [True, False]
    assert v.agreements[0].signed and v.other_sides == 1 and v.own_side == 0
    assert [s.took_part for s in v.sessions] == [True, False] and v.sessions[1].outcome == ""
    assert "risk" not in str(v.as_dict())


def test_the_other_party_sees_the_mirror_image(county, make_dispute, client):
    d, me, other = _mediated(county, make_dispute)
    v = parties.view(PartyAccess.objects.get(party=other, code_hash=parties.code_hash(_code(county, d, other))))
    text = str(v.as_dict())
    assert "甲村居民1" not in text and "雨水流进我家院坝" not in text and "遮雨棚伸到" not in text
    assert "私下愿意少赔" in text  # they took part in the back-to-back talk
    assert "13512345678" not in text and "135****5678" not in text  # even masked, a number has no place here
    assert [t.owed_by for t in v.agreements[0].terms] == ["您", "对方"]


def test_phones_in_texts_are_masked(county, make_dispute, client):
    d = make_dispute(county.mediator_a, parties=[
        {"side": 1, "resident": county.residents["a1"].pk, "claim": f"有事打我电话{PHONE_A}"},
        {"side": 2, "household": county.households["a2"].pk, "claim": "不同意"}])
    me = d.parties.alive().get(side=1)
    html = client.post(URL, {"code": _code(county, d, me)}).content.decode()
    assert PHONE_A not in html and "有事打我电话" in html


def test_wrong_codes_are_refused_and_guessing_is_limited(county, make_dispute, client, settings):
    settings.PORTAL_LIMITS = {"track_miss": (3, 3600)}
    assert client.get(URL).status_code == 200
    for _ in range(3):
        r = client.post(URL, {"code": "ABCD-EFGH-JKMN-PQRS"})
        assert r.status_code == 404 and "没有找到这个查询码" in r.content.decode()
    d, me, _other = _mediated(county, make_dispute, agree=False)
    r = client.post(URL, {"code": _code(county, d, me)})  # even the right code, from a guessing address
    assert r.status_code == 429 and "查询过于频繁" in r.content.decode() and int(r["Retry-After"]) > 0


def test_a_portal_letter_code_does_not_open_a_dispute(county, make_dispute, client):
    from minqing.portal.models import Letter

    d, me, _other = _mediated(county, make_dispute, agree=False)
    code = _code(county, d, me)
    assert not Letter.objects.filter(code_hash=codes.code_hash(code)).exists()
    assert client.post("/portal/track/", {"code": code}).status_code == 404


def test_a_party_tells_the_mediator_about_a_term_and_the_mediator_reads_it(county, make_dispute, client, bearer,
                                                                           login):
    d, me, _other = _mediated(county, make_dispute)
    code = _code(county, d, me)
    term = d.agreements.get().terms.get(number=1)
    r = client.post(f"{URL}message/", {"code": code, "text": "期限过了，对方还没有拆", "term": term.pk})
    assert r.status_code == 200 and "对方还没有拆" in r.content.decode()
    m = PartyMessage.objects.get()
    assert (m.party_id, m.term_id, m.read_at) == (me.pk, term.pk, None)
    assert Event.objects.filter(action="dispute.party_message", object_id=d.pk).exists()
    staff = login(county.mediator_a).get(f"/disputes/{d.pk}/").content.decode()
    assert "对方还没有拆" in staff and "未读" in staff
    detail = client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(county.mediator_a)).json()
    assert detail["party_messages"][0]["term"] == term.pk and detail["party_messages"][0]["read_at"] is None
    r = client.post(f"/api/v1/disputes/{d.pk}/messages/read", headers=bearer(county.mediator_a))
    assert r.status_code == 200 and r.json() == {"read": 1}
    assert parties.view(PartyAccess.objects.get(party=me)).messages[0].read is True


def test_bad_messages_change_nothing(county, make_dispute, client, settings):
    d, me, _other = _mediated(county, make_dispute)
    elsewhere, _x, _y = _mediated(county, make_dispute)
    code = _code(county, d, me)
    short = client.post(f"{URL}message/", {"code": code, "text": "不"})
    assert short.status_code == 400 and "至少" in short.content.decode()
    foreign = elsewhere.agreements.get().terms.first()
    wrong = client.post(f"{URL}message/", {"code": code, "text": "对方没有履行", "term": foreign.pk})
    assert wrong.status_code == 400 and "条款不存在" in wrong.content.decode()
    assert not PartyMessage.objects.exists()
    settings.PORTAL_LIMITS = {"say_addr": (1, 3600)}
    assert client.post(f"{URL}message/", {"code": code, "text": "对方没有履行"}).status_code == 200
    flood = client.post(f"{URL}message/", {"code": code, "text": "对方还是没有履行"})
    assert flood.status_code == 429 and "留言过于频繁" in flood.content.decode()
    assert PartyMessage.objects.count() == 1


def test_the_public_api_gives_the_same_view(county, make_dispute, client):
    d, me, _other = _mediated(county, make_dispute)
    code = _code(county, d, me)
    r = client.post(API, {"code": code}, content_type="application/json")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.json()
    assert body == parties.view(PartyAccess.objects.get(party=me)).as_dict()
    assert body["phase"] == "performing" and body["side"] == "甲方" and "甲村户主2" not in str(body)
    assert client.post(API, {"code": "2222-3333-4444-5555"}, content_type="application/json").status_code == 404
    r = client.post(f"{API}/messages", {"code": code, "text": "对方说下周拆"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["messages"][0]["text"] == "对方说下周拆"
    r = client.post(f"{API}/messages", {"code": code, "text": ""}, content_type="application/json")
    assert r.status_code == 422 and "至少" in r.json()["detail"]


def test_the_mediator_issues_the_slip_once_and_can_stop_a_code(county, make_dispute, login, client):
    d, me, _other = _mediated(county, make_dispute, agree=False)
    mediator = login(county.mediator_a)
    assert "发放查询码" in mediator.get(f"/disputes/{d.pk}/").content.decode()
    r = mediator.post(f"/disputes/{d.pk}/parties/{me.pk}/code/")
    assert r.status_code == 302 and r["Location"].endswith(f"/disputes/{d.pk}/parties/{me.pk}/slip/")
    slip = mediator.get(r["Location"])
    text = slip.content.decode()
    code = text.split('data-testid="party-code">', 1)[1].split("<", 1)[0]
    assert codes.normalize(code) and "/portal/mediation/" in text and slip["Cache-Control"].startswith("no-store")
    assert 'data-testid="party-code"' not in mediator.get(r["Location"]).content.decode()  # once
    assert client.post(URL, {"code": code}).status_code == 200
    assert mediator.post(f"/disputes/{d.pk}/parties/{me.pk}/revoke/").status_code == 302
    assert client.post(URL, {"code": code}).status_code == 404


def test_the_api_issues_and_revokes_codes(county, make_dispute, client, bearer):
    d, me, _other = _mediated(county, make_dispute, agree=False)
    r = client.post(f"/api/v1/disputes/{d.pk}/parties/{me.pk}/code", headers=bearer(county.mediator_a))
    assert r.status_code == 201 and codes.normalize(r.json()["code"])
    detail = client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(county.mediator_a)).json()
    assert detail["parties"][0]["code_issued_at"] and detail["parties"][1]["code_issued_at"] is None
    r = client.post(f"/api/v1/disputes/{d.pk}/parties/{me.pk}/code/revoke", headers=bearer(county.mediator_a))
    assert r.json() == {"revoked": 1}
    other_dispute, _a, _b = _mediated(county, make_dispute, agree=False)
    wrong = client.post(f"/api/v1/disputes/{d.pk}/parties/{_a.pk}/code", headers=bearer(county.mediator_a))
    assert wrong.status_code == 404  # a party of another dispute


@pytest.mark.parametrize(("persona", "status"), [("cadre_a", 404), ("cadre_b", 404), ("outsider", 404),
                                                 ("mediator_a", 201), ("township_leader", 201)])
def test_only_those_who_see_a_family_dispute_may_issue_its_codes(county, make_dispute, client, bearer, persona,
                                                                 status):
    d = make_dispute(county.mediator_a, kind="family", title="离婚财产纠纷")
    me = d.parties.alive().first()
    r = client.post(f"/api/v1/disputes/{d.pk}/parties/{me.pk}/code", headers=bearer(getattr(county, persona)))
    assert r.status_code == status


def test_a_family_dispute_party_sees_their_own_case(county, make_dispute, client):
    d = make_dispute(county.mediator_a, kind="family", title="离婚财产纠纷")
    me = d.parties.alive().first()
    html = client.post(URL, {"code": _code(county, d, me)}).content.decode()
    assert "婚姻家庭" in html and "待调解" in html


def test_a_referred_dispute_tells_the_party_where_to_go(county, make_dispute, client):
    d, me, _other = _mediated(county, make_dispute, agree=False)
    services.refer(d, actor=county.mediator_a, to="court", body="宣汉县人民法院",
                   reason="甲村户主2坚持起诉，调解不成")
    html = client.post(URL, {"code": _code(county, d, me)}).content.decode()
    assert "宣汉县人民法院" in html and "对方坚持起诉" in html and "已转出" in html
