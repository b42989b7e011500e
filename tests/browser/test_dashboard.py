"""A township leader on the county meeting room's screen: opens the dashboard, an appeal is closed
through the services, the dashboard changes; every number is the metric functions' number and opens
the list behind it. Screenshots under test-artifacts/dashboard-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from minqing.appeals import metrics, services
from minqing.lib import periods
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"
SCREEN = {"width": 1366, "height": 900}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"dashboard-{name}.png")), full_page=True)


def _figure(page, name: str) -> str:
    return page.locator(f'.stats [data-figure="{name}"]').first.inner_text().strip()


def test_a_leader_sees_the_dashboard_change_when_an_appeal_is_closed(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    page.set_viewport_size(SCREEN)
    cadre = county.cadre_a
    road = services.register_appeal(actor=cadre, region=county.village_a.code, kind="problem", channel="visit",
                                    title="三组便道路面破损", text="雨天积水，老人出行不便")
    services.register_appeal(actor=county.cadre_b, region=county.village_b.code, kind="problem", channel="meeting",
                             title="灌溉渠渗漏", text="二组灌溉渠渗漏")
    services.do_review(road, actor=cadre, decision="assign", unit=county.units["committee_a"].pk,
                       person=cadre.pk, measures="组织村民修补路面")
    period = periods.parse(None, today=timezone.localdate())

    log_in(page, base, "township-leader")
    page.goto(f"{base}/dashboards/{county.town.code}/")
    page.wait_for_selector(".chart.drawn canvas")  # ECharts drew from the tables' data
    summary = metrics.county_summary(county.town.code, period.start, period.end, user=county.township_leader)
    assert _figure(page, "received") == str(summary.received) == "2"
    assert _figure(page, "assigned") == "1" and _figure(page, "resolution") == "—"
    assert page.locator('[data-figure="group.solved"]').inner_text() == "0"
    _shot(page, "before")

    road.refresh_from_db()
    services.do_submit_result(road, actor=cadre, result="路面已修补")
    road.refresh_from_db()
    services.do_verify(road, actor=county.township_leader, passed=True)
    road.refresh_from_db()
    services.do_return_visit(road, actor=county.township_leader, satisfaction="satisfied")
    road.refresh_from_db()
    services.do_close(road, actor=county.township_leader, outcome="solved")

    page.reload()
    page.wait_for_selector(".chart.drawn canvas")
    after = metrics.county_summary(county.town.code, period.start, period.end, user=county.township_leader)
    assert page.locator('[data-figure="group.solved"]').inner_text() == "1"
    assert _figure(page, "resolution") == after.resolution.percent == "100.00%"
    assert _figure(page, "satisfaction") == after.satisfaction.percent == "100.00%"
    assert _figure(page, "assigned_done") == "1"
    _shot(page, "after")

    page.click('.stats [data-figure="received"]')  # the number opens the list behind it
    page.wait_for_url(f"{base}/appeals/?*")
    listing = page.inner_text("main")
    assert "三组便道路面破损" in listing and "灌溉渠渗漏" in listing

    page.goto(f"{base}/dashboards/{county.town.code}/")
    page.click(f'a[href^="/dashboards/{county.village_a.code}/"]')  # drill down to the village
    page.wait_for_selector(".chart.drawn canvas")
    assert _figure(page, "received") == "1"
    page.goto(f"{base}/dashboards/{county.town.code}/?view=big")
    assert page.locator('.big [data-figure="received"]').inner_text() == "2"
    _shot(page, "projector")


def test_a_village_cadre_gets_a_404_for_the_township(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-a")
    assert page.goto(f"{base}/dashboards/{county.town.code}/").status == 404
    page.goto(f"{base}/dashboards/")
    assert "甲村" in page.inner_text("h1")
    width = page.evaluate("document.documentElement.scrollWidth")
    _shot(page, "phone")
    wide = page.evaluate("""[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 376)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= 375 + 1, f"the dashboard scrolls sideways on a phone ({width}px wide): {wide}"
