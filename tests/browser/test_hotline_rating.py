"""In Chromium: a resident rates on a phone (390 px) from the return-visit SMS link, on the five
levels; a township dispatcher imports the hotline's file on the 12345 page (a job with progress), sees
the 12345 cases and closes one saying how the resident was told. Screenshots under
test-artifacts/hotline-*.png."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from minqing.appeals import services
from minqing.appeals.models import Appeal
from minqing.hotline.models import HotlineOrder
from minqing.lib.workdays import TZ
from minqing.portal import rating
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR
from tests.hotline.test_hotline import rows, xlsx
from tests.portal.conftest import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = REPO_DIR / "test-artifacts"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"hotline-{name}.png")), full_page=True)


def test_a_resident_rates_from_the_sms_link_on_a_phone(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem", channel="phone",
                                 title="村口路灯坏了", text="路灯坏了", reporter_name="王小明", phone="13700001111",
                                 received_at=dt.datetime.now(TZ) - dt.timedelta(hours=2))
    Staff(county).to_return_visit(a)
    page.goto(base + rating.rating_url(a.reports.get()))
    levels = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    labels = page.locator("label.pl-radio:has(input[name=satisfaction])").all_inner_texts()
    assert [t.strip() for t in labels] == levels
    # the second question rates the cadre who served, on the same five levels, naming the unit only
    cadre = page.locator("[data-testid=cadre-rating] label.pl-radio").all_inner_texts()
    assert [t.strip() for t in cadre] in ([], levels)
    assert "王小明" not in page.inner_text("main") and "137" not in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    _shot(page, "rate-phone")
    page.check("input[name=satisfaction][value=very_satisfied]")
    page.click("button.pl-send")
    page.wait_for_selector(".pl-ok")
    assert "非常满意" in page.inner_text("main")
    _shot(page, "rated-phone")
    a.refresh_from_db()
    assert (a.status, a.satisfaction) == ("awaiting_closure", "very_satisfied")


def test_a_dispatcher_imports_the_hotline_file_and_closes_a_case(live_server, county, desktop_page, tmp_path):
    page, base = desktop_page, live_server.url
    log_in(page, base, "township-leader")
    page.goto(f"{base}/hotline/?region={county.town.code}")
    assert "按时办结率" in page.inner_text("main")
    page.set_input_files("input[name=file]", xlsx(tmp_path / "工单.xlsx", rows(3)))
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/jobs/\d+/$"))
    page.wait_for_selector(".job-progress[data-status=done]", timeout=120000)
    assert HotlineOrder.objects.count() == 3
    page.goto(f"{base}/hotline/?region={county.town.code}")
    assert "SC12345-20250301-0001" in page.inner_text("main")
    _shot(page, "dispatcher")

    a = Appeal.objects.get(hotline_order__order_no="SC12345-20250301-0003")
    staff = Staff(county)
    a = services.do_review(a, actor=county.township_leader, decision="assign", unit=county.units["town_office"].pk,
                           person=county.cadre_a.pk, measures="修灯", now=staff._now())
    a = services.do_submit_result(a, actor=county.cadre_a, result="已修好", now=staff._now())
    a = services.do_verify(a, actor=county.township_leader, passed=True, now=staff._now())
    a = services.do_return_visit(a, actor=county.township_leader, satisfaction="satisfied", now=staff._now())
    page.goto(f"{base}/appeals/{a.pk}/")
    page.click("#act-close summary")
    page.select_option("#f-close-outcome", "solved")
    assert page.locator("#f-close-told option").all_inner_texts() == ["—", "电话", "当面", "短信", "门户"]
    page.select_option("#f-close-told", "电话")
    _shot(page, "close-form")
    page.click("#act-close button[type=submit]")
    page.wait_for_selector("#act-close", state="detached")
    report = a.reports.get()
    assert (report.notified_method, report.notified_at is not None) == ("电话", True)
