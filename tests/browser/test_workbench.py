"""Journeys through the appeal workbench in Chromium: a department handler resolves a case (报结),
the township leader supervises (挂牌督办) and verifies (核查) it, and the case moves on to the
return visit. Screenshots under test-artifacts/web_pages/ for review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from minqing.appeals import services
from minqing.appeals.models import Appeal, AppealEvent
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web_pages"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _assigned(county) -> Appeal:
    a = services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                 channel="visit", title="三组水泥路被大车压坏",
                                 text="三组到村委会的水泥路坏了，雨天积水。", reporter_name="张三", phone="13812345678")
    return services.do_assign(a, actor=county.township_leader, unit=county.units["housing"].pk,
                              person=county.dept_handler.pk, measures="派施工队修复路面",
                              due=timezone.localdate() + dt.timedelta(days=7))


def test_a_handler_resolves_and_the_township_leader_supervises_and_verifies(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    appeal = _assigned(county)

    # The handler finds the case in the unit's queue on the home page.
    log_in(page, base, "dept-handler")
    queue = page.locator("#sec-queue")
    assert appeal.title in queue.inner_text()
    _shot(page, "1-handler-home")
    queue.get_by_text(appeal.title).click()
    page.wait_for_url(f"{base}/appeals/{appeal.pk}/")

    # An empty result is refused in Chinese, next to the form, without leaving the page.
    page.click("#act-submit_result > summary")
    page.click("#act-submit_result button[type=submit]")
    error = page.locator("#act-submit_result .form-error")
    error.wait_for()
    assert "报结缺少必填项：办理结果" in error.inner_text()
    assert Appeal.objects.get(pk=appeal.pk).status == "assigned"

    # Then the result: the detail refreshes in place (htmx) and shows the new stage.
    page.fill("#act-submit_result textarea[name=result]", "路面已重新浇筑，验收合格")
    page.click("#act-submit_result button[type=submit]")
    page.locator("#status", has_text="待核查").wait_for()
    assert "已报结" in page.inner_text("#appeal-detail")
    assert page.url == f"{base}/appeals/{appeal.pk}/"
    _shot(page, "2-handler-submitted")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"the appeal page scrolls sideways on a phone ({width}px)"

    # The township leader filters the list down to cases awaiting verification.
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/")
    page.click("details.more-filters > summary")
    page.select_option("select[name=status]", "awaiting_verification")
    page.wait_for_url("**status=awaiting_verification**")
    page.locator("#appeal-table", has_text=appeal.title).wait_for()
    _shot(page, "3-leader-list")
    page.locator("#appeal-table").get_by_text(appeal.title).click()
    page.wait_for_url(f"{base}/appeals/{appeal.pk}/")

    # 挂牌督办, then 核查 passed: the case moves on to the return visit.
    page.click("#act-supervise > summary")
    page.click("#act-supervise button[type=submit]")
    page.locator(".badge.b-sup").first.wait_for()
    page.click("#act-verify > summary")
    page.select_option("#act-verify select[name=passed]", "1")
    page.fill("#act-verify textarea[name=note]", "现场查看，路面平整")
    page.click("#act-verify button[type=submit]")
    page.locator("#status", has_text="待回访").wait_for()
    timeline = page.inner_text("#timeline")
    assert "报结" in timeline and "挂牌督办" in timeline and "核查" in timeline
    _shot(page, "4-leader-verified")

    a = Appeal.objects.get(pk=appeal.pk)
    assert a.status == "awaiting_return_visit" and a.supervised_by_id == county.township_leader.pk
    actions = list(AppealEvent.objects.filter(appeal=a).order_by("id").values_list("action", "actor__username"))
    assert actions[-3:] == [("submit_result", "dept-handler"), ("supervise", "township-leader"),
                            ("verify", "township-leader")]

    # The leader's home now lists it among supervised cases.
    page.goto(f"{base}/")
    assert appeal.title in page.inner_text("#sec-supervised")
    _shot(page, "5-leader-home")
