"""The rectification ledger's background jobs (整改台账 export and import), registered when the ledgers
part is ready (LedgersConfig)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404

from minqing.jobs.kinds import IMPORT_CRASHED, IMPORT_DIR
from minqing.jobs.kinds import parse_date as _date
from minqing.jobs.kinds import region_for as _region_for
from minqing.jobs.models import Job
from minqing.jobs.runner import JobFailed, JobKind, ProgressFn, register
from minqing.regions import jurisdiction
from minqing.regions.models import Region

# --- 整改台账导出 ------------------------------------------------------------------------------------


def _ledger_check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    region = _region_for(user, params.get("region"))
    start, end = _date(params.get("from"), "开始日期"), _date(params.get("to"), "结束日期")
    if end < start:
        raise ValidationError("结束日期不能早于开始日期")
    if (end - start).days > 3700:
        raise ValidationError("导出期间不能超过十年")
    return region.code, {"region": region.code, "from": start.isoformat(), "to": end.isoformat()}


def _ledger_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .exporters.rectification import export_rectification

    p = job.params
    region = _region_for(job.owner, p["region"])
    progress(10, "正在读取诉求记录")
    buf = io.BytesIO()
    n = export_rectification(region.code, _date(p["from"], "开始日期"), _date(p["to"], "结束日期"), buf,
                             user=job.owner)
    progress(95, f"已写入 {n} 行，正在保存")
    return f"{region.name}整改台账_{p['from']}至{p['to']}.xlsx", buf.getvalue()


def _ledger_describe(params: dict[str, Any]) -> str:
    name = Region.objects.filter(code=params.get("region")).values_list("name", flat=True).first() or ""
    return f"{name} {params.get('from')}至{params.get('to')}"


# --- 整改台账导入 ------------------------------------------------------------------------------------

def _import_check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from minqing.appeals import access

    region = _region_for(user, params.get("region"))
    if not access.may_register(jurisdiction.scope_of(user), region.code):
        raise Http404
    stored = str(params.get("file") or "")
    if not stored.startswith(f"{IMPORT_DIR}/") or ".." in stored or not default_storage.exists(stored):
        raise ValidationError("请先上传台账文件（.xlsx 或 .csv）")
    mapping = params.get("mapping") or "own"
    if mapping not in ("own", "taidi"):
        raise ValidationError("列映射只能是 own 或 taidi")
    return region.code, {"region": region.code, "file": stored, "name": str(params.get("name") or "")[:120],
                         "mapping": mapping, "dry_run": bool(params.get("dry_run"))}


def _import_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .importers import LedgerImportError, load_ledger

    p = job.params
    _region_for(job.owner, p["region"])
    progress(10, "正在读取台账文件")
    path = Path(default_storage.path(p["file"]))
    try:
        result = load_ledger(path, mapping=p["mapping"], region=p["region"], dry_run=p["dry_run"], actor=job.owner)
        text = result.summary()
    except LedgerImportError as exc:  # the page shows the first error; the file holds every one
        raise JobFailed(exc.short(), f"错误报告_{Path(p.get('name') or path.name).stem}.txt",
                        exc.full_report().encode("utf-8")) from exc
    return f"导入结果_{p.get('name') or path.name}.txt", text.encode("utf-8")


def _import_describe(params: dict[str, Any]) -> str:
    return params.get("name", "")


# The export only reads and returns its file: safe to run again after its process died mid-run
# (runner.recover). The import is never run again: a spreadsheet that killed its worker (memory, a
# parser crash) would kill the next one too, so the crash is a failure of that file.
register(JobKind("ledger_export", "整改台账导出（Excel）", _ledger_check, _ledger_run, _ledger_describe,
                 rerunnable=True))
register(JobKind("ledger_import", "整改台账导入", _import_check, _import_run, _import_describe, rerunnable=False,
                 crashed=IMPORT_CRASHED))
