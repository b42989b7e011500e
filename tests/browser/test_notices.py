"""A township's 催办 in Chromium reaches the handler's inbox (menu count, home page, inbox page) and
the fake 企业微信 robot of the handler's unit, delivered after the commit by the web process's own
delivery thread. Screenshots under test-artifacts/notices/ for review."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from minqing.appeals import services
from minqing.notices.models import Notice
from tests.browser.conftest import log_in
from tests.notices.fakes import WeCom

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "notices"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def robot():
    fake = WeCom(key="browser-key")
    yield fake
    fake.stop()


def test_a_township_remind_reaches_the_handlers_inbox_and_the_units_wecom_robot(live_server, county, desktop_page,
                                                                                robot, settings):
    settings.MINQING_NOTICES_DELIVERY = "thread"  # as in `minqing demo`: sent by the web process after commit
    settings.MINQING_SITE_URL = live_server.url
    page, base = desktop_page, live_server.url
    call_command("notify", "add-channel", "wecom", robot.url, "--scope", county.county.code, "--unit", "县住建局")
    a = services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                 channel="visit", title="三组水泥路被大车压坏", text="三组到村委会的水泥路坏了。",
                                 reporter_name="张三", phone="13812345678")
    a = services.do_assign(a, actor=county.township_leader, unit=county.units["housing"].pk,
                           person=county.dept_handler.pk, measures="派施工队修复路面",
                           due=timezone.localdate() + dt.timedelta(days=7))

    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/{a.pk}/")
    page.click("#act-remind > summary")
    page.fill("#act-remind textarea[name=note]", "请本周内完成")
    page.click("#act-remind button[type=submit]")
    page.locator("#timeline", has_text="催办").wait_for()

    # The handler: a count in the menu, the notice on the home page and in the inbox.
    log_in(page, base, "dept-handler")
    page.goto(f"{base}/")
    assert page.inner_text("#nav-notices .badge") == "2"  # 新交办 and 催办
    panel = page.inner_text("#home-notices")
    assert "催办" in panel and a.number in panel
    _shot(page, "1-handler-home")
    page.click("#nav-notices")
    page.wait_for_url(f"{base}/notices/")
    inbox = page.inner_text("#inbox")
    assert "催办" in inbox and "新交办" in inbox
    _shot(page, "2-handler-inbox")
    page.set_viewport_size({"width": 390, "height": 844})  # the handler's phone: the inbox fits, no sideways scroll
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
    assert page.locator("#inbox a", has_text="【催办】").is_visible()
    _shot(page, "2-handler-inbox-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("#inbox a", has_text="【催办】").click()
    page.wait_for_url(f"{base}/appeals/{a.pk}/")
    page.goto(f"{base}/")
    assert page.inner_text("#nav-notices .badge") == "1"

    # The unit's 企业微信 robot got both, without the resident's name or phone.
    deadline = time.monotonic() + 15
    while len(robot.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    texts = [r["markdown"]["content"] for r in robot.received]
    assert any("【催办】" in t and a.number in t for t in texts), texts
    assert all("张三" not in t and "13812345678" not in t for t in texts)
    assert Notice.objects.filter(channel="wecom", state="sent").count() == 2


def test_the_sysadmin_sees_channels_and_dead_letters(live_server, county, desktop_page, robot, settings):
    from minqing.accounts.models import Post, User
    from minqing.notices import delivery
    from minqing.notices import services as notices
    from tests.conftest import password_hash

    settings.MINQING_NOTICES_DELIVERY = "manual"
    admin = User.objects.create(username="xh-admin", display_name="县系统管理员", password=password_hash())
    Post.objects.create(user=admin, unit=county.units["leadership"], role="sysadmin", region=county.county,
                        started_on=dt.date(2020, 1, 1))
    e = notices.add_endpoint(actor=None, kind="wecom", region_code=county.county.code, url=robot.url,
                             unit_id=county.units["housing"].pk)
    robot.fail_with = 500
    n = notices.queue(kind="reminded", channel="wecom", endpoint=e, region_id=county.town.code, title="【催办】X",
                      body="编号：X", dedup_key="browser-dead")
    now = timezone.now()
    for i in range(delivery.MAX_ATTEMPTS):
        delivery.deliver_due(now + dt.timedelta(hours=i))
    n.refresh_from_db()
    assert n.state == "dead"
    page, base = desktop_page, live_server.url
    log_in(page, base, "xh-admin")
    page.goto(f"{base}/notices/channels/")
    assert "县住建局" in page.inner_text("#channels")
    _shot(page, "3-channels")
    page.goto(f"{base}/notices/outbox/?state=dead")
    assert "HTTP 500" in page.inner_text("#outbox")
    _shot(page, "4-dead-letters")
    robot.fail_with = None
    page.click("#outbox button[type=submit]")
    page.wait_for_url("**/notices/outbox/?state=dead")
    delivery.deliver_due()
    n.refresh_from_db()
    assert n.state == "sent" and len(robot.received) == 1
