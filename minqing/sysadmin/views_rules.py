"""The county's rules as pages: categories, deadline rules, the holiday/调休 table, quotas."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts.models import Unit, User
from minqing.appeals import deadlines
from minqing.appeals.models import Appeal, Category, DeadlineRule
from minqing.fieldwork.models import QuotaRule, VisitPolicy
from minqing.lib import regioncode, schedule

from . import rules
from .access import client_ip, sysadmin_required
from .forms import CategoryForm, DeadlineRuleForm, HolidayYearForm, QuotaForm, VisitPolicyForm
from .views_staff import attempt


@sysadmin_required
def home(request):
    low, high = regioncode.subtree_range(request.county.code)
    counts = {
        "staff": User.objects.filter(county_id=request.county.code, is_active=True).count(),
        "units": Unit.objects.filter(region_id__gte=low, region_id__lte=high, is_active=True).count(),
        "categories": Category.objects.filter(is_active=True).count(),
        "rules": DeadlineRule.objects.filter(is_active=True).count(),
        "quotas": QuotaRule.objects.filter(region_id=request.county.code, is_active=True).count(),
    }
    return render(request, "sysadmin/home.html", {"counts": counts, "missing_years": rules.years_to_enter(),
                                                  "section": "home"})


# -- categories -----------------------------------------------------------------------------------

@sysadmin_required
def category_list(request):
    cats = list(Category.objects.order_by("scheme", "code"))
    return render(request, "sysadmin/category_list.html", {"categories": cats, "section": "categories"})


@sysadmin_required
def category_form(request, pk: int | None = None):
    cat = get_object_or_404(Category, pk=pk) if pk else None
    initial = {"parent": request.GET.get("parent", "")}
    if cat:
        initial = {"name": cat.name, "parent": cat.parent_id or "", "gbt_code": cat.gbt_code,
                   "default_unit_function": cat.default_unit_function}
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = attempt(request, lambda: rules.save_category(
            cat, actor=request.user, name=d["name"], parent_id=int(d["parent"]) if d["parent"] else None,
            gbt_code=d["gbt_code"], default_unit_function=d["default_unit_function"], ip=client_ip(request)),
            _("Category saved."))
        if saved:
            return redirect("sysadmin:categories")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": cat.name if cat else _("New category"), "section": "categories",
        "toggle": cat and {"url": "sysadmin:category_active", "pk": cat.pk, "active": cat.is_active}})


@sysadmin_required
@require_POST
def category_active(request, pk: int):
    cat = get_object_or_404(Category, pk=pk)
    attempt(request, lambda: rules.set_category_active(cat, actor=request.user, active=not cat.is_active,
                                                       reason=request.POST.get("reason", ""), ip=client_ip(request)),
            _("Saved."))
    return redirect("sysadmin:categories")


# -- deadline rules -------------------------------------------------------------------------------

@sysadmin_required
def deadline_list(request):
    qs = DeadlineRule.objects.select_related("category").order_by("-is_active", "stage", "kind", "urgency", "pk")
    return render(request, "sysadmin/deadline_list.html", {"rules": qs, "section": "deadlines"})


@sysadmin_required
def deadline_form(request, pk: int | None = None):
    rule = get_object_or_404(DeadlineRule, pk=pk, is_active=True) if pk else None
    initial = {}
    if rule:
        initial = {"stage": rule.stage, "kind": rule.kind, "category": rule.category_id or "", "urgency": rule.urgency,
                   "amount": rule.amount, "unit": rule.unit}
    form = DeadlineRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = attempt(request, lambda: rules.save_deadline_rule(
            rule, actor=request.user, stage=d["stage"], amount=d["amount"], unit=d["unit"], kind=d["kind"],
            category_id=int(d["category"]) if d["category"] else None, urgency=d["urgency"], ip=client_ip(request)),
            _("Deadline rule saved. It applies to appeals registered from now on."))
        if saved:
            return redirect("sysadmin:deadlines")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": _("Deadline rule"), "section": "deadlines",
        "hint": _("The most specific rule wins: kind, then category (a rule on a parent covers its children), "
                  "then urgency. For petitions the statute's limits cap any rule."),
        "toggle": rule and {"url": "sysadmin:deadline_withdraw", "pk": rule.pk, "active": True}})


@sysadmin_required
@require_POST
def deadline_withdraw(request, pk: int):
    rule = get_object_or_404(DeadlineRule, pk=pk, is_active=True)
    attempt(request, lambda: rules.withdraw_deadline_rule(rule, actor=request.user,
                                                          reason=request.POST.get("reason", ""), ip=client_ip(request)),
            _("Rule withdrawn."))
    return redirect("sysadmin:deadlines")


# -- holidays -------------------------------------------------------------------------------------

@sysadmin_required
def holidays(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2004), today.year + 5)
    days = rules.year_days(year)
    form = HolidayYearForm(request.POST or None, initial={"text": schedule.render(days)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        out = attempt(request, lambda: rules.enter_year_schedule(actor=request.user, year=year, text=d["text"],
                                                                 reason=d["reason"], ip=client_ip(request)))
        if out:
            messages_text = _("%(year)s saved: %(days)s days, %(changed)s changed; %(recomputed)s open appeals' "
                              "deadlines recomputed.") % {"year": year, **out}
            messages.success(request, messages_text)
            return redirect(f"{request.path}?year={year}")
    known = year in deadlines.calendar().known_years
    estimated = Appeal.objects.filter(group="open", due_estimated=True).count()
    return render(request, "sysadmin/holidays.html", {
        "form": form, "year": year, "days": days, "known": known, "years": range(today.year - 1, today.year + 3),
        "missing_years": rules.years_to_enter(today), "estimated": estimated, "section": "holidays"})


# -- quotas ---------------------------------------------------------------------------------------

@sysadmin_required
def quota_list(request):
    county = request.county.code
    policy = VisitPolicy.objects.filter(region_id=county).first()
    form = VisitPolicyForm(request.POST or None, initial={
        "default_visits_per_year": policy.default_visits_per_year if policy else 4})
    if request.method == "POST" and form.is_valid():
        if attempt(request, lambda: rules.save_visit_policy(actor=request.user, county=county, ip=client_ip(request),
                                                            **form.cleaned_data), _("Saved.")):
            return redirect("sysadmin:quotas")
    quotas = QuotaRule.objects.filter(region_id=county).order_by("-is_active", "code")
    return render(request, "sysadmin/quota_list.html", {"quotas": quotas, "policy_form": form, "section": "quotas"})


@sysadmin_required
def quota_form(request, pk: int | None = None):
    quota = get_object_or_404(QuotaRule, pk=pk, region_id=request.county.code) if pk else None
    initial = {}
    if quota:
        initial = {f: getattr(quota, f) for f in ("code", "name", "roles", "measure", "target", "period",
                                                  "yellow_ratio")}
    form = QuotaForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = attempt(request, lambda: rules.save_quota(quota, actor=request.user, county=request.county.code,
                                                          ip=client_ip(request), **form.cleaned_data),
                        _("Quota saved."))
        if saved:
            return redirect("sysadmin:quotas")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": quota.name if quota else _("New quota"), "section": "quotas",
        "toggle": quota and {"url": "sysadmin:quota_active", "pk": quota.pk, "active": quota.is_active}})


@sysadmin_required
@require_POST
def quota_active(request, pk: int):
    quota = get_object_or_404(QuotaRule, pk=pk, region_id=request.county.code)
    attempt(request, lambda: rules.set_quota_active(quota, actor=request.user, active=not quota.is_active,
                                                    reason=request.POST.get("reason", ""), ip=client_ip(request)),
            _("Saved."))
    return redirect("sysadmin:quotas")
