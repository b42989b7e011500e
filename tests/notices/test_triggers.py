"""What sends a notice to whom: the staff inbox (home page, menu count, mark read), each person's
channels, the unit's robot, residents' SMS, and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from minqing.appeals import services as appeals
from minqing.appeals import sweeps
from minqing.notices import services, triggers
from minqing.notices.models import Endpoint, Notice

from .conftest import T0


def _register(county, at, **extra):
    fields = dict(region=county.village_a.code, kind="problem", channel="visit", title="组道路面破损",
                  text="三组到村委会的水泥路坏了。", reporter_name="张三", phone="13812345678")
    fields.update(extra)
    return appeals.register_appeal(actor=county.cadre_a, now=at, **fields)


def _assigned(county, at=T0):
    a = _register(county, at)
    return appeals.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                             measures="修补路面", due=at + dt.timedelta(days=10), now=at + dt.timedelta(hours=1))


def _inbox_kinds(user) -> list[str]:
    return list(services.inbox(user).order_by("created_at", "id").values_list("kind", flat=True))


def test_the_handler_hears_of_assignment_remind_supervise_and_the_assigner_of_results(county):
    a = _assigned(county)
    assert _inbox_kinds(county.dept_handler) == ["assigned"]
    assert _inbox_kinds(county.cadre_a) == []  # not the one who did it
    a = appeals.do_remind(a, actor=county.township_leader, note="请加快", now=T0 + dt.timedelta(hours=2))
    a = appeals.do_supervise(a, actor=county.county_leader, now=T0 + dt.timedelta(hours=3))
    assert _inbox_kinds(county.dept_handler) == ["assigned", "reminded", "supervised"]
    a = appeals.do_submit_result(a, actor=county.dept_handler, result="已修复", now=T0 + dt.timedelta(hours=4))
    assert _inbox_kinds(county.cadre_a) == ["verify_due"]  # the assigner verifies
    a = appeals.do_verify(a, actor=county.township_leader, passed=True, now=T0 + dt.timedelta(hours=5))
    assert _inbox_kinds(county.cadre_a) == ["verify_due", "visit_due"]  # (the verifier is not told)
    appeals.do_return_visit(a, actor=county.cadre_a, satisfaction="unsatisfied", method="phone",
                            now=T0 + dt.timedelta(hours=6))
    assert _inbox_kinds(county.dept_handler)[-1] == "unsatisfied"
    # inbox rows are delivered at once; nothing personal of the resident in them
    row = services.inbox(county.dept_handler).first()
    assert row.state == "sent" and "张三" not in row.body and "13812345678" not in row.body


def test_inbox_count_in_the_menu_home_panel_and_mark_read(county, login):
    a = _assigned(county)
    appeals.do_remind(a, actor=county.township_leader, now=T0 + dt.timedelta(hours=2))
    client = login(county.dept_handler)
    home = client.get("/").content.decode()
    assert 'id="nav-notices"' in home and '<span class="badge">2</span>' in home
    assert 'id="home-notices"' in home and a.number in home
    page = client.get("/notices/").content.decode()
    assert "催办" in page and "新交办" in page
    first = services.inbox(county.dept_handler).order_by("id").first()
    assert client.get(f"/notices/{first.pk}/open/").url == f"/appeals/{a.pk}/"
    assert services.unread_count(county.dept_handler) == 1
    client.post("/notices/read/")
    assert services.unread_count(county.dept_handler) == 0
    # someone else's notice cannot be opened
    other = login(county.cadre_b)
    assert other.get(f"/notices/{first.pk}/open/").status_code == 404


def test_a_person_chooses_sms_and_email_and_mutes_a_kind(county, login, mailoutbox):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")
    client = login(county.dept_handler)
    r = client.post("/notices/preferences/", {"channel": ["sms", "email"], "phone": "13900001111",
                                               "email": "handler@example.cn", "mute_supervised": "1"})
    assert r.status_code == 302
    bad = client.post("/notices/preferences/", {"channel": ["sms"], "phone": "12"})
    assert bad.status_code == 200 and Notice.objects.count() == 0
    a = _assigned(county)
    appeals.do_supervise(a, actor=county.county_leader, now=T0 + dt.timedelta(hours=3))
    sent = set(Notice.objects.filter(recipient=county.dept_handler).values_list("kind", "channel"))
    assert sent == {("assigned", "inbox"), ("assigned", "sms"), ("assigned", "email"), ("supervised", "inbox")}
    sms = Notice.objects.get(channel="sms", recipient=county.dept_handler)
    assert sms.address_masked == "139****1111"
    from minqing.notices import delivery

    delivery.deliver_due(T0 + dt.timedelta(hours=4))
    assert [m.to for m in mailoutbox] == [["handler@example.cn"]] and a.number in mailoutbox[0].subject


def test_unit_robot_else_the_place_robot(county):
    place = services.add_endpoint(actor=None, kind="wecom", region_code=county.town.code,
                                  url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=T")
    _assigned(county)
    assert Notice.objects.get(channel="wecom").endpoint == place  # 住建局 has no robot: the township's group
    unit = services.add_endpoint(actor=None, kind="dingtalk", region_code=county.county.code,
                                 url="https://oapi.dingtalk.com/robot/send?access_token=X",
                                 unit_id=county.units["housing"].pk)
    _assigned(county, T0 + dt.timedelta(days=1))
    assert Notice.objects.filter(channel="dingtalk", endpoint=unit).count() == 1
    with pytest.raises(ValueError):
        services.queue(kind="x", channel="wecom", endpoint=unit, region_id=county.town.code, title="t", body="b",
                       dedup_key="personal", address="13812345678")


def test_the_sweep_warns_yellow_then_red_once_each(county):
    a = _assigned(county)
    due = a.due_at
    sweeps.sweep(now=due - dt.timedelta(hours=20))
    sweeps.sweep(now=due - dt.timedelta(hours=19))
    sweeps.sweep(now=due + dt.timedelta(hours=1))
    sweeps.sweep(now=due + dt.timedelta(hours=2))
    kinds = _inbox_kinds(county.dept_handler)
    assert kinds.count("warning_yellow") == 1 and kinds.count("warning_red") == 1


def test_residents_sms_accept_close_and_visit_link(county):
    services.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")
    a = _assigned(county)
    anon = _register(county, T0, anonymous=True, title="匿名反映")
    assert not Notice.objects.filter(appeal=anon).exclude(channel="inbox").exists()
    a = appeals.do_submit_result(a, actor=county.dept_handler, result="路面已修复。\n另：施工队李四",
                                 now=T0 + dt.timedelta(hours=4))
    a = appeals.do_verify(a, actor=county.cadre_a, passed=True, now=T0 + dt.timedelta(hours=5))
    visit = Notice.objects.get(kind="resident_visit")
    report = a.reports.get()
    assert "/portal/rate/" in visit.params["link"]
    token = visit.params["link"].rstrip("/").rsplit("/", 1)[1]
    assert services.report_of_token(token) == report.pk and services.report_of_token(token + "x") is None
    a = appeals.do_return_visit(a, actor=county.cadre_a, satisfaction="satisfied", method="phone",
                                now=T0 + dt.timedelta(hours=6))
    appeals.do_close(a, actor=county.cadre_a, outcome="solved", now=T0 + dt.timedelta(hours=7))
    closed = Notice.objects.get(kind="resident_closed")
    assert closed.params["reply"] == "路面已修复。" and closed.address_masked == "138****5678"
    kinds = sorted(Notice.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["resident_accepted", "resident_closed", "resident_visit"]


def test_the_command_line_adds_a_robot_with_an_encrypted_secret(county, capsys):
    call_command("notify", "add-channel", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=A",
                 "--secret", "SECabc", "--scope", county.county.code, "--unit", "县住建局")
    e = Endpoint.objects.get()
    assert e.unit == county.units["housing"] and e.secret_enc and "SECabc" not in e.secret_enc
    from minqing.households import crypto

    assert crypto.decrypt(e.secret_enc) == "SECabc"
    call_command("notify", "channels")
    assert "access_token" not in capsys.readouterr().out  # the robot's key is not printed
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Webhook"):
        call_command("notify", "add-channel", "wecom", "ftp://x", "--scope", county.county.code)


def test_channel_settings_page_is_the_county_sysadmins(county, sysadmin, login):
    r = login(county.dept_handler).get("/notices/channels/")
    assert r.status_code == 403
    client = login(sysadmin)
    r = client.post("/notices/channels/", {"kind": "wecom", "region": county.county.code,
                                           "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=Z",
                                           "unit": county.units["housing"].pk, "per_minute": "20"})
    assert r.status_code == 302
    page = client.get("/notices/channels/").content.decode()
    assert "企业微信群机器人" in page and "县住建局" in page
    e = Endpoint.objects.get()
    client.post(f"/notices/channels/{e.pk}/active/", {"active": "0"})
    e.refresh_from_db()
    assert not e.is_active
    assert triggers.robots("assigned", _assigned(county)) == []


def test_the_inbox_through_the_api_is_ones_own_and_marks_read(county, client, bearer):
    a = _assigned(county)
    appeals.do_remind(a, actor=county.township_leader, now=T0 + dt.timedelta(hours=2))
    mine = client.get("/api/v1/notices", headers=bearer(county.dept_handler)).json()
    assert (mine["count"], mine["unread"]) == (2, 2)
    assert [n["kind"] for n in mine["items"]] == ["reminded", "assigned"]  # newest first
    assert mine["items"][0]["label"] != "reminded" and mine["items"][0]["appeal"] == a.pk
    other = client.get("/api/v1/notices", headers=bearer(county.cadre_b)).json()
    assert other["count"] == 0  # another person's notices are not in it
    first = mine["items"][1]["id"]
    r = client.post("/api/v1/notices/read", {"ids": [first]}, content_type="application/json",
                    headers=bearer(county.cadre_b))
    assert r.json()["marked"] == 0  # not theirs to mark
    r = client.post("/api/v1/notices/read", {"ids": [first]}, content_type="application/json",
                    headers=bearer(county.dept_handler))
    assert r.json() == {"marked": 1, "unread": 1}
    unread = client.get("/api/v1/notices?unread=true", headers=bearer(county.dept_handler)).json()
    assert [n["kind"] for n in unread["items"]] == ["reminded"]
    r = client.post("/api/v1/notices/read", {}, content_type="application/json", headers=bearer(county.dept_handler))
    assert r.json() == {"marked": 1, "unread": 0}
