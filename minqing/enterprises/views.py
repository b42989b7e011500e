"""Pages of enterprise liaison: the list with this month's liaison report, one enterprise, and
recording a visit from the web."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minqing.regions import jurisdiction

from . import metrics, services
from .models import Enterprise, EnterpriseAppeal, EnterpriseVisit


def _month(raw: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    try:
        y, m = (int(x) for x in (raw or "").split("-"))
        first = dt.date(y, m, 1)
    except ValueError:
        first = today.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    scope = jurisdiction.scope_of(request.user)
    today = timezone.localdate()
    start, end = _month(request.GET.get("period"), today)
    home = scope.home_code()
    qs = jurisdiction.visible(request.user, Enterprise).select_related("region").prefetch_related("pairings__leader")
    return render(request, "enterprises/list.html", {
        "enterprises": qs, "start": start, "period": f"{start:%Y-%m}",
        "rows": metrics.liaison_report(home, start, end, user=request.user) if home else [],
        "rule": metrics.RULE.name,
    })


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    e = jurisdiction.get_visible_or_404(request.user, Enterprise.objects.select_related("region"), pk=pk)
    return render(request, "enterprises/detail.html", {
        "e": e, "pairings": e.pairings.select_related("leader").order_by("-started_on"),
        "visits": jurisdiction.visible(request.user, EnterpriseVisit).filter(enterprise=e).select_related(
            "visitor")[:100],
        "appeals": jurisdiction.visible(request.user, EnterpriseAppeal).filter(enterprise=e).select_related(
            "appeal")[:100],
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    })


@login_required
@require_POST
def record_visit(request: HttpRequest, pk: int) -> HttpResponse:
    e = jurisdiction.get_visible_or_404(request.user, Enterprise, pk=pk)
    p = request.POST
    appeals = [{"text": p.get("appeal", "")}] if p.get("appeal", "").strip() else []
    try:
        services.record_visit(actor=request.user, enterprise=e, visited_at=p.get("visited_at") or timezone.now(),
                              raised=p.get("raised", ""), note=p.get("note", ""), appeals=appeals)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    return redirect("enterprises:detail", pk=e.pk)
