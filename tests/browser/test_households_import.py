"""A new county's first week, in Chromium: a township cadre imports a 1 000-resident 花名册 in the
documented layout through the page and watches the job's progress bar; the cadre of one of its
villages logs in, sees those households and records a visit to one; a second file with three bad
rows is refused, the three rows named, nothing written. Users come from the fixture county (the
staff pages are another branch's). Screenshots under test-artifacts/households-*.png."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from minqing.audit.models import Event
from minqing.fieldwork.models import Visit
from minqing.households.imports.sample import write_csv
from minqing.households.models import Household, Resident
from tests.browser.conftest import assert_three_rows_named, import_roster, log_in, spoil_three_rows
from tests.conftest import REPO_DIR
from tests.jobs.conftest import join_job_threads

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"
PLACES = [("甲镇", "甲村"), ("甲镇", "乙村")]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"households-{name}.png")), full_page=True)


def test_a_township_imports_a_roster_and_a_village_cadre_works_with_it(live_server, county, phone_page, settings,
                                                                       tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "thread"
    page, base = phone_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    roster = write_csv(tmp_path / "甲镇花名册.csv", 1000, PLACES)
    in_a = {r[3] for r in list(csv.reader(roster.open(encoding="utf-8-sig")))[1:] if r[1] == "甲村"}

    log_in(page, base, "township-leader")
    page.goto(f"{base}/households/")
    page.click("text=导入花名册")
    page.wait_for_url(f"{base}/households/import/")
    _shot(page, "import-form")
    status = import_roster(page, base, county.town.code, roster)
    join_job_threads()
    assert status == "done", page.inner_text(".job-progress")
    assert page.locator("progress").get_attribute("value") == "100"
    assert "共 1000 人" in page.inner_text("main") or "已完成" in page.inner_text("main")
    _shot(page, "import-done")
    assert Resident.objects.count() == 7 + 1000
    assert Household.objects.filter(region=county.village_a, number__in=in_a).count() == len(in_a)

    log_in(page, base, "cadre-a")
    page.goto(f"{base}/households/")
    count = page.inner_text("h1 small")
    assert count == str(2 + len(in_a)), count
    text = page.inner_text("table.list")
    assert "乙村" not in text
    _shot(page, "village-list")
    first = Household.objects.filter(region=county.village_a, number__in=in_a).order_by("number").first()
    page.goto(f"{base}/households/?q={first.head_name}")
    page.click(f"a[href='/households/{first.pk}/']")
    page.wait_for_url(f"{base}/households/{first.pk}/")
    body = page.inner_text("main")
    assert first.head_name in body and "*" in page.inner_text("#members")
    page.click("text=登记走访")
    page.wait_for_url(f"{base}/households/{first.pk}/visits/new/")
    page.fill("textarea[name=note]", "入户核实花名册信息，家中用水正常")
    _shot(page, "visit-form")
    page.click("main form button[type=submit].primary")
    page.wait_for_url(f"{base}/households/{first.pk}/#visits")
    assert "入户核实花名册信息" in page.inner_text("#visits")
    _shot(page, "visit-recorded")
    assert Visit.objects.filter(household=first, visitor=county.cadre_a).count() == 1


def test_a_file_with_three_bad_rows_is_refused_and_nothing_is_written(live_server, county, phone_page, settings,
                                                                      tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "thread"
    page, base = phone_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    good = write_csv(tmp_path / "good.csv", 60, PLACES, seed=11)
    bad = spoil_three_rows(good, tmp_path / "三行有误.csv")
    before = (Household.objects.count(), Resident.objects.count(),
              Event.objects.exclude(action__startswith="job.").count())

    log_in(page, base, "township-leader")
    status = import_roster(page, base, county.town.code, bad)
    join_job_threads()
    assert status == "failed"
    message = page.inner_text(".job-progress")
    _shot(page, "refused")
    assert_three_rows_named(message)
    assert (Household.objects.count(), Resident.objects.count(),
            Event.objects.exclude(action__startswith="job.").count()) == before
