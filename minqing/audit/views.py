"""The audit administrator's (and the 纪委's) read-only page over the audit trail: search by actor,
action code, object and period; export what is found as .xlsx. Reading nothing else (等保 三权分立).
Anyone else gets 404: for them the page does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import actions, export, trail
from .log import record
from .models import RETENTION_DAYS

PER_PAGE = 50


def _readable(request) -> tuple[trail.Filters, list[str]]:
    if not trail.may_read(request.user):
        raise Http404
    return trail.Filters.parse(request.GET)


@login_required
@require_GET
def trail_page(request):
    filters, errors = _readable(request)
    qs = trail.search(request.user, filters) if not errors else trail.search(request.user, trail.Filters())
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    events = list(page.object_list)
    hidden = trail.withheld(request.user, events)
    # Codes become words through the action registry (actions.py): the action's label, the details'
    # keys and coded values; the code stays in the cell's title, for the action filter.
    rows = [{"e": e, "hidden": e.pk in hidden, "label": actions.label(e.action),
             "changes": actions.details(e.changes, model=actions.model_of(e.object_type))
             if isinstance(e.changes, dict) else []} for e in events]
    response = render(request, "audit/trail.html", {
        "filters": filters, "query": filters.as_query(), "errors": errors, "page": page, "rows": rows,
        "retention_days": RETENTION_DAYS})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def trail_export(request):
    filters, errors = _readable(request)
    if errors:
        return HttpResponse("；".join(errors), status=400, content_type="text/plain; charset=utf-8")
    events = list(trail.search(request.user, filters)[:export.MAX_ROWS])
    body = export.xlsx(events, trail.withheld(request.user, events))
    record("audit.exported", actor=request.user, object_type="audit.trail", object_id="",
           changes={"filters": filters.as_query(), "rows": len(events)}, ip=request.META.get("REMOTE_ADDR"))
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
