"""The 12345 import as a background job with progress (as the ledger import): the page uploads the
file, the job reads, checks and registers it, and its page shows the summary or every error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404

from minqing.jobs.kinds import IMPORT_DIR, _region_for
from minqing.jobs.models import Job
from minqing.jobs.runner import JobFailed, JobKind, ProgressFn, register
from minqing.regions import jurisdiction

from . import columns

KIND = "hotline_import"


def _check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from minqing.appeals import access

    region = _region_for(user, params.get("region"))
    if not access.may_register(jurisdiction.scope_of(user), region.code):
        raise Http404
    stored = str(params.get("file") or "")
    if not stored.startswith(f"{IMPORT_DIR}/") or ".." in stored or not default_storage.exists(stored):
        raise ValidationError("请先上传12345工单文件（.xlsx 或 .csv）")
    mapping = {k: str(v)[:60] for k, v in dict(params.get("mapping") or {}).items() if k in columns.BY_KEY and v}
    return region.code, {"region": region.code, "file": stored, "name": str(params.get("name") or "")[:120],
                         "mapping": mapping, "dry_run": bool(params.get("dry_run"))}


def _run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .importer import OrderImportError, load, read_file

    p = job.params
    region = _region_for(job.owner, p["region"])
    progress(5, "正在读取工单文件")
    path = Path(default_storage.path(p["file"]))
    try:
        orders = read_file(path, p.get("mapping") or {})
        progress(20, f"已检查 {len(orders)} 条工单，正在登记")
        result = load(orders, region=region, actor=job.owner, dry_run=p["dry_run"],
                      progress=lambda i, n: progress(20 + int(75 * i / max(n, 1)), f"已登记 {i} / {n} 条")
                      if i % 20 == 0 or i == n else None)
    except OrderImportError as exc:
        raise JobFailed(exc.short(), f"错误报告_{Path(p.get('name') or path.name).stem}.txt",
                        ("\n".join(exc.lines(None)) + "\n").encode("utf-8")) from exc
    return f"导入结果_{p.get('name') or path.name}.txt", result.summary().encode("utf-8")


register(JobKind(KIND, "12345工单导入", _check, _run, lambda params: params.get("name", ""), rerunnable=False,
                 crashed="导入时服务进程中断；任务不会自动重做。请重新提交，已导入的工单号会自动跳过"))
