"""The dispatch catalogue (派单目录) as pages: the current entries, a new version, an entry's history,
and the county's 退单 window. The rules are appeals.dispatch's (versioned, audited)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.appeals import dispatch
from minqing.appeals.models import DispatchRule
from minqing.lib import regioncode

from .access import client_ip, sysadmin_required
from .forms import DispatchRuleForm, ReturnDaysForm
from .views_staff import attempt


def _county_rules(county: str):
    low, high = regioncode.subtree_range(county)
    return DispatchRule.objects.filter(region_id__gte=low, region_id__lte=high)


@sysadmin_required
def dispatch_list(request):
    county = request.county.code
    rules = (_county_rules(county).filter(is_current=True).select_related("category", "region", "unit", "created_by")
             .prefetch_related("co_units").order_by("category__code", "region_id"))
    form = ReturnDaysForm(request.POST or None, initial={"return_days": dispatch.return_days(county)})
    if request.method == "POST" and form.is_valid():
        if attempt(request, lambda: dispatch.set_return_days(request.county, form.cleaned_data["return_days"],
                                                             actor=request.user, ip=client_ip(request)),
                   _("Saved.")):
            return redirect("sysadmin:dispatch")
    return render(request, "sysadmin/dispatch_list.html", {"rules": rules, "days_form": form,
                                                           "section": "dispatch"})


@sysadmin_required
def dispatch_form(request, pk: int | None = None):
    rule = get_object_or_404(_county_rules(request.county.code), pk=pk, is_current=True) if pk else None
    initial = {}
    if rule:
        initial = {"category": rule.category_id, "region": rule.region_id, "unit": rule.unit_id,
                   "co_units": [u.pk for u in rule.co_units.all()], "duty": rule.duty}
    form = DispatchRuleForm(request.county.code, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = attempt(request, lambda: dispatch.save_rule(
            actor=request.user, county=request.county, category_id=int(d["category"]), region_code=d["region"],
            unit_id=int(d["unit"]), co_unit_ids=[int(u) for u in d["co_units"]], duty=d["duty"],
            ip=client_ip(request)), _("Dispatch catalogue entry saved (a new version; the old one is kept)."))
        if saved:
            return redirect("sysadmin:dispatch")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": _("Dispatch catalogue entry"), "section": "dispatch",
        "hint": _("Which unit handles this category in this place, and which units co-handle by default. "
                  "A township's entry wins over the county's for its places; a category's over its parent's."),
        "toggle": rule and {"url": "sysadmin:dispatch_retire", "pk": rule.pk, "active": True}})


@sysadmin_required
def dispatch_history(request, pk: int):
    rule = get_object_or_404(_county_rules(request.county.code).select_related("category", "region"), pk=pk)
    return render(request, "sysadmin/dispatch_history.html", {
        "rule": rule, "versions": dispatch.history(rule.category_id, rule.region_id), "section": "dispatch"})


@sysadmin_required
@require_POST
def dispatch_retire(request, pk: int):
    rule = get_object_or_404(_county_rules(request.county.code), pk=pk)
    attempt(request, lambda: dispatch.retire_rule(rule, actor=request.user, reason=request.POST.get("reason", ""),
                                                  ip=client_ip(request)), _("Entry withdrawn (kept in the history)."))
    return redirect("sysadmin:dispatch")
