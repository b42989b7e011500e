"""The briefing page: the text for a region and period on screen, and its .docx made as a
background job (or at once, for a quick download)."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minqing.jobs import kinds, runner
from minqing.lib import periods, replica
from minqing.regions import jurisdiction

from . import compose, docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _params(data) -> dict[str, str]:
    return {k: data.get(k, "") for k in ("region", "period", "from", "to") if data.get(k)}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    params = _params(request.GET)
    region = kinds._region_for(request.user, params.get("region"))  # outside one's figures: 404
    error = None
    try:
        period = periods.parse(params.get("period"), params.get("from"), params.get("to"))
    except ValidationError as exc:
        error, period = "；".join(exc.messages), periods.parse(None)
    with replica.figures():
        briefing = compose.compose(region.code, period, user=request.user)
    scope = jurisdiction.scope_of(request.user)
    context = {"briefing": briefing, "region": region, "period": period, "error": error,
               "home_code": scope.home_code(), **periods.choices(period.end)}
    return render(request, "briefing/home.html", context, status=400 if error else 200)


@login_required
@require_POST
def generate(request: HttpRequest) -> HttpResponse:
    """Make the .docx as a background job and go to its progress page."""
    try:
        job = runner.submit("briefing_docx", owner=request.user, params=_params(request.POST))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("briefing:home")
    return redirect("jobs:detail", pk=job.pk)


@login_required
def download(request: HttpRequest) -> HttpResponse:
    """The .docx at once (a month of one township takes well under a second)."""
    params = _params(request.GET)
    region = kinds._region_for(request.user, params.get("region"))
    try:
        period = periods.parse(params.get("period"), params.get("from"), params.get("to"))
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
    with replica.figures():
        briefing = compose.compose(region.code, period, user=request.user)
    buf = io.BytesIO()
    docx.write(briefing, buf)
    response = HttpResponse(buf.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(briefing.title + '.docx')}"
    return response
