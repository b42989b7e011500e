"""A county's system administrator, on a desktop: creates a township office and a cadre with a
post, gets the one-time code; the cadre sets her own password with it and logs in."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.accounts.models import Post, User
from minqing.audit.models import Event
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp/minqing-setup-{}.png"
NEW_PASSWORD = "qingshan-2027-wl"


@pytest.fixture
def sysadmin(county):
    from tests.conftest import password_hash

    user = User.objects.create(username="sys-admin", display_name="县系统管理员", password=password_hash(),
                               county=county.regions["county"])
    Post.objects.create(user=user, unit=county.units["leadership"], role="sysadmin", region=county.regions["county"],
                        started_on=dt.date(2020, 1, 1))
    return user


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366 + 1, f"the page scrolls sideways on a desktop ({width}px wide)"


def test_the_sysadmin_sets_up_an_office_and_a_cadre_who_logs_in(live_server, county, sysadmin, desktop_page):
    page, base = desktop_page, live_server.url
    log_in(page, base, "sys-admin")
    page.click("nav.mainnav >> text=系统设置")
    page.wait_for_url(f"{base}/setup/")

    page.goto(f"{base}/setup/units/new/")
    page.fill("input[name=name]", "乙镇党委政府")
    page.select_option("select[name=kind]", "township_office")
    page.select_option("select[name=region]", county.regions["town2"].code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/units/")
    assert "单位已建立" in page.inner_text("main") and "乙镇党委政府" in page.inner_text("table.list")
    page.screenshot(path=SHOTS.format("units"), full_page=True)
    _fits(page)

    page.click("nav.subnav >> text=人员")
    page.click("text=新建人员账号")
    page.fill("input[name=username]", "wang-li")
    page.fill("input[name=display_name]", "王丽")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/staff/*/")
    page.select_option("select[name=unit]", label="乙镇党委政府")
    page.select_option("select[name=role]", "township_head")
    page.click("text=添加职务 >> nth=-1")
    page.wait_for_selector("text=职务已添加")
    assert "乡镇长" in page.inner_text("table.list")
    page.click("text=生成一次性验证码")
    code = page.inner_text("[data-testid=setup-code]").strip()
    assert len(code) == 14
    page.screenshot(path=SHOTS.format("code"), full_page=True)
    _fits(page)
    page.reload()
    assert page.locator("[data-testid=setup-code]").count() == 0  # shown once

    # The holiday page asks for next year's schedule when the calendar does not know it yet.
    year = dt.date.today().year + 1
    page.goto(f"{base}/setup/holidays/?year={year}")
    page.fill("textarea[name=text]", f"{year}-01-01 休 元旦\n{year}-10-01 至 {year}-10-07 休 国庆节\n")
    page.click("button[type=submit].primary")
    page.wait_for_selector(f"text={year} 年安排已保存")
    assert "已录入" in page.inner_text("main")
    page.screenshot(path=SHOTS.format("holidays"), full_page=True)
    _fits(page)

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.click("text=首次登录")
    page.fill("input[name=username]", "wang-li")
    page.fill("input[name=code]", code)
    page.fill("input[name=password]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.screenshot(path=SHOTS.format("activate"), full_page=True)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    assert "王丽" in page.inner_text("header")
    assert "系统设置" not in page.inner_text("header")

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "wang-li")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    page.screenshot(path=SHOTS.format("cadre-home"), full_page=True)
    assert User.objects.get(username="wang-li").check_password(NEW_PASSWORD)
    assert Event.objects.filter(action="staff.password_set", actor__username="wang-li").exists()
