"""A township cadre imports a ledger with bad rows through the page: the job ends with the first
error in Chinese and the full row-by-row report to download. Screenshot under
test-artifacts/ledger-import-failed.png."""

from __future__ import annotations

import pytest

from minqing.jobs.models import Job
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR
from tests.ledgers_metrics.test_ledgers import own_row, write_own

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = REPO_DIR / "test-artifacts"


def test_a_bad_ledger_shows_its_reason_and_the_full_report(live_server, county, phone_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "sync"
    path = tmp_path / "甲镇整改台账.xlsx"
    write_own(path, [own_row(n, 整改时限="2024/13/45") for n in range(1, 31)])
    page, base = phone_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/")  # the ledger panel of the workbench (the same forms as on /jobs/)
    page.click("#ledger summary")
    form = page.locator("#ledger form[action='/jobs/ledger-import/']")
    assert "甲镇（全镇）" in form.locator("select[name=region]").inner_text()
    form.locator("select[name=region]").select_option(county.town.code)
    assert "泰迪杯2020数据格式" in form.locator("select[name=mapping]").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workbench-ledger-panel.png"), full_page=True)
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/jobs/*/")
    status = page.inner_text("p.status")
    assert "文件有误，未写入任何记录：共 30 处错误，第3行 “整改时限”：日期无法识别" in status
    assert "处理失败" not in page.inner_text("main")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ledger-import-failed.png"), full_page=True)
    with page.expect_download() as info:
        page.click("a.report")
    target = tmp_path / "report.txt"
    info.value.save_as(str(target))
    report = target.read_text(encoding="utf-8")
    assert report.count("“整改时限”：日期无法识别") == 30 and "第32行" in report
    assert info.value.suggested_filename == "错误报告_甲镇整改台账.txt"
    assert Job.objects.get(owner=county.township_leader).status == "failed"
