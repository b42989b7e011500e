"""Bulk remind (批量催办) on the workbench in Chromium at 1366 px: the township leader ticks cases, one of
which cannot be reminded yet, and reads the result — two done, one refused with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from minqing.appeals import services
from minqing.appeals.models import Appeal, AppealEvent
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web_pages"


def _case(county, title: str, assign: bool) -> Appeal:
    a = services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                 channel="visit", title=title, text=f"{title}，请尽快处理。")
    if assign:
        a = services.do_assign(a, actor=county.township_leader, unit=county.units["housing"].pk,
                               person=county.dept_handler.pk, measures="派人处理")
    return a


def test_the_township_leader_reminds_several_cases_at_once(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    road = _case(county, "三组水泥路被大车压坏", True)
    lamp = _case(county, "村口路灯不亮", True)
    fresh = _case(county, "低保评议有意见", False)  # registered only: 催办 does not apply yet
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/")
    for a in (road, lamp, fresh):
        page.check(f'input[name=ids][value="{a.pk}"]')
    page.select_option("#bulk-action", "remind")
    page.fill("#bulk-form input[name=note]", "请本周内办结")
    page.screenshot(path=str(_dir() / "bulk-1-selected.png"), full_page=True)
    page.click("#bulk-submit")
    page.locator("#bulk-summary").wait_for()
    summary = page.inner_text("#bulk-summary")
    assert "批量催办：共 3 件，已办理 2 件，未办理 1 件" in summary
    refused = page.inner_text("#bulk-refused")
    assert fresh.title in refused and "不能催办" in refused
    assert road.title in page.inner_text("#bulk-done") and lamp.title in page.inner_text("#bulk-done")
    page.screenshot(path=str(_dir() / "bulk-2-result.png"), full_page=True)
    assert AppealEvent.objects.filter(action="remind").count() == 2
    assert Appeal.objects.get(pk=road.pk).remind_count == 1
    assert Appeal.objects.get(pk=fresh.pk).remind_count == 0


def test_the_header_box_ticks_the_page(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    cases = [_case(county, f"问题{i}", True) for i in range(3)]
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/")
    page.check("input[data-check-all=ids]")
    for a in cases:
        assert page.is_checked(f'input[name=ids][value="{a.pk}"]')


def _dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def test_the_township_reopens_a_case_a_resident_raises_again(live_server, county, desktop_page):
    """重复件 after closure: both pages show the link; the dispatcher reopens the earlier case."""
    page, base = desktop_page, live_server.url
    text = "三组到村委会的水泥路坏了，雨天积水，请尽快修。"
    a = services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                 channel="visit", title="三组水泥路坏了", text=text, phone="13812345678")
    a = services.do_assign(a, actor=county.township_leader, unit=county.units["housing"].pk,
                           person=county.dept_handler.pk, measures="修路")
    a = services.do_submit_result(a, actor=county.dept_handler, result="修好了")
    a = services.do_verify(a, actor=county.township_leader, passed=True)
    a = services.do_return_visit(a, actor=county.township_leader, satisfaction="satisfied")
    a = services.do_close(a, actor=county.township_leader, outcome="solved")
    again = services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                     channel="phone", title="三组水泥路又坏了", text="三组到村委会的水泥路又坏了，积水",
                                     phone="13812345678")
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/{again.pk}/")
    panel = page.locator("#repeats")
    assert a.number in panel.inner_text() and "办结后再诉" in panel.inner_text()
    page.screenshot(path=str(_dir() / "repeat-1-new-case.png"), full_page=True)
    page.once("dialog", lambda d: d.accept())
    panel.locator("button[value=reopen]").click()
    page.wait_for_url(f"{base}/appeals/{a.pk}/")
    assert "办理中" in page.inner_text("#status")
    assert again.number in page.inner_text("#repeats")
    page.screenshot(path=str(_dir() / "repeat-2-reopened.png"), full_page=True)
