"""Desk pages of who does their share: the quota report and the visit lists of a household or a cadre
(/field/desk/quotas/, /field/desk/visits/); the shared helpers are pages.py's."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from minqing.accounts.models import User
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction

from . import metrics
from .models import (
    Visit,
)
from .pages import _figure_region, _int, _page, _period, _query_without_page, _within

SORTS = {"rule": ("rule", "status_order", "name"), "status": ("status_order", "rule", "name"),
         "name": ("name", "rule"), "done": ("ratio", "rule", "name"), "-done": ("-ratio", "rule", "name")}
STATUS_ORDER = {"red": 0, "yellow": 1, "ongoing": 2, "green": 3}  # 进行中 (quotas.ONGOING) before 达标



@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    """Who is doing their share: metrics.quota_report rows, red/yellow/green, by rule, sortable."""
    region = _figure_region(request)
    period = _period(request)
    rows = metrics.quota_report(region.code, period["start"], period["end"], user=request.user)
    rules = sorted({(r["rule"], r["rule_name"]) for r in rows})
    rule = request.GET.get("rule") or ""
    if rule:
        rows = [r for r in rows if r["rule"] == rule]
    status = request.GET.get("status") or ""
    if status in STATUS_ORDER:
        rows = [r for r in rows if r["status"] == status]
    sort = request.GET.get("sort") or "rule"
    keys = SORTS.get(sort, SORTS["rule"])
    for r in rows:
        r["status_order"] = STATUS_ORDER[r["status"]]
        r["ratio"] = r["done"] / r["required"] if r["required"] else 1.0
        r["percent"] = round(100 * r["ratio"])

    def key(r: dict[str, Any]) -> tuple:
        return tuple(-r[k[1:]] if k.startswith("-") else r[k] for k in keys)

    rows.sort(key=key)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUS_ORDER}
    params = request.GET.copy()
    params.pop("sort", None)
    return render(request, "fieldwork/desk/quotas.html", {
        "region": region, "period": period, "rows": rows, "rules": rules, "rule": rule, "status": status,
        "sort": sort, "counts": counts, "query": params.urlencode()})


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    """Visits of a household or by a cadre (as visitor or companion), read-only."""
    user = request.user
    qs = jurisdiction.visible(user, Visit).alive().select_related("household", "visitor", "region", "round__team")
    visitor_id = _int(request.GET.get("visitor"))
    household_id = _int(request.GET.get("household"))
    visitor = household = None
    if visitor_id:
        visitor = User.objects.filter(pk=visitor_id).first()
        qs = qs.filter(Q(visitor_id=visitor_id) | Q(companions=visitor_id)).distinct()
    if household_id:
        from minqing.households.models import Household

        household = jurisdiction.visible(user, Household).filter(pk=household_id).first()
        qs = qs.filter(household_id=household_id)
    period = _period(request) if request.GET.get("period") else None
    if period:
        low, high = bounds(period["start"], period["end"])
        qs = qs.filter(visited_at__gte=low, visited_at__lt=high)
    region = (request.GET.get("region") or "").strip()
    qs = _within(qs, region)
    return render(request, "fieldwork/desk/visit_list.html", {
        "page": _page(request, qs.order_by("-visited_at", "-id")), "visitor": visitor, "household": household,
        "period": period, "query": _query_without_page(request),
        "filters": {"visitor": visitor_id or "", "household": household_id or "", "region": region,
                    "period": period["token"] if period else ""}})
