"""Browser tests: Playwright (sync API) driving Debian's Chromium; never downloads a browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import could_not_run

CHROMIUM = Path(os.environ.get("MINQING_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1366, "height": 768}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def phone_page(transactional_db, live_server):
    """A phone-sized page in a fresh Chromium, started after the database and stopped before it is
    flushed: Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM
    calls from a thread with a running loop, so they are allowed while (and only while) it runs."""
    yield from _browser_page(viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def desktop_page(transactional_db, live_server):
    """The same, on an office desktop screen (1366 wide)."""
    yield from _browser_page(viewport=DESKTOP)


def _browser_page(**context_options):
    if not CHROMIUM.exists():
        could_not_run(f"{CHROMIUM} missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        could_not_run("the playwright package is not installed")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(locale="zh-CN", **context_options)
            page = context.new_page()
            page.set_default_timeout(15000)
            try:
                yield page
            finally:
                context.close()
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def expect_count(locator, n: int) -> None:
    """Wait (up to 15 s) until the locator matches n elements: pages render from IndexedDB and fetches
    asynchronously, so a bare .count() right after a click races the page."""
    from playwright.sync_api import expect

    expect(locator).to_have_count(n, timeout=15000)


def log_in(page, base: str, username: str) -> None:
    """Log in through the real form, on a fresh session (cookies of an earlier user cleared)."""
    from tests.conftest import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")


def import_roster(page, base: str, region: str, path) -> str:
    """Imports a 花名册 through /households/import/ and waits for the job: answers done or failed."""
    import re

    page.goto(f"{base}/households/import/")
    page.select_option("select[name=region]", region)
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(base)}/jobs/\d+/$"))
    page.wait_for_selector(".job-progress[data-status=done], .job-progress[data-status=failed]", timeout=120000)
    return page.locator(".job-progress").get_attribute("data-status")


def spoil_three_rows(good: Path, bad: Path) -> Path:
    """A copy of a generated roster with three bad rows: lines 5 (no name), 12 (an ID number Excel
    turned into a number) and 20 (a wrong check digit)."""
    import csv

    rows = list(csv.reader(good.open(encoding="utf-8-sig")))
    rows[4][4] = ""
    rows[11][6] = "5.11722E+17"
    rows[19][6] = rows[19][6][:-1] + ("1" if rows[19][6][-1] != "1" else "2")
    with bad.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return bad


def assert_three_rows_named(message: str) -> None:
    assert "未写入任何记录（共 3 处）" in message
    assert "第5行 “姓名”：不能为空" in message
    assert "第12行 “公民身份号码”" in message
    assert "第20行 “公民身份号码”：身份证号码校验位错误" in message


def wait_js(page, expression: str, arg=None, timeout: float = 15000):
    """Wait until a JavaScript expression is truthy. Playwright's wait_for_function builds its predicate
    with eval, which the site's Content-Security-Policy (script-src 'self') forbids, as it should;
    page.evaluate goes through the DevTools protocol, which the policy does not bind."""
    import time

    deadline = time.monotonic() + timeout / 1000
    while True:
        value = page.evaluate(expression) if arg is None else page.evaluate(expression, arg)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {expression}")
        page.wait_for_timeout(100)
