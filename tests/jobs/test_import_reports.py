"""A broken ledger on the job page: the reason in Chinese (never "处理失败，请稍后重试"), and the full
row-by-row error report as a download, however long."""

from __future__ import annotations

import pytest

from minqing.jobs.models import Job
from tests.ledgers_metrics import hostile
from tests.ledgers_metrics.test_ledgers import own_row, write_own

pytestmark = pytest.mark.django_db


def upload(client, county, path):
    with open(path, "rb") as f:
        response = client.post("/jobs/ledger-import/", {"region": county.town.code, "file": f, "mapping": "own"})
    job = Job.objects.filter(owner=county.township_leader, kind="ledger_import").order_by("-id").first()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_every_bad_row_is_in_the_downloadable_report(county, login, tmp_path):
    path = tmp_path / "bad.xlsx"
    write_own(path, [own_row(n, 整改时限="2024/13/45") for n in range(1, 41)])  # 40 bad rows: far past 300 chars
    client = login(county.township_leader)
    job = upload(client, county, path)
    assert job.status == "failed"
    assert job.message.startswith("文件有误，未写入任何记录：共 40 处错误，第3行 “整改时限”：日期无法识别")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "下载完整错误报告" in page and "处理失败" not in page
    report = b"".join(client.get(f"/jobs/{job.pk}/download/").streaming_content).decode()
    assert len(report) > 1000
    assert all(f"第{n + 2}行 “整改时限”：日期无法识别" in report for n in range(1, 41))
    api = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert api["status"] == "failed" and api["file_url"] == f"/api/v1/jobs/{job.pk}/file"


@pytest.mark.parametrize(("make", "words"), [
    (hostile.sparse_grid, "工作表范围过大"),
    (hostile.docx_renamed, "Word 文档"),
    (hostile.empty, "文件是空的"),
], ids=["sparse", "docx", "empty"])
def test_a_hostile_file_fails_with_its_reason(county, login, tmp_path, make, words):
    client = login(county.township_leader)
    job = upload(client, county, make(tmp_path / "ledger.xlsx"))
    assert job.status == "failed" and words in job.message
    assert words in client.get(f"/jobs/{job.pk}/").content.decode()
