"""Rules of the services that the API life does not walk through: bad input answers in Chinese,
idempotent offline registration, deadlines, the audit trail of our own records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.audit.models import Event
from minqing.disputes import services
from minqing.disputes.models import Dispute, Party
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db
T = dt.datetime(2025, 4, 1, 9, 0, tzinfo=TZ)


def test_registration_checks_its_input(county, make_dispute):
    with pytest.raises(ValidationError, match="纠纷类型"):
        make_dispute(kind="nonsense")
    with pytest.raises(ValidationError, match="风险等级"):
        make_dispute(risk_level="extreme")
    with pytest.raises(ValidationError, match="风险类型"):
        make_dispute(risks=["riot"])
    with pytest.raises(ValidationError, match="两方"):
        make_dispute(parties=[{"side": 1, "name": "张三"}, {"side": 1, "name": "李四"}])
    with pytest.raises(ValidationError, match="当事人所在方"):
        make_dispute(parties=[{"side": 0, "name": "张三"}, {"side": 2, "name": "李四"}])
    with pytest.raises(ValidationError, match="当事人姓名"):
        make_dispute(parties=[{"side": 1}, {"side": 2, "name": "李四"}])
    with pytest.raises(PermissionDenied):
        make_dispute(county.cadre_b)  # village A is not cadre B's
    assert not Dispute.objects.exists()  # nothing half-made: each call is one transaction


def test_an_offline_registration_sent_twice_makes_one_dispute(county, make_dispute):
    first = make_dispute(client_id="phone-1-0001")
    again = make_dispute(client_id="phone-1-0001")
    assert first.pk == again.pk and Dispute.objects.count() == 1 and Party.objects.count() == 2


def test_parties_of_every_kind(county, make_dispute):
    d = make_dispute(kind="labour", parties=[
        {"side": 1, "kind": "resident", "resident": county.residents["a1"].pk, "claim": "工资没发"},
        {"side": 2, "kind": "enterprise", "name": "宏达建材厂", "enterprise_ref": "91511722MA62XXXX1",
         "claim": "年底结清"},
        {"side": 2, "kind": "unit", "unit": county.units["committee_a"].pk}])
    parties = list(d.parties.all())
    assert [(p.side, p.kind, p.name) for p in parties] == [(1, "resident", "甲村居民1"),
                                                           (2, "enterprise", "宏达建材厂"), (2, "unit", "甲村村委会")]
    assert parties[0].household == county.households["a1"]
    assert d.appeal.household == county.households["a1"]


def test_the_risk_review_schedule(county, make_dispute):
    d = make_dispute(risk_level="high", found_at=T, now=T)
    assert d.next_review_on == dt.date(2025, 4, 8)  # high: a week
    later = T + dt.timedelta(days=3)
    services.review_risk(d, actor=county.cadre_a, level="low", note="双方已冷静", now=later)
    d.refresh_from_db()
    assert d.risk_level == "low" and d.next_review_on == dt.date(2025, 5, 4) and d.risks == []
    with pytest.raises(ValidationError, match="晚于今天"):
        services.review_risk(d, actor=county.cadre_a, level="low", next_review_on="2025-04-01", now=later)
    event = Event.objects.get(action="dispute.risk_reviewed")
    assert event.changes["risk_level"] == ["high", "low"] and event.reason == "双方已冷静"


def test_stage_and_agreement_deadlines(county, make_dispute):
    d = make_dispute(found_at=T, now=T)
    with pytest.raises(ValidationError, match="晚于当前时间"):
        services.start_stage(d, actor=county.cadre_a, kind="people", mediator=county.mediator_a, due="2025-03-01",
                             now=T + dt.timedelta(hours=1))
    stage = services.start_stage(d, actor=county.cadre_a, kind="people", mediator=county.mediator_a,
                                 now=T + dt.timedelta(hours=1))
    assert stage.due_at.astimezone(TZ).date() == dt.date(2025, 5, 1)  # 30 days by default
    d.refresh_from_db()
    assert d.due_at == stage.due_at and d.owner == county.mediator_a
    with pytest.raises(ValidationError, match="早于签订日期"):
        services.record_agreement(d, actor=county.mediator_a, summary="x", now=T + dt.timedelta(hours=2),
                                  terms=[{"text": "赔偿", "due_on": "2025-03-30"}])
    with pytest.raises(ValidationError, match="至少要有一项条款"):
        services.record_agreement(d, actor=county.mediator_a, summary="x", terms=[], now=T + dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="两方"):
        services.record_agreement(d, actor=county.mediator_a, summary="x", now=T + dt.timedelta(hours=2),
                                  signed_by=[d.parties.first().pk], terms=[{"text": "赔偿", "due_on": "2025-04-30"}])
    with pytest.raises(ValidationError, match="没有履行中的调解协议"):
        services.follow_up(d, actor=county.cadre_a, checks=[{"term": 1, "kept": True}], now=T + dt.timedelta(hours=3))


def test_a_broken_term_after_verification_reopens_through_the_return_visit(county, make_dispute):
    d = make_dispute(found_at=T, now=T)
    services.start_stage(d, actor=county.cadre_a, kind="people", mediator=county.mediator_a,
                         now=T + dt.timedelta(hours=1))
    g = services.record_agreement(d, actor=county.mediator_a, summary="赔偿并道歉", now=T + dt.timedelta(hours=2),
                                  terms=[{"text": "道歉", "due_on": "2025-04-03"},
                                         {"text": "赔偿", "due_on": "2025-04-20"}])
    t1, t2 = g.terms.all()
    services.follow_up(d, actor=county.cadre_a, checks=[{"term": t1.pk, "kept": True}], now=T + dt.timedelta(days=3))
    d.refresh_from_db()
    assert d.appeal.status == "awaiting_return_visit" and services.phase(d) == "performing"
    services.follow_up(d, actor=county.cadre_a, checks=[{"term": t2.pk, "kept": False, "note": "没给钱"}],
                       now=T + dt.timedelta(days=21))
    d.refresh_from_db()
    assert d.appeal.status == "in_progress" and d.appeal.reopen_count == 1 and d.reopen_count == 1
    assert services.phase(d) == "mediating" and d.solved_at is None
    assert list(Event.objects.filter(action="dispute.reopened").values_list("changes", flat=True)) == [
        {"agreement": g.pk, "broken_terms": [2]}]
