"""Issue 15's done-when as one flow in Chromium, as a new county would work: the county's system
administrator creates a township office, its township head and a village cadre (a post in one
village), each gets a one-time code; the township head imports a 1 000-resident 花名册 in the
documented layout through the page; the cadre sets a password, logs in, sees those households and
records a visit to one; a second file with three bad rows is refused, the rows named, nothing written.

The system administrator does not import the roster: by 三权分立 an administrator post sees no
resident (minqing/regions/jurisdiction.py), so the import page offers it no place to import into.
The township head the administrator created in this same flow does it. Screenshots under
test-artifacts/from-nothing-*.png."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from minqing.accounts.models import User
from minqing.audit.models import Event
from minqing.fieldwork.models import Visit
from minqing.households.imports.sample import write_csv
from minqing.households.models import Household, Resident
from tests.browser.conftest import assert_three_rows_named, import_roster, log_in, spoil_three_rows
from tests.conftest import REPO_DIR
from tests.jobs.conftest import join_job_threads
from tests.sysadmin.conftest import sysadmin  # noqa: F401 (the account `minqing createadmin` makes)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"
PLACES = [("乙镇", "丙村")]  # the fixture's second township, whose office does not exist yet


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"from-nothing-{name}.png")), full_page=True)


def _new_staff(page, base: str, username: str, name: str, role: str, region: str | None = None) -> str:
    """Creates an account with one post in 乙镇党委政府 and answers its one-time code."""
    page.goto(f"{base}/setup/staff/new/")
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", name)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/staff/*/")
    page.select_option("select[name=unit]", label="乙镇党委政府")
    page.select_option("select[name=role]", role)
    if region:
        page.select_option("select[name=region]", region)
    page.click("text=添加职务 >> nth=-1")
    page.wait_for_selector("text=职务已添加")
    page.click("text=生成一次性验证码")
    code = page.inner_text("[data-testid=setup-code]").strip()
    assert len(code) == 14
    return code


def _activate(page, base: str, username: str, code: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.click("text=首次登录")
    page.fill("input[name=username]", username)
    page.fill("input[name=code]", code)
    page.fill("input[name=password]", password)
    page.fill("input[name=password2]", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/", timeout=30000)


@pytest.mark.usefixtures("sysadmin")
def test_a_county_starts_from_nothing(live_server, county, desktop_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "thread"
    page, base = desktop_page, live_server.url
    town, village = county.regions["town2"], county.regions["village_c"]
    had = (Household.objects.filter(region=village).count(), Resident.objects.filter(household__region=village).count())

    # The system administrator: a township office, its head, and a cadre posted in one village.
    log_in(page, base, "sys-admin")
    page.goto(f"{base}/setup/units/new/")
    page.fill("input[name=name]", "乙镇党委政府")
    page.select_option("select[name=kind]", "township_office")
    page.select_option("select[name=region]", town.code)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/units/")
    assert "乙镇党委政府" in page.inner_text("table.list")
    head_code = _new_staff(page, base, "zhao-zhen", "赵镇长", "township_head")
    cadre_code = _new_staff(page, base, "wang-li", "王丽", "village_secretary", village.code)
    assert "村支书" in page.inner_text("table.list") and "丙村" in page.inner_text("table.list")
    _shot(page, "cadre-post")
    page.goto(f"{base}/households/import/")
    assert page.locator(f"select[name=region] option[value='{town.code}']").count() == 0  # 三权分立

    # The township head sets a password and imports the roster his township keeps.
    _activate(page, base, "zhao-zhen", head_code, "shanshui-2027-lu")
    roster = write_csv(tmp_path / "乙镇花名册.csv", 1000, PLACES)
    numbers = {r[3] for r in list(csv.reader(roster.open(encoding="utf-8-sig")))[1:]}
    status = import_roster(page, base, town.code, roster)
    join_job_threads()
    assert status == "done", page.inner_text(".job-progress")
    assert page.locator("progress").get_attribute("value") == "100"
    _shot(page, "import-done")
    assert Resident.objects.filter(household__region=village).count() == had[1] + 1000
    assert Household.objects.filter(region=village).count() == had[0] + len(numbers)

    # The cadre: first log-in with the code, then the village's households and a visit.
    _activate(page, base, "wang-li", cadre_code, "qingshan-2027-wl")
    assert "王丽" in page.inner_text("header")
    page.goto(f"{base}/households/")
    assert page.inner_text("h1 small") == str(had[0] + len(numbers))
    _shot(page, "cadre-households")
    first = Household.objects.filter(region=village, number__in=numbers).order_by("number").first()
    page.goto(f"{base}/households/?q={first.head_name}")
    page.click(f"a[href='/households/{first.pk}/']")
    page.wait_for_url(f"{base}/households/{first.pk}/")
    assert first.head_name in page.inner_text("main") and "*" in page.inner_text("#members")
    page.click("text=登记走访")
    page.wait_for_url(f"{base}/households/{first.pk}/visits/new/")
    page.fill("textarea[name=note]", "入户核实花名册信息，家中用水正常")
    page.click("main form button[type=submit].primary")
    page.wait_for_url(f"{base}/households/{first.pk}/#visits")
    assert "入户核实花名册信息" in page.inner_text("#visits")
    _shot(page, "visit-recorded")
    cadre = User.objects.get(username="wang-li")
    assert Visit.objects.filter(household=first, visitor=cadre).count() == 1

    # The township head again: a second file with three bad rows is refused whole.
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "zhao-zhen")
    page.fill("input[name=password]", "shanshui-2027-lu")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    bad = spoil_three_rows(write_csv(tmp_path / "more.csv", 60, PLACES, seed=11), tmp_path / "三行有误.csv")
    before = (Household.objects.count(), Resident.objects.count(),
              Event.objects.exclude(action__startswith="job.").count())
    status = import_roster(page, base, town.code, bad)
    join_job_threads()
    assert status == "failed"
    message = page.inner_text(".job-progress")
    _shot(page, "refused")
    assert_three_rows_named(message)
    assert (Household.objects.count(), Resident.objects.count(),
            Event.objects.exclude(action__startswith="job.").count()) == before
