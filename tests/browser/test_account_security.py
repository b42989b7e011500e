"""The account pages in Chromium: log-in through the form, changing one's password, setting up the
second factor with the QR code page and logging in with a code, the security administrator's page;
no Content-Security-Policy violation on any of them. Screenshots under test-artifacts/security/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from minqing.accounts.models import Post, User
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_password_change_in_the_browser(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    csp = _watch_csp(page)
    page.goto(f"{base}/login/", timeout=90000)  # the live server's first page can be slow on a busy machine
    log_in(page, base, "cadre-a")
    page.click("label.nav-button")  # the menu, on a phone
    page.click("a.who")
    page.wait_for_url(f"{base}/account/")
    _shot(page, "account")
    page.click("a[href='/account/password/']")
    page.fill("input[name=old]", PASSWORD)
    page.fill("input[name=new]", "1234567890")
    page.fill("input[name=repeat]", "1234567890")
    page.click("button.primary")
    expect(page.locator(".msg-error").first).to_be_visible()  # waits for the answer to the POST
    assert "数字" in page.content()
    _shot(page, "password_refused")
    page.fill("input[name=old]", PASSWORD)
    page.fill("input[name=new]", "Xuanhan#County9")
    page.fill("input[name=repeat]", "Xuanhan#County9")
    page.click("button.primary")
    page.wait_for_url(f"{base}/account/")
    assert "密码已修改" in page.content()
    assert csp == []


@override_settings(OTP_REQUIRED_ROLES=frozenset({"secadmin"}))
def test_second_factor_enrolment_and_log_in(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    csp = _watch_csp(page)
    admin = User.objects.create(username="secadmin", password=county.admin.password, display_name="安全管理员")
    Post.objects.create(user=admin, unit=county.units["leadership"], role="secadmin", region=county.regions["county"])
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "secadmin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{base}/security/")
    page.wait_for_url(f"{base}/account/2fa/**")
    assert page.locator(".qr svg").is_visible()
    _shot(page, "enrol")
    device = TOTPDevice.objects.get(user=admin)
    page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
    page.click("button.primary")
    expect(page.locator(".recovery-codes li")).to_have_count(10)  # waits for the answer to the POST
    _shot(page, "recovery_codes")
    page.goto(f"{base}/security/")
    assert "cadre-a" in page.content()
    _shot(page, "security_admin")
    page.click("tr:has-text('cadre-b') form[action$='/reset/'] button")
    expect(page.locator("code.token")).to_be_visible()
    reset = page.inner_text("code.token").strip()
    _shot(page, "reset_code")
    # cadre-b uses it at the same page as a first log-in, linked from the log-in page
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.click("text=首次登录或重置密码：使用一次性验证码")
    page.fill("input[name=username]", "cadre-b")
    page.fill("input[name=code]", reset)
    page.fill("input[name=password]", "Xuanhan#County9")
    page.fill("input[name=password2]", "Xuanhan#County9")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    assert User.objects.get(username="cadre-b").check_password("Xuanhan#County9")
    assert csp == []
