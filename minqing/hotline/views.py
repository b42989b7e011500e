"""The dispatcher's 12345 page: upload the hotline's file (a job with progress; a mapping step when the
columns are not recognised), the 12345 cases, the 三率, and the replies to download."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from minqing.appeals.models import Appeal, Channel
from minqing.jobs import runner
from minqing.jobs.kinds import IMPORT_DIR, _region_for
from minqing.lib import periods
from minqing.regions import jurisdiction

from . import columns, figures, importer, replies
from .jobs import KIND

MAX_UPLOAD = 20 * 1024 * 1024
SESSION = "hotline_import"


def _submit(request: HttpRequest, params: dict[str, Any]) -> HttpResponse:
    try:
        job = runner.submit(KIND, owner=request.user, params=params)
    except (ValidationError, PermissionDenied, Http404) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [])) or str(exc) or _("Not allowed"))
        return redirect("hotline:index")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _upload(request) if not request.POST.get("stored") else _mapped(request)
    scope = jurisdiction.scope_of(request.user)
    code = request.GET.get("region") or scope.home_code() or ""
    try:
        period = periods.parse(request.GET.get("period") or str(dt.date.today().year))
    except ValidationError:
        period = periods.parse(str(dt.date.today().year))
    try:
        region = _region_for(request.user, code)
    except (Http404, ValidationError):
        region = None
    cases = (jurisdiction.visible(request.user, Appeal).filter(channel=Channel.HOTLINE.value, deleted_at__isnull=True)
             .select_related("hotline_order", "region", "unit").order_by("-received_at", "-id")[:50])
    section = figures.section(region.code, period.start, period.end, user=request.user) if region else None
    return render(request, "hotline/index.html", {
        "region": region, "home_code": code, "cases": cases, "figures": section, "period": period,
        "periods": [*(c := periods.choices(dt.date.today()))["years"][:3], *c["quarters"]],
        "columns": columns.COLUMNS})


def _upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose the hotline's file to import."))
        return redirect("hotline:index")
    suffix = Path(upload.name).suffix.lower()
    if suffix not in (".xlsx", ".csv") or upload.size > MAX_UPLOAD:
        messages.error(request, _("Only .xlsx or .csv files up to 20 MB can be imported."))
        return redirect("hotline:index")
    try:  # refuse a place outside one's jurisdiction before keeping the file
        _region_for(request.user, request.POST.get("region"))
    except (ValidationError, Http404):
        messages.error(request, _("That place is not in your jurisdiction."))
        return redirect("hotline:index")
    stored = default_storage.save(f"{IMPORT_DIR}/{dt.date.today():%Y%m}/{uuid.uuid4().hex}{suffix}", upload)
    params = {"region": request.POST.get("region"), "file": stored, "name": Path(upload.name).name,
              "dry_run": bool(request.POST.get("dry_run"))}
    headers = importer.headers_of(default_storage.path(stored))
    _index, missing = columns.resolve(headers, {})
    if missing:  # the mapping step: which of the file's columns holds each field
        request.session[SESSION] = params
        return render(request, "hotline/mapping.html", {"headers": headers, "columns": columns.COLUMNS,
                                                        "guess": columns.detect(headers), "missing": missing,
                                                        "params": params})
    return _submit(request, params)


def _mapped(request: HttpRequest) -> HttpResponse:
    params = request.session.pop(SESSION, None)
    if not params or params.get("file") != request.POST.get("stored"):
        messages.error(request, _("The upload has expired; choose the file again."))
        return redirect("hotline:index")
    params["mapping"] = {c.key: request.POST.get(c.key, "") for c in columns.COLUMNS if request.POST.get(c.key)}
    return _submit(request, params)


@login_required
def replies_xlsx(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("region") or jurisdiction.scope_of(request.user).home_code() or ""
    region = _region_for(request.user, code)
    rows = replies.replies(replies.concluded(request.user, region_code=region.code).order_by("appeal__closed_at"))
    response = HttpResponse(replies.xlsx(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"12345工单办理回复_{region.name}_{dt.date.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
