"""The outbox against real HTTP fakes of the two robots and the two SMS APIs on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction

from minqing.appeals import services as appeals
from minqing.notices import delivery, services
from minqing.notices.models import Attempt, Notice

from .conftest import T0

pytestmark = pytest.mark.django_db(transaction=True)


class Clock:
    def __init__(self, start: dt.datetime = T0) -> None:
        self.t = start

    def __call__(self) -> dt.datetime:
        return self.t

    def step(self, **kw) -> dt.datetime:
        self.t += dt.timedelta(**kw)
        return self.t


def _register(county, at, **extra):
    fields = dict(region=county.village_a.code, kind="problem", channel="visit", title="组道路面破损",
                  text="三组到村委会的水泥路坏了。", reporter_name="张三", phone="13812345678")
    fields.update(extra)
    return appeals.register_appeal(actor=county.cadre_a, now=at, **fields)


def _assign(county, a, at):
    return appeals.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                             measures="修补路面", due=at + dt.timedelta(days=10), now=at)


def test_an_assignment_reaches_both_robots_signed_and_without_personal_data(county, wecom, dingtalk):
    housing = county.units["housing"].pk
    services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url, unit_id=housing)
    services.add_endpoint(actor=None, kind="dingtalk", region_code=county.county.code, url=dingtalk.url,
                          secret="SEC0123456789abcdef", unit_id=housing)
    a = _assign(county, _register(county, T0), T0 + dt.timedelta(hours=1))
    assert Notice.objects.filter(kind="assigned", state="pending").count() == 2  # written with the change
    counts = delivery.deliver_due(T0 + dt.timedelta(hours=1, seconds=5))
    assert counts["sent"] == 2 and not dingtalk.rejected and not wecom.rejected
    body = wecom.received[0]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert a.number in content and "甲村" in content and "期限" in content
    assert f"https://mq.example.gov.cn/appeals/{a.pk}/" in content
    for secret in ("张三", "13812345678", "5678", "水泥路"):  # no name, phone or words of the resident
        assert secret not in content
    ding = dingtalk.received[0]
    assert ding["msgtype"] == "markdown" and a.number in ding["markdown"]["text"]
    assert int(ding["timestamp"]) == int((T0 + dt.timedelta(hours=1, seconds=5)).timestamp() * 1000)
    # the handler's inbox has it too: the same outbox, channel inbox
    assert services.unread_count(county.dept_handler) == 1


def test_a_wrong_dingtalk_secret_is_refused_by_the_fake_and_dead_lettered(county, dingtalk):
    e = services.add_endpoint(actor=None, kind="dingtalk", region_code=county.county.code, url=dingtalk.url,
                              secret="wrong", unit_id=county.units["housing"].pk)
    _assign(county, _register(county, T0), T0 + dt.timedelta(hours=1))
    delivery.deliver_due(T0 + dt.timedelta(hours=2))
    n = Notice.objects.get(endpoint=e)
    assert n.state == "dead" and "310000" in n.last_error and dingtalk.rejected and not dingtalk.received


def test_25_notices_in_a_minute_go_out_at_20_a_minute_none_lost(county, wecom):
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url)
    clock = Clock()
    with transaction.atomic():
        for i in range(25):
            services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code,
                           title=f"催办 {i}", body=f"编号 N{i:02d}", dedup_key=f"t25:{i}", now=clock.step(seconds=2))
    sent_at: list[dt.datetime] = []
    for _ in range(40):  # a worker polling every 5 s of the injected clock for 200 s
        delivery.deliver_due(clock=clock)
        clock.step(seconds=5)
    attempts = list(Attempt.objects.filter(endpoint=e).order_by("at"))
    sent_at = [x.at for x in attempts]
    assert len(wecom.received) == 25 and Notice.objects.filter(endpoint=e, state="sent").count() == 25
    assert sorted(json.dumps(r, ensure_ascii=False).split("编号 ")[1][:3] for r in wecom.received) == \
        sorted(f"N{i:02d}" for i in range(25))  # every one, once
    for t in sent_at:  # no sliding minute holds more than 20
        assert sum(1 for u in sent_at if t <= u < t + dt.timedelta(minutes=1)) <= 20
    assert sent_at[-1] - sent_at[0] >= dt.timedelta(minutes=1)  # the last five waited for the window


def test_a_robot_answering_500_is_retried_then_dead_lettered_visible_and_resent(county, wecom, sysadmin, client):
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url)
    wecom.fail_with = 500
    clock = Clock()
    n = services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code, title="催办",
                       body="编号 X", dedup_key="t500", now=clock())
    for _ in range(60):
        delivery.deliver_due(clock=clock)
        clock.step(minutes=1)
    n.refresh_from_db()
    assert n.state == "dead" and n.attempts == delivery.MAX_ATTEMPTS and "HTTP 500" in n.last_error
    gaps = [b.at - a.at for a, b in zip(n.attempt_log.all(), list(n.attempt_log.all())[1:], strict=False)]
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]  # backing off
    client.force_login(sysadmin, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/notices/outbox/?state=dead").content.decode()
    assert "HTTP 500" in page and f"/notices/outbox/{n.pk}/resend/" in page and "重发" in page
    wecom.fail_with = None
    assert client.post(f"/notices/outbox/{n.pk}/resend/").status_code == 302
    delivery.deliver_due()  # resent now (the page's time)
    n.refresh_from_db()
    assert n.state == "sent" and len(wecom.received) == 1 and n.attempt_log.count() == delivery.MAX_ATTEMPTS + 1


def test_a_rolled_back_change_sends_nothing(county, wecom):
    services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url,
                          unit_id=county.units["housing"].pk)
    a = _register(county, T0)
    with pytest.raises(RuntimeError), transaction.atomic():
        _assign(county, a, T0 + dt.timedelta(hours=1))
        assert Notice.objects.filter(kind="assigned").exists()  # written in the change's transaction …
        raise RuntimeError("the request failed after the assignment")
    assert not Notice.objects.filter(kind="assigned").exists()  # … and gone with it
    delivery.deliver_due(T0 + dt.timedelta(hours=2))
    assert wecom.received == []


def test_a_killed_worker_never_makes_a_notice_go_out_twice(county, wecom):
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url)
    n = services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code, title="催办",
                       body="编号 K", dedup_key="kill", now=T0)
    # worker A claims the row (committed) and is killed before its request: nothing reached the robot
    [(claimed, attempt)] = delivery.claim(T0, worker="A")
    assert Notice.objects.get(pk=n.pk).state == "sending"
    # while A's lease holds nobody else takes the row
    assert delivery.deliver_due(T0 + dt.timedelta(seconds=30))["sent"] == 0 and wecom.received == []
    # after the lease, worker B sends it once
    later = T0 + delivery.LEASE + dt.timedelta(seconds=1)
    assert delivery.deliver_due(later, worker="B")["sent"] == 1 and len(wecom.received) == 1
    # A comes back (it was only paused): its stale lease can write nothing …
    from minqing.notices import channels as ch

    assert delivery.finish(claimed, attempt, ch.Outcome(True, 200, "ok"), later) == "lost"
    # … and a sent row is never claimed again
    for minutes in (5, 60, 600):
        assert delivery.deliver_due(later + dt.timedelta(minutes=minutes))["sent"] == 0
    assert len(wecom.received) == 1 and Notice.objects.get(pk=n.pk).state == "sent"


def test_a_worker_paused_past_its_lease_does_not_send(county, wecom):
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url)
    services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code, title="催办",
                   body="编号 P", dedup_key="pause", now=T0)
    times = iter([T0, T0 + delivery.LEASE + dt.timedelta(seconds=1)])  # claimed, then woke too late
    assert delivery.deliver_due(clock=lambda: next(times))["skipped"] == 1
    assert wecom.received == []


def test_the_same_dedup_key_is_one_message(county, wecom):
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url)
    for _ in range(3):
        services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code, title="催办",
                       body="编号 D", dedup_key="same", now=T0)
    delivery.deliver_due(T0)
    assert Notice.objects.filter(dedup_key="same").count() == 1 and len(wecom.received) == 1


def test_residents_get_sms_through_aliyun_signed_with_the_reply_and_per_number_limits(county, aliyun):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="aliyun",
                          url=aliyun.base + "/", key_id="LTAI-test", secret="ali-secret", sign_name="宣汉县民情",
                          templates={"resident_accepted": "SMS_1", "resident_closed": "SMS_2",
                                     "resident_visit": "SMS_3"})
    a = _register(county, T0)
    delivery.deliver_due(T0)
    assert not aliyun.rejected and len(aliyun.received) == 1
    got = aliyun.received[0]
    assert got["PhoneNumbers"] == "13812345678" and got["TemplateCode"] == "SMS_1" and got["SignName"] == "宣汉县民情"
    assert json.loads(got["TemplateParam"])["number"] == a.number
    n = Notice.objects.get(kind="resident_accepted")
    assert n.address_masked == "138****5678" and "13812345678" not in n.address_enc
    # a second SMS to the same number inside a minute waits for the provider's per-number limit
    report = a.reports.get()
    services.queue_resident_sms(report, "resident_closed", reply="路面已修复。\n施工队：李四", now=T0)
    delivery.deliver_due(T0 + dt.timedelta(seconds=10))
    assert len(aliyun.received) == 1
    delivery.deliver_due(T0 + dt.timedelta(seconds=61))
    assert len(aliyun.received) == 2
    assert json.loads(aliyun.received[1]["TemplateParam"])["reply"] == "路面已修复。"  # the first line only
    assert services.was_told(report)


def test_tencent_sms_is_signed_tc3_and_errors_are_kept(county, tencent):
    e = services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="tencent",
                              url=tencent.base + "/", key_id="AKID-test", secret="tc-secret", app_id="1400000000",
                              sign_name="宣汉县民情", templates={"resident_accepted": "1234567"})
    _register(county, T0)
    delivery.deliver_due(T0)
    assert len(tencent.received) == 1 and not tencent.rejected
    sent = tencent.received[0]
    assert sent["PhoneNumberSet"] == ["+8613812345678"] and sent["TemplateId"] == "1234567"
    from minqing.households import crypto

    e.secret_enc = crypto.encrypt("wrong")
    e.save()
    _register(county, T0 + dt.timedelta(hours=1), phone="13912345678", title="另一件")
    delivery.deliver_due(T0 + dt.timedelta(hours=1))
    dead = Notice.objects.get(kind="resident_accepted", address_masked="139****5678")
    assert dead.state == "dead" and "AuthFailure.SignatureFailure" in dead.last_error


def test_concurrent_workers_never_claim_the_same_row(county, wecom):
    """Four workers at once on PostgreSQL (SKIP LOCKED) or SQLite (one writer at a time): every message
    reaches the robot exactly once."""
    import threading

    from django.db import connection, connections

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("threads need a shared database (PostgreSQL, or SQLite on a file)")
    e = services.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=wecom.url,
                              per_minute=600)
    for i in range(40):
        services.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.county.code,
                       title=f"催办 {i}", body=f"编号 C{i:02d}", dedup_key=f"conc:{i}", now=T0)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for _ in range(10):
                delivery.deliver_due(T0 + dt.timedelta(seconds=1), limit=5, worker=name)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    bodies = [r["markdown"]["content"] for r in wecom.received]
    assert len(bodies) == 40 and len(set(bodies)) == 40
    assert Attempt.objects.filter(endpoint=e).count() == 40
    assert len(set(Attempt.objects.filter(endpoint=e).values_list("worker", flat=True))) > 1
