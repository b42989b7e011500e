"""Job pages: my jobs, one job with its progress bar (htmx polling), the file, and the forms that
start a ledger export or import. Thin: runner.submit does the checks."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minqing.regions import jurisdiction

from . import kinds, runner
from .models import Job

MAX_UPLOAD = 20 * 1024 * 1024


def _rows(jobs):
    return [{"job": j, "label": runner.KINDS[j.kind].label if j.kind in runner.KINDS else j.kind,
             "about": runner.KINDS[j.kind].describe(j.params) if j.kind in runner.KINDS else ""} for j in jobs]


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    runner.recover_quietly()  # polled while something runs: restarts what a restarted process dropped
    runner.reap_stale()
    jobs = list(jurisdiction.visible(request.user, Job).select_related("region")[:100])
    today = timezone.localdate()
    scope = jurisdiction.scope_of(request.user)
    context = {"rows": _rows(jobs), "home_code": scope.home_code() or "",
               "default_from": today.replace(day=1).isoformat(), "default_to": today.isoformat(),
               "running": any(not j.finished for j in jobs)}
    if request.htmx:
        return render(request, "jobs/_table.html", context)
    return render(request, "jobs/list.html", context)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    runner.recover_quietly()  # the progress bar polls here: restarts what a restarted process dropped
    job = jurisdiction.get_visible_or_404(request.user, Job, pk=pk)
    context = {"job": job, "row": _rows([job])[0]}
    if request.htmx:
        return render(request, "jobs/_progress.html", context)
    return render(request, "jobs/detail.html", context)


@login_required
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = jurisdiction.get_visible_or_404(request.user, Job, pk=pk)
    if not job.finished or not job.result:  # a failed import keeps its error report
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)


def _submit(request: HttpRequest, kind: str, params: dict) -> HttpResponse:
    try:
        job = runner.submit(kind, owner=request.user, params=params)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("jobs:list")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "无权操作")
        return redirect("jobs:list")
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def ledger_export(request: HttpRequest) -> HttpResponse:
    return _submit(request, "ledger_export", {k: request.POST.get(k, "") for k in ("region", "from", "to")})


@login_required
@require_POST
def ledger_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要导入的台账文件")
        return redirect("jobs:list")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv") or upload.size > MAX_UPLOAD:
        messages.error(request, "只能导入 20 MB 以内的 .xlsx 或 .csv 文件")
        return redirect("jobs:list")
    try:  # refuse a place outside one's jurisdiction before keeping the file
        kinds._region_for(request.user, request.POST.get("region"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("jobs:list")
    stored = default_storage.save(f"{kinds.IMPORT_DIR}/{dt.date.today():%Y%m}/{uuid.uuid4().hex}{suffix}", upload)
    return _submit(request, "ledger_import", {"region": request.POST.get("region"), "file": stored,
                                              "name": Path(upload.name).name, "mapping": request.POST.get("mapping"),
                                              "dry_run": bool(request.POST.get("dry_run"))})
