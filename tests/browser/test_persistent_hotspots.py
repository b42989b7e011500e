"""The hot spots page's 长期反复反映 view as a township leader: a ditch raised every month for five months
leads; the page fits 1 366 px and a 390 px phone."""

import datetime as dt

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _appeal(county, village, title, text, days_ago):
    from minqing.appeals import services

    return services.register_appeal(actor=None, region=county.regions[village], kind="problem", channel="visit",
                                    title=title, text=text, reporter_name="",
                                    received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_raised_again_and_again(county, size, request, live_server):
    page = request.getfixturevalue(f"{size}_page")
    base = live_server.url
    for i in range(5):
        _appeal(county, "village_a", "甲村水渠堵塞", f"甲村二组水渠堵塞，灌溉用不了水，第{i + 1}次反映", 5 + 30 * i)
    for i in range(3):
        _appeal(county, "village_b", "乙村路灯不亮", f"乙村路灯全部不亮{i}", 1 + i)
    log_in(page, base, county.township_leader.username)
    page.goto(f"{base}/nlp/hotspots/?region={county.town.code}")
    page.click("text=长期反复反映")
    rows = page.locator("table.hotspots tbody tr")
    assert rows.count() == 1 and "水渠堵塞" in rows.first.inner_text()
    width = 1366 if size == "desktop" else 390
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=f"test-artifacts/hotspots/persistent-{size}.png", full_page=True)
