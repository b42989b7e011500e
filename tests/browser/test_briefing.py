"""A county leader reads this month's briefing on screen, has the Word file made in the background
(the thread runner, as in the demo), watches the progress bar and downloads the .docx.
Screenshots under test-artifacts/briefing-*.png; the file is kept as test-artifacts/briefing.docx."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document

from minqing.appeals import services
from minqing.jobs.models import Job
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"briefing-{name}.png")), full_page=True)


def test_a_leader_downloads_the_briefing(live_server, county, phone_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "thread"
    page, base = phone_page, live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})
    for village, cadre, title in (("village_a", county.cadre_a, "村口垃圾堆放"),
                                  ("village_b", county.cadre_b, "灌溉渠渗漏")):
        a = services.register_appeal(actor=cadre, region=county.regions[village].code, kind="problem",
                                     channel="visit", title=title, text=f"{title}，群众反映强烈")
        services.do_review(a, actor=cadre, decision="solve_on_spot", what="当场组织清理", satisfaction="satisfied")
    month = timezone.localdate()

    log_in(page, base, "county-leader")
    page.goto(f"{base}/briefings/")
    article = page.inner_text("article.briefing")
    assert f"宣汉县{month.year}年{month.month}月民情工作简报" in article
    assert "截至目前，全县本月收集意见建议2条" in article
    assert "立行立改事项2条，已全部整改到位" in article
    assert "群众满意度100.00%" in article
    _shot(page, "screen")

    page.click("#make-docx")
    page.wait_for_url(f"{base}/jobs/*/")
    page.wait_for_selector("a.download", timeout=30000)  # the bar fills by htmx polling, then the link
    assert page.locator("progress").get_attribute("value") == "100"
    _shot(page, "job-done")
    with page.expect_download() as info:
        page.click("a.download")
    target = ARTIFACTS / "briefing.docx"
    info.value.save_as(str(target))
    doc = Document(str(target))
    assert f"宣汉县{month.year}年{month.month}月民情工作简报" in [p.text for p in doc.paragraphs]  # after the 版头
    text = "\n".join(p.text for p in doc.paragraphs)
    # the fixture's two on-the-spot cases have no unit whose work their class is: no 典型案例 (compose._typical_cases)
    assert "立行立改事项2条，已全部整改到位" in text and "主要指标" in text and "报：" in text
    job = Job.objects.get(owner=county.county_leader)
    assert (job.status, job.progress, job.kind) == ("done", 100, "briefing_docx")

    page.goto(f"{base}/jobs/")  # the file waits under My jobs
    assert job.result_name in page.inner_text("main")


def test_another_user_cannot_pick_up_the_file(live_server, county, phone_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_JOBS_RUNNER = "sync"
    from minqing.jobs import runner

    job = runner.submit("briefing_docx", owner=county.township_leader, params={"region": county.town.code})
    assert job.status == "done"
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-a")
    assert page.goto(f"{base}/jobs/{job.pk}/download/").status == 404
    assert page.goto(f"{base}/jobs/{job.pk}/").status == 404
    page.goto(f"{base}/jobs/")
    # the job table holds none of the township leader's jobs (the place pickers above it name 甲镇 as cadre-a's)
    assert job.result_name not in page.inner_text("#job-table") and "甲镇" not in page.inner_text("#job-table")
