"""Dashboards on the demo county fit the screen they are read on: the county and township pages at a
1366 px office screen and a 390 px phone scroll only down, never sideways (wide tables scroll inside
their own box); the 大屏 view is full screen, without the site menu, and refreshes itself.
Screenshots under test-artifacts/dashboard-fit-*.png."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.demo.people import DEMO_PASSWORD
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANCHOR = dt.date(2025, 6, 30)
ARTIFACTS = REPO_DIR / "test-artifacts"
WIDTHS = (1366, 390)
PERIOD = "from=2025-01-01&to=2025-06-30"  # the demo's half year: every table full


def _log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def _overflow(page) -> tuple[int, int, list[str]]:
    """The document's width, the window's, and the first elements reaching past the window's edge."""
    return page.evaluate("""() => {
        const w = window.innerWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.right > w + 1 && !e.closest('.table-scroll');
        }).slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
        return [document.documentElement.scrollWidth, w, wide];
    }""")


def test_county_and_township_dashboards_fit_desktop_and_phone(live_server, desktop_page):
    from minqing.demo.generator import DemoOptions, load_demo

    load_demo(DemoOptions(seed=2024, anchor=ANCHOR, households=200, villages_per_township=3), progress=[].append)
    page, base = desktop_page, live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    for role in ("demo-county", "demo-township"):
        _log_in(page, base, role)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}/dashboards/?{PERIOD}")
            page.wait_for_selector(".chart.drawn canvas")
            page.screenshot(path=str(ARTIFACTS / f"dashboard-fit-{role}-{width}.png"), full_page=True)
            scroll, window, wide = _overflow(page)
            assert window == width
            assert scroll <= window, f"{role} dashboard at {width}px is {scroll}px wide: {wide}"
            # the dispute tables (each in its own scroll box) sit side by side or stacked, never over one another
            boxes = page.evaluate("""() => [...document.querySelectorAll('.disputes .table-scroll')]
                .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    apart = a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1
                    assert apart, f"{role} at {width}px: dispute tables overlap {a} {b}"

    _log_in(page, base, "demo-county")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/dashboards/?{PERIOD}")
    page.click("a.big-screen-link")
    page.wait_for_selector(".chart.drawn canvas")
    assert page.locator("nav.mainnav, header.top").count() == 0  # no site menu on the big screen
    refresh = page.locator('meta[http-equiv="refresh"]').get_attribute("content")
    assert refresh and int(refresh.split(";")[0]) > 0
    assert page.locator(".big [data-figure=received]").count() == 1
    scroll, window, wide = _overflow(page)
    assert scroll <= window, f"the 大屏 is {scroll}px wide: {wide}"
    page.screenshot(path=str(ARTIFACTS / "dashboard-fit-big-screen.png"), full_page=True)
