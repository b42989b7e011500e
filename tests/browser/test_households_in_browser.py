"""A village cadre on a phone: log in through the real form, see only their village, open a household,
reveal a phone once; another village's cadre gets a 404 for it."""

from __future__ import annotations

import pytest

from minqing.audit.models import Event
from tests.browser.conftest import log_in
from tests.conftest import PHONE_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/minqing-household-phone.png"


def test_a_village_cadre_works_on_a_phone(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-a")
    assert "登录" not in page.title()

    page.goto(f"{base}/households/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 2
    text = page.inner_text("table.list")
    assert "甲村户主1" in text and "甲村户主2" in text and "乙村" not in text

    page.click("text=甲村户主1")
    page.wait_for_url(f"{base}/households/{county.households['a1'].pk}/")
    body = page.inner_text("main")
    assert "138****5678" in body and PHONE_A not in body

    page.locator("form:has(input[name=field][value=phone]) button").first.click()
    page.wait_for_url(f"{base}/households/{county.households['a1'].pk}/")
    assert PHONE_A in page.inner_text("main")
    assert PHONE_A not in page.url
    page.screenshot(path=SCREENSHOT, full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways on a phone ({width}px wide)"

    page.reload()
    body = page.inner_text("main")
    assert PHONE_A not in body and "138****5678" in body
    assert Event.objects.filter(action="resident.revealed", actor=county.cadre_a).count() == 1


def test_another_village_cadre_gets_a_404(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-b")
    response = page.goto(f"{base}/households/{county.households['a1'].pk}/")
    assert response.status == 404
    assert "甲村户主1" not in page.content()
    page.goto(f"{base}/households/")
    assert "甲村户主1" not in page.inner_text("main") and "乙村户主1" in page.inner_text("main")
