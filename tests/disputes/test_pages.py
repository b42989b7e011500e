"""The pages: list with the year's sentence, detail with the session and agreement forms, risk list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.disputes import services
from minqing.disputes.models import Agreement, MediationSession

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_the_sentence_and_the_disputes(county, login, make_dispute):
    d = make_dispute()
    text = _text(login(county.cadre_a).get("/disputes/"))
    assert d.appeal.number in text and "遮雨棚过界纠纷" in text and "邻里矛盾" in text
    assert "共排查矛盾纠纷1件，解决0件，其余1件中0件已明确时限和责任人" in text
    assert d.appeal.number in _text(login(county.cadre_a).get("/disputes/?kind=neighbour&phase=screening"))
    assert d.appeal.number not in _text(login(county.cadre_a).get("/disputes/?kind=land"))
    assert "区划代码" in _text(login(county.cadre_a).get("/disputes/?region=abc"))


def test_a_mediator_adds_a_session_and_an_agreement_from_the_page(county, login, make_dispute):
    d = make_dispute()
    services.start_stage(d, actor=county.cadre_a, kind="people", mediator=county.mediator_a)
    client = login(county.mediator_a)
    page = _text(client.get(f"/disputes/{d.pk}/"))
    assert "甲村调解委员会" in page and 'name="outcome"' in page and 'name="terms"' in page
    r = client.post(f"/disputes/{d.pk}/sessions/", {"venue": "field_court", "place": "村口田坎",
                                                    "attendees": "甲村居民1，甲村户主2", "outcome": "双方让步",
                                                    "result": "agreed"})
    assert r.status_code == 302 and r["Location"] == f"/disputes/{d.pk}/"
    s = MediationSession.objects.get(dispute=d)
    assert s.venue == "field_court" and s.attendees == ["甲村居民1", "甲村户主2"]
    due = timezone.localdate() + dt.timedelta(days=7)
    r = client.post(f"/disputes/{d.pk}/agreement/", {"summary": "拆除过界部分", "terms": f"拆除遮雨棚 | {due}\n"})
    assert r.status_code == 302
    g = Agreement.objects.get(dispute=d)
    assert [(t.text, t.due_on) for t in g.terms.all()] == [("拆除遮雨棚", due)]
    page = _text(client.get(f"/disputes/{d.pk}/"))
    assert "拆除遮雨棚" in page and "协议履行中" in page and 'name="terms"' not in page


def test_a_bad_form_is_told_in_chinese(county, login, make_dispute):
    d = make_dispute()
    client = login(county.cadre_a)
    r = client.post(f"/disputes/{d.pk}/sessions/", {"outcome": "x"}, follow=True)
    assert "请先启动调解环节" in r.content.decode()
    services.start_stage(d, actor=county.cadre_a, kind="people", mediator=county.mediator_a)
    r = client.post(f"/disputes/{d.pk}/agreement/", {"summary": "x", "terms": "没有期限的条款"}, follow=True)
    assert "履行期限" in r.content.decode()
    assert not Agreement.objects.exists()


def test_the_risk_list_marks_overdue_reviews(county, login, make_dispute):
    late = make_dispute(risk_level="high", risks=["violence"], title="山林界址争执")
    make_dispute(title="排水沟纠纷")
    late.__class__.objects.filter(pk=late.pk).update(next_review_on=timezone.localdate() - dt.timedelta(days=3))
    text = _text(login(county.township_leader).get("/disputes/risks/"))
    assert text.index("山林界址争执") < text.index("排水沟纠纷")
    assert "逾期3天" in text
    only = _text(login(county.township_leader).get("/disputes/risks/?overdue=1"))
    assert "山林界址争执" in only and "排水沟纠纷" not in only


def test_anonymous_visitors_are_sent_to_log_in(client):
    r = client.get("/disputes/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_admin_edits_the_kinds_of_dispute(county, login):
    client = login(county.admin)
    page = client.get("/admin/disputes/disputekind/")
    assert page.status_code == 200 and "山林权属" in page.content.decode()
    assert login(county.cadre_a).get("/admin/disputes/disputekind/").status_code == 302


def test_stage_follow_up_and_referral_from_the_page(county, login, make_dispute):
    d = make_dispute()
    cadre = login(county.cadre_a)
    assert 'name="kind"' in _text(cadre.get(f"/disputes/{d.pk}/"))
    r = cadre.post(f"/disputes/{d.pk}/stages/", {"kind": "people", "mediator_name": "张调解员"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.owner_name == "张调解员" and d.stages.get().body == "甲村调解委员会"
    r = cadre.post(f"/disputes/{d.pk}/stages/", {"kind": "administrative", "body": "甲镇司法所",
                                                 "mediator_name": "李所长"}, follow=True)
    assert "移交理由" in r.content.decode()
    due = timezone.localdate() + dt.timedelta(days=7)
    services.record_agreement(d, actor=county.mediator_a, summary="拆除", terms=[{"text": "拆除", "due_on": due},
                                                                               {"text": "道歉", "due_on": due}])
    terms = list(Agreement.objects.get(dispute=d).terms.all())
    page = _text(cadre.get(f"/disputes/{d.pk}/"))
    assert f'name="term_{terms[0].pk}"' in page
    r = cadre.post(f"/disputes/{d.pk}/follow-up/", {f"term_{terms[0].pk}": "kept", f"term_{terms[1].pk}": "kept",
                                                    "method": "上门"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert services.phase(d) == "solved"
    other = make_dispute(title="另一纠纷")
    r = cadre.post(f"/disputes/{other.pk}/referral/", {"to": "court", "body": "宣汉县人民法院", "reason": "起诉"})
    assert r.status_code == 302
    other.refresh_from_db()
    assert services.phase(other) == "referred"


def test_the_mediator_completes_a_plain_dispute_on_its_page(county, login):
    """A dispute found on a visit has one side: the page says so and lets the mediator add the other
    side and review the risk; bad input changes nothing."""
    from minqing.appeals import services as appeals
    from minqing.disputes.models import Dispute

    appeal = appeals.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="dispute",
                                     channel="visit", title="排水沟纠纷", text="邻居填了排水沟",
                                     household=county.households["a1"])
    d = Dispute.objects.get(appeal=appeal)
    c = login(county.mediator_a)
    assert "只登记了一方当事人" in c.get(f"/disputes/{d.pk}/").content.decode()
    bad = c.post(f"/disputes/{d.pk}/parties/", {"side": "2", "kind": "resident", "name": ""}, follow=True)
    assert "请填写当事人姓名或名称" in bad.content.decode() and d.parties.count() == 1
    c.post(f"/disputes/{d.pk}/parties/", {"side": "2", "kind": "household", "name": "甲村户主2", "claim": "沟是我家的"})
    assert sorted(d.parties.values_list("side", flat=True)) == [1, 2]
    assert "只登记了一方当事人" not in c.get(f"/disputes/{d.pk}/").content.decode()
    c.post(f"/disputes/{d.pk}/risk/", {"level": "high", "risks": ["violence", "petition"], "note": "双方言语激烈"})
    d.refresh_from_db()
    assert (d.risk_level, d.risk_violence, d.risk_petition, d.risk_group) == ("high", True, True, False)
    assert d.risk_reviews.get().note == "双方言语激烈"
