"""The outbox wired to the cases and the portal (issue 17): 已告知结果 only once the closure SMS is
delivered, one rating-link token from the SMS to the rating page, the portal letter's acceptance SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import resolve

from minqing.appeals import services as appeals
from minqing.audit.models import Event as AuditEvent
from minqing.notices import delivery, services
from minqing.notices.models import Notice
from minqing.portal import rating
from minqing.portal.models import Rating

from .conftest import T0
from .test_triggers import _assigned

H = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _loose_sms_limits(settings):
    settings.MINQING_SMS_LIMITS = [(1, 100)]  # one number gets accepted, visit and closed in one pass


def _visited(county):
    a = _assigned(county)
    a = appeals.do_submit_result(a, actor=county.dept_handler, result="路面已修复。\n施工队：李四", now=T0 + 4 * H)
    return appeals.do_verify(a, actor=county.cadre_a, passed=True, now=T0 + 5 * H)


def test_told_only_once_the_closure_sms_is_delivered(county):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")
    a = _visited(county)
    a = appeals.do_return_visit(a, actor=county.cadre_a, satisfaction="satisfied", method="phone", now=T0 + 6 * H)
    appeals.do_close(a, actor=county.cadre_a, outcome="solved", now=T0 + 7 * H)  # no told method
    report = a.reports.get()
    report.refresh_from_db()
    closed = Notice.objects.get(kind="resident_closed", report=report)
    assert closed.state == Notice.State.PENDING
    assert report.notified_at is None and not services.was_told(report)  # queued is not told
    assert not AuditEvent.objects.filter(action="appeal.told").exists()
    delivery.deliver_due(T0 + 8 * H)  # the log-only provider "sends" it
    closed.refresh_from_db()
    report.refresh_from_db()
    assert closed.state == Notice.State.SENT
    assert report.notified_method == "短信" and report.notified_at == T0 + 8 * H
    assert services.was_told(report)
    told = AuditEvent.objects.get(action="appeal.told")
    assert told.changes["method"] == "短信" and told.changes["reports"] == [report.pk]
    delivery.deliver_due(T0 + 9 * H)  # nothing more to send, nothing marked again
    assert AuditEvent.objects.filter(action="appeal.told").count() == 1


def test_other_sms_and_a_dead_closure_sms_do_not_tell(county, aliyun):
    # Aliyun rejects the template: the closure SMS goes dead, the report stays untold.
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="aliyun",
                          url=aliyun.base + "/", key_id="LTAI-test", secret="ali-secret", sign_name="宣汉县民情",
                          templates={"resident_accepted": "SMS_1", "resident_visit": "SMS_3"})
    a = _visited(county)
    a = appeals.do_return_visit(a, actor=county.cadre_a, satisfaction="satisfied", method="phone", now=T0 + 6 * H)
    appeals.do_close(a, actor=county.cadre_a, outcome="solved", now=T0 + 7 * H)
    delivery.deliver_due(T0 + 8 * H)
    report = a.reports.get()
    assert Notice.objects.get(kind="resident_accepted").state == Notice.State.SENT
    assert Notice.objects.get(kind="resident_closed").state == Notice.State.DEAD  # no template for it
    report.refresh_from_db()
    assert report.notified_at is None and not services.was_told(report)


def test_staff_told_by_phone_is_kept_when_the_sms_arrives_later(county):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")
    a = _visited(county)
    a = appeals.do_return_visit(a, actor=county.cadre_a, satisfaction="satisfied", method="phone", now=T0 + 6 * H)
    appeals.do_close(a, actor=county.cadre_a, outcome="solved", told="电话", now=T0 + 7 * H)
    delivery.deliver_due(T0 + 8 * H)
    report = a.reports.get()
    report.refresh_from_db()
    assert report.notified_method == "电话" and services.was_told(report)


def test_the_visit_sms_link_opens_the_rating_page_and_records_the_rating(county, client):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")
    a = _visited(county)
    report = a.reports.get()
    visit = Notice.objects.get(kind="resident_visit", report=report)
    delivery.deliver_due(T0 + 6 * H)
    visit.refresh_from_db()
    assert visit.state == Notice.State.SENT
    sms = delivery.message_of(visit)  # what the resident's phone shows
    sent_link = sms.link
    assert sent_link.startswith("https://mq.example.gov.cn/portal/rate/")
    assert sent_link in sms.text and sms.params["link"] == sent_link
    path = sent_link.removeprefix("https://mq.example.gov.cn")
    assert path == visit.link and resolve(path).view_name == "portal:rate"
    token = path.rstrip("/").rsplit("/", 1)[1]
    # one token scheme on both sides: the portal reads the SMS's token, the outbox reads the portal's
    assert rating.report_of(token).pk == report.pk == services.report_of_token(token)
    assert services.report_of_token(rating.make_token(report)) == report.pk
    page = client.get(path)
    assert page.status_code == 200 and a.number in page.content.decode()
    assert "13812345678" not in page.content.decode()
    done = client.post(path, {"satisfaction": "very_satisfied", "comment": "修得好"}, REMOTE_ADDR="10.9.0.7")
    assert done.status_code == 200
    got = Rating.objects.get(report=report)
    assert got.satisfaction == "very_satisfied" and got.counted is True
    a.refresh_from_db()
    assert a.satisfaction == "very_satisfied"
    forged = client.get(path[:-3] + "xx/")
    assert forged.status_code == 404
