"""Background jobs of 一户一档: the roster import (with its progress bar) and the household files of a
village for printing. Registered when the app is ready."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404

from minqing.jobs.kinds import IMPORT_DIR, _region_for
from minqing.jobs.models import Job
from minqing.jobs.runner import JobKind, ProgressFn, register
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .imports import columns as cols

MESSAGE_LIMIT = 290  # the job row keeps 300 characters


def stored_file(raw: Any) -> str:
    stored = str(raw or "")
    if not stored.startswith(f"{IMPORT_DIR}/") or ".." in stored or not default_storage.exists(stored):
        raise ValidationError("请先上传花名册文件（.xlsx 或 .csv）")
    return stored


def _place(user: Any, raw: Any) -> Region:
    region = _region_for(user, raw)
    if not jurisdiction.scope_of(user).sees_place(region.code):
        raise Http404
    return region


def _import_check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    region = _place(user, params.get("region"))
    mapping = {k: str(v) for k, v in dict(params.get("mapping") or {}).items() if k in cols.COLUMNS}
    return region.code, {"region": region.code, "file": stored_file(params.get("file")),
                         "name": str(params.get("name") or "")[:120], "mapping": mapping,
                         "dry_run": bool(params.get("dry_run"))}


def short_report(errors: list[tuple[int, str, str]], total: int) -> str:
    """As many named rows as the job's message holds: 第N行 “列名”：问题."""
    text = f"花名册有误，未写入任何记录（共 {total} 处）："
    for line, column, message in errors:
        part = (f"第{line}行 “{column}”：{message}" if column else f"第{line}行：{message}") if line else message
        if len(text) + len(part) + 1 > MESSAGE_LIMIT:
            return text + "……"
        text += part + "；"
    return text.rstrip("；")


def _import_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from .imports import HouseholdImportError, import_roster
    from .imports.reading import count_rows

    p = job.params
    _place(job.owner, p["region"])
    path = Path(default_storage.path(p["file"]))
    progress(2, "正在统计行数")
    total = max(count_rows(path), 1)

    def step(line: int) -> None:
        progress(min(5 + int(90 * line / total), 95), f"已读到第 {line} 行，共 {total} 行")

    try:
        result = import_roster(path, region=p["region"], actor=job.owner, mapping=p.get("mapping") or {},
                               dry_run=p.get("dry_run", False), progress=step)
    except HouseholdImportError as exc:
        raise ValidationError(short_report(exc.errors, exc.total)) from exc
    return f"导入结果_{p.get('name') or path.name}.txt", result.summary().encode("utf-8")


def _print_check(user: Any, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    from .printing import pdf

    region = _place(user, params.get("region"))
    fmt = params.get("format") or "docx"
    if fmt not in ("docx", "pdf") or (fmt == "pdf" and not pdf.available()):
        raise ValidationError("打印格式只能是 Word（.docx）" + ("或 PDF" if pdf.available() else ""))
    return region.code, {"region": region.code, "format": fmt}


def _print_run(job: Job, progress: ProgressFn) -> tuple[str, bytes]:
    from . import printing
    from .printing import docx, pdf

    p = job.params
    region = _place(job.owner, p["region"])
    chosen = printing.village_households(job.owner, region.code)
    progress(10, f"共 {len(chosen)} 户，正在排版")
    buf = io.BytesIO()
    (pdf if p["format"] == "pdf" else docx).write(printing.sheets(job.owner, chosen), buf)
    return f"{region.name}户情档案.{p['format']}", buf.getvalue()


def _describe(params: dict[str, Any]) -> str:
    name = Region.objects.filter(code=params.get("region")).values_list("name", flat=True).first() or ""
    return f"{name} {params.get('name') or params.get('format') or ''}".strip()


# The import writes in one transaction a dead process never committed, and a second run of the same
# file changes nothing: safe to run again. Printing only reads.
register(JobKind("household_import", "花名册导入", _import_check, _import_run, _describe, rerunnable=True))
register(JobKind("household_print", "户情档案打印", _print_check, _print_run, _describe, rerunnable=True))
