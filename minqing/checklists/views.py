"""Pages of household checklists: the per-item counts (摸排 → 清零) and the one-step appeal."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import metrics, services
from .models import Checklist, ChecklistAnswer, ChecklistResponse


def _date(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


@login_required
def report(request: HttpRequest) -> HttpResponse:
    code = jurisdiction.figure_region(request.user, request.GET.get("region"))
    today = timezone.localdate()
    start = _date(request.GET.get("from"), today.replace(month=1, day=1))
    end = _date(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    forms = [(c, services.current_version(c)) for c in
             jurisdiction.visible(request.user, Checklist).filter(is_active=True, region_id=regioncode.county_of(code))]
    figures = metrics.section(code, start, end, user=request.user)  # the answers read once
    return render(request, "checklists/report.html", {
        "region": Region.objects.filter(code=code).first(), "code": code, "start": start, "end": end,
        "rows": figures["items"], "totals": figures["households"], "rounds": figures["rounds"],
        "forms": [(c, v, list(v.items.all())) for c, v in forms if v is not None],
    })


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household's checklists over time, answer by answer; a failed item opens an appeal in one step."""
    from minqing.households.models import Household

    hh = jurisdiction.get_visible_or_404(request.user, Household.objects.select_related("region"), pk=pk)
    responses = (jurisdiction.visible(request.user, ChecklistResponse).filter(household=hh)
                 .select_related("version__checklist", "answered_by")
                 .prefetch_related("answers__item", "answers__appeal_link__appeal"))
    return render(request, "checklists/household.html", {"household": hh, "responses": responses})


@login_required
@require_POST
def raise_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    answer = jurisdiction.get_visible_or_404(request.user, ChecklistAnswer.objects.select_related(
        "item__version__checklist", "household", "response"), pk=pk)
    try:
        appeal, _created = services.raise_item_appeal(answer, actor=request.user, text=request.POST.get("text", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
        return redirect("web:household", pk=answer.household_id)
    return redirect("web:appeal", pk=appeal.pk)
