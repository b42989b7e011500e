"""Background jobs: they run and report progress, their files are their owner's alone, the page can
be left and the file picked up later; the three runners (sync, thread, worker) all finish a job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from docx import Document

from minqing.audit.models import Event
from minqing.jobs import runner
from minqing.jobs.models import Job
from tests.jobs.conftest import join_job_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    """A job kind that records the progress its row shows while it runs."""
    seen: list[tuple[int, str]] = []

    def run(job, progress):
        for pct in (20, 60, 90):
            progress(pct, f"第{pct}步")
            row = Job.objects.get(pk=job.pk)
            seen.append((row.progress, row.message))
        return "out.txt", b"hello"

    runner.register(runner.JobKind("test_recorder", "测试任务", lambda user, params: (None, {"n": 1}), run))
    yield seen
    runner.KINDS.pop("test_recorder", None)


def test_a_job_runs_and_reports_progress(county, recorder):
    job = runner.submit("test_recorder", owner=county.cadre_a)
    assert recorder == [(20, "第20步"), (60, "第60步"), (90, "第90步")]
    job.refresh_from_db()
    assert (job.status, job.progress, job.message, job.result_name) == ("done", 100, "已完成", "out.txt")
    assert job.result.read() == b"hello"
    assert job.started_at <= job.finished_at
    actions = list(Event.objects.filter(object_type="jobs.job", object_id=str(job.pk)).values_list("action", flat=True))
    assert actions == ["job.submitted", "job.done"]


def test_a_failing_job_keeps_a_chinese_message(county):
    def boom(job, progress):
        raise RuntimeError("disk on fire")

    runner.register(runner.JobKind("test_boom", "会失败的任务", lambda u, p: (None, {}), boom))
    try:
        job = runner.submit("test_boom", owner=county.cadre_a)
    finally:
        runner.KINDS.pop("test_boom")
    assert (job.status, job.message) == ("failed", "处理失败，请稍后重试或联系管理员")
    assert "disk on fire" not in job.message


@pytest.mark.parametrize(("busy_times", "status"), [(2, "done"), (3, "failed")])
def test_a_busy_database_is_retried_before_the_job_fails(county, monkeypatch, busy_times, status):
    from django.db import OperationalError

    monkeypatch.setattr(runner.time, "sleep", lambda s: None)
    calls = []

    def busy(job, progress):
        calls.append(1)
        if len(calls) <= busy_times:
            raise OperationalError("database table is locked")
        return "ok.txt", b"ok"

    runner.register(runner.JobKind("test_busy", "数据库忙的任务", lambda u, p: (None, {}), busy))
    try:
        job = runner.submit("test_busy", owner=county.cadre_a)
    finally:
        runner.KINDS.pop("test_busy")
    assert job.status == status and len(calls) == min(busy_times + 1, 3)


def test_the_briefing_job_makes_a_docx(month_cases, county):
    job = runner.submit("briefing_docx", owner=county.township_leader,
                        params={"region": county.town.code, "period": "2024-05"})
    assert job.status == "done" and job.result_name == "甲镇2024年5月民情工作简报.docx"
    text = "\n".join(p.text for p in Document(job.result.open("rb")).paragraphs)
    assert "限期整改事项5条，已办结3条，其余2条正在一线全力推进中" in text
    assert job.params == {"region": county.town.code, "period": "2024-05"}


def test_the_ledger_export_job_makes_the_xlsx(month_cases, county, login):
    from python_calamine import CalamineWorkbook

    client = login(county.cadre_a)
    response = client.post("/jobs/ledger-export/", {"region": county.village_a.code, "from": "2024-05-01",
                                                    "to": "2024-05-31"})
    job = Job.objects.get(owner=county.cadre_a)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done" and job.result_name.endswith(".xlsx")
    body = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()
    text = repr(rows)
    assert "诉求C1的内容" in text and "诉求C11的内容" in text
    assert "诉求C3的内容" not in text  # village B's case is not in village A's ledger


@pytest.mark.parametrize("other", ["cadre_b", "township_leader", "county_leader", "admin"])
def test_a_jobs_file_is_its_owners_alone(month_cases, county, login, client, bearer, other):
    job = runner.submit("briefing_docx", owner=county.cadre_a, params={"region": county.village_a.code,
                                                                        "period": "2024-05"})
    assert job.status == "done"
    web = login(getattr(county, other))
    for url in (f"/jobs/{job.pk}/", f"/jobs/{job.pk}/download/"):
        assert web.get(url).status_code == 404
    assert "甲村2024年5月" not in web.get("/jobs/").content.decode()
    headers = bearer(getattr(county, other))
    assert client.get(f"/api/v1/jobs/{job.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/jobs/{job.pk}/file", headers=headers).status_code == 404
    assert client.get("/api/v1/jobs", headers=headers).json()["count"] == 0
    mine = bearer(county.cadre_a)
    assert client.get(f"/api/v1/jobs/{job.pk}/file", headers=mine).status_code == 200


def test_a_job_cannot_aim_outside_ones_jurisdiction(county, login, client, bearer):
    response = client.post("/api/v1/jobs", {"kind": "ledger_export", "params": {
        "region": county.village_b.code, "from": "2024-05-01", "to": "2024-05-31"}},
        content_type="application/json", headers=bearer(county.cadre_a))
    assert response.status_code == 404
    web = login(county.cadre_a)
    assert web.post("/briefings/generate/", {"region": county.town.code, "period": "2024-05"}).status_code == 404
    assert not Job.objects.exists()


def test_the_api_starts_and_follows_a_job(month_cases, county, client, bearer):
    headers = bearer(county.township_leader)
    response = client.post("/api/v1/jobs", {"kind": "briefing_docx", "params": {"region": county.town.code,
                                                                                  "period": "2024-Q2"}},
                           content_type="application/json", headers=headers)
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["progress"], data["label"]) == ("done", 100, "工作简报（Word）")
    assert client.get(f"/api/v1/jobs/{data['id']}", headers=headers).json()["file_url"] == data["file_url"]
    body = b"".join(client.get(data["file_url"], headers=headers).streaming_content)
    lines = [p.text for p in Document(io.BytesIO(body)).paragraphs]
    assert lines[0] == "民情工作简报" and "甲镇2024年第二季度民情工作简报" in lines  # the 版头, then the title
    listing = client.get("/api/v1/jobs", headers=headers).json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == data["id"]
    for bad, message in (({"kind": "nope"}, "未知的任务类型"),
                         ({"kind": "ledger_export", "params": {"from": "2024-05-01", "to": "x"}}, "结束日期")):
        response = client.post("/api/v1/jobs", bad, content_type="application/json", headers=headers)
        assert response.status_code == 422 and message in response.json()["detail"]


def test_the_progress_page_polls_until_done(county, login, settings, recorder):
    settings.MINQING_JOBS_RUNNER = "worker"
    client = login(county.cadre_a)
    job = runner.submit("test_recorder", owner=county.cadre_a)
    assert job.status == "queued"
    partial = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="/jobs/{job.pk}/"' in partial and 'hx-trigger="every 1s"' in partial and "<html" not in partial
    assert "可以离开此页面" in client.get(f"/jobs/{job.pk}/").content.decode()
    call_command("worker", "--once")
    job.refresh_from_db()
    assert job.status == "done"
    partial = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in partial and f"/jobs/{job.pk}/download/" in partial and "100%" in partial
    assert partial.count("已完成") == 1  # the status, in this part's words (not echoed by the message)


def test_a_job_whose_process_went_away_is_marked_failed(county, settings, recorder):
    settings.MINQING_JOBS_RUNNER = "worker"
    job = runner.submit("test_recorder", owner=county.cadre_a)
    Job.objects.filter(pk=job.pk).update(status="running")
    from django.utils import timezone

    assert runner.reap_stale(timezone.now() + dt.timedelta(minutes=5)) == 0
    assert runner.reap_stale(timezone.now() + dt.timedelta(minutes=runner.STALE_MINUTES + 1)) == 1
    job.refresh_from_db()
    assert job.status == "failed" and "重新提交" in job.message


def test_a_claimed_job_is_not_run_twice(county, settings, recorder):
    settings.MINQING_JOBS_RUNNER = "worker"
    job = runner.submit("test_recorder", owner=county.cadre_a)
    assert runner.claim(job.pk) is not None
    assert runner.claim(job.pk) is None
    assert runner.run(job.pk).status == "running"  # someone else holds it: left alone


@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_finishes_after_the_request(county, settings, tmp_path, recorder):
    """The demo's default: a thread of the web process runs the job once its row is committed."""
    settings.MINQING_JOBS_RUNNER = "thread"
    job = runner.submit("test_recorder", owner=county.cadre_a)
    join_job_threads()
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100


def test_the_ledger_import_job_checks_a_file(month_cases, county, login, tmp_path):
    from minqing.ledgers.exporters.rectification import export_rectification

    path = tmp_path / "ledger.xlsx"
    export_rectification(county.village_a.code, dt.date(2024, 5, 1), dt.date(2024, 5, 31), path)
    client = login(county.cadre_a)
    with open(path, "rb") as f:
        response = client.post("/jobs/ledger-import/", {"region": county.village_a.code, "file": f,
                                                        "mapping": "own", "dry_run": "1"})
    job = Job.objects.get(owner=county.cadre_a, kind="ledger_import")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.message) == ("done", "已完成"), job.message
    assert job.result.read().decode() == ("试导入（未写入）：格式 own，共 7 行，新增 0 件，更新 0 件，未变 7 件，"
                                          "已存在跳过 0 件")  # our own export: its numbers name the cases
    with open(path, "rb") as f:
        refused = client.post("/jobs/ledger-import/", {"region": county.village_b.code, "file": f}, follow=True)
    assert refused.status_code == 404
