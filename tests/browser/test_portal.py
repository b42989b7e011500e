"""A resident on a phone writes to the village secretary without an account, keeps the tracking
code, follows the letter by code; the staff solve it through the services; the page then shows
已办结 with the reply, and the resident rates it once. Nothing personal appears on the tracking
page. Screenshots under test-artifacts/portal-*.png."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from minqing.appeals.models import ReturnVisit
from minqing.portal.models import Letter, Rating
from tests.browser.conftest import wait_js
from tests.conftest import REPO_DIR
from tests.portal.conftest import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"portal-{name}.png")), full_page=True)


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"the page scrolls sideways on a phone ({width}px wide)"


def _look_up(page, base: str, code: str) -> str:
    page.goto(f"{base}/portal/track/")
    page.fill("#pl-code-in", code)
    page.click("button.pl-send")
    page.wait_for_selector("#pl-status")
    return page.inner_text("main")


def test_a_resident_writes_follows_and_rates_a_letter(live_server, county, phone_page, settings):
    settings.PORTAL_MIN_FILL_SECONDS = 2  # a person takes longer; the test need not wait 4 s
    page, base = phone_page, live_server.url
    page.goto(f"{base}/portal/")
    assert "我给书记写封信" in page.inner_text("h1")
    assert page.locator("select[name=county]").input_value() == county.county.code  # the only county
    page.select_option("select[name=township]", county.town.code)
    page.wait_for_selector("select[name=village]:not([disabled])")  # htmx brought the villages
    page.select_option("select[name=village]", county.village_a.code)
    wait_js(page, "document.querySelector('.pl-to').innerText.includes('甲村')")
    page.check("input[name=kind][value=problem]")
    page.fill("#pl-title", "村口路灯坏了")
    page.fill("#pl-text", "村口到小学的三盏路灯坏了一个月，晚上孩子放学看不见路，请帮忙修一修。")
    page.check("input[name=sign][value=named]")
    page.fill("#pl-name", "王小明")
    page.fill("#pl-phone", "13700001111")
    _no_sideways_scroll(page)
    _shot(page, "form")
    page.wait_for_timeout(2100)
    page.click("button.pl-send")
    page.wait_for_url(f"{base}/portal/sent/")
    code = page.inner_text("#pl-code").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    assert code not in page.url
    _no_sideways_scroll(page)
    _shot(page, "code")
    page.reload()
    assert code not in page.content()  # shown once

    letter = Letter.objects.select_related("appeal").get()
    assert letter.appeal.region_id == county.village_a.code and letter.appeal.channel == "mailbox"

    text = _look_up(page, base, code.lower().replace("-", " "))
    assert "已收到" in text and "王小明" not in text and "137" not in text
    _shot(page, "received")

    staff = Staff(county)
    staff.to_return_visit(letter.appeal)  # assigned, handled, result verified — by the staff, through services

    text = _look_up(page, base, code)
    assert "已办结" in text and "已更换三盏路灯" in text
    for secret in ("王小明", "13700001111", "137****1111", county.cadre_a.display_name):
        assert secret not in text
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("#pl-comment", "修得很快，谢谢")
    _no_sideways_scroll(page)
    page.click("form[action$='/portal/track/rate/'] button.pl-send")
    page.wait_for_selector(".pl-ok")
    text = page.inner_text("main")
    assert "感谢您的评价" in text and "已回访" in text and "您的评价" in text
    assert page.locator("input[name=satisfaction]").count() == 0  # once
    _shot(page, "rated")
    assert Rating.objects.get().counted and ReturnVisit.objects.get().satisfaction == "satisfied"
