"""The five-level 好差评 from the return-visit SMS link (portal:rate with a signed token), and 已告知结果
recorded only with a method (staff) or by the notices outbox (mark_told)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse

from minqing.appeals import metrics, services
from minqing.appeals.models import AppealEvent, ReturnVisit
from minqing.audit.models import Event as AuditEvent
from minqing.portal import rating
from minqing.portal.models import Rating
from minqing.web import actionforms
from tests.appeals import conftest as appeals_fixtures

clock = appeals_fixtures.clock  # the appeals tests' fixtures
register = appeals_fixtures.register

LEVELS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def awaiting_visit(county, register, clock):
    a = register()
    a = services.do_review(a, actor=county.township_leader, decision="assign", unit=county.units["town_office"].pk,
                           person=county.cadre_b.pk, measures="修路", now=clock())
    a = services.do_submit_result(a, actor=county.cadre_b, result="已修好", now=clock())
    return services.do_verify(a, actor=county.cadre_a, passed=True, now=clock())


def test_the_link_page_rates_once_and_a_bad_rating_reopens(client, county, register, clock):
    a = awaiting_visit(county, register, clock)
    report = a.reports.get()
    url = rating.rating_url(report)
    assert url.startswith("/portal/rate/") and resolve(url).view_name == "portal:rate"
    assert reverse("portal:rate") == "/portal/track/rate/"  # the tracking-code form keeps its own address
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and all(label in body for label in LEVELS)
    assert a.number in body and "张三" not in body and "13812345678" not in body
    assert "no-store" in page["Cache-Control"]
    got = client.post(url, {"satisfaction": "very_unsatisfied", "comment": "路面还是积水"}, REMOTE_ADDR="10.9.0.1")
    assert got.status_code == 200 and "非常不满意" in got.content.decode()
    a.refresh_from_db()
    assert (a.status, a.reopen_count) == ("in_progress", 1)  # 差评 sends it back, as a staff visit would
    event = AppealEvent.objects.filter(appeal=a, action="return_visit").get()
    assert event.payload["method"] == "sms_link" and event.payload["satisfaction"] == "very_unsatisfied"
    assert ReturnVisit.objects.get(appeal=a).satisfaction == "very_unsatisfied"
    assert Rating.objects.get(report=report).counted is True
    again = client.post(url, {"satisfaction": "satisfied"}, REMOTE_ADDR="10.9.0.2")
    assert again.status_code == 400 and "已经评价" in again.content.decode()
    assert Rating.objects.filter(report=report).count() == 1


def test_a_good_rating_awaits_closure_and_counts_as_satisfied(client, county, register, clock):
    a = awaiting_visit(county, register, clock)
    t = clock()
    rating.rate(rating.make_token(a.reports.get()), satisfaction="very_satisfied", address_key="k1", now=t)
    a.refresh_from_db()
    assert a.status == "awaiting_closure" and a.satisfaction == "very_satisfied"
    counts = metrics.satisfaction_counts(county.county.code, t.date(), t.date())
    assert counts == {"satisfied": 1, "basic": 0, "unsatisfied": 0}  # 非常满意 counted with 满意


def test_a_forged_or_unknown_link_is_refused(client, county, register, clock):
    a = awaiting_visit(county, register, clock)
    token = rating.make_token(a.reports.get())
    assert client.get(f"/portal/rate/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/portal/rate/{rating.make_token(10**9)}/").status_code == 404
    with pytest.raises(ValidationError):
        rating.rate(token, satisfaction="great", address_key="k2")


def test_told_only_when_staff_say_how_or_a_notice_was_sent(county, register, clock):
    a = register(anonymous=False)
    a = services.do_solve_on_spot(a, actor=county.cadre_a, what="已处理", now=clock())
    # solve_on_spot closes without the close action; use a full closure for the told rule
    b = awaiting_visit(county, register, clock)
    b = services.do_return_visit(b, actor=county.cadre_a, satisfaction="satisfied", now=clock())
    b = services.do_close(b, actor=county.cadre_a, outcome="solved", now=clock())
    report = b.reports.get()
    assert report.notified_at is None and report.notified_method == ""  # nothing was sent, nobody said
    with pytest.raises(ValidationError):
        services.mark_told(b, method="飞鸽传书")
    t = clock()
    assert services.mark_told(b, method="短信", now=t) == 1
    report.refresh_from_db()
    assert (report.notified_at, report.notified_method) == (t, "短信")
    assert AuditEvent.objects.filter(action="appeal.told").exists()
    assert services.mark_told(b, method="短信", now=clock()) == 0  # already told: unchanged
    c = awaiting_visit(county, register, clock)
    c = services.do_return_visit(c, actor=county.cadre_a, satisfaction="basically_satisfied", now=clock())
    c = services.do_close(c, actor=county.cadre_a, outcome="solved", told="当面", now=clock())
    assert c.reports.get().notified_method == "当面"
    assert AppealEvent.objects.get(appeal=c, action="close").payload["told"] == "当面"


def test_the_staff_forms_use_the_five_levels_and_ask_how_residents_were_told():
    assert [label for _v, label in actionforms.SATISFACTION] == LEVELS
    close = {f.name: f for f in actionforms.fields_of("close")}
    assert [v for v, _l in close["told"].choices] == ["电话", "当面", "短信", "门户"]


def test_a_rating_before_the_case_is_handled_is_refused(county, register, clock):
    a = register()
    with pytest.raises(ValidationError, match="办理完成后"):
        rating.rate(rating.make_token(a.reports.get()), satisfaction="satisfied", address_key="k3",
                    now=a.received_at + dt.timedelta(hours=1))
    assert not Rating.objects.exists()
