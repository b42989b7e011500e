"""Desk pages of work with the people (/field/desk/care/, /petitions/, /deeds/): the lists, each
through jurisdiction.visible (404 outside), and the forms, each calling one service of care.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minqing.households.models import Household, Resident
from minqing.households.queries import households_for
from minqing.regions import jurisdiction
from minqing.regions.models import Level

from . import care
from .models import CareFile, CareKind, Deed, GroupPetition, PetitionLevel
from .pages import _error_text, _int, _leaders, _page, _period, _places, _query_without_page, _within
from .people_forms import CareFileForm, CloseCareForm, DeedForm, GroupPetitionForm

ALL_LEVELS = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE)


def _render_form(request: HttpRequest, form: Any, title: str, **extra: Any) -> HttpResponse:
    return render(request, "fieldwork/desk/people_form.html", {"form": form, "title": title, **extra},
                  status=422 if form.errors else 200)


def _filters(request: HttpRequest) -> tuple[dict[str, Any] | None, str]:
    period = _period(request) if request.GET.get("period") else None
    return period, (request.GET.get("region") or "").strip()


# --- 关爱服务档案 ---------------------------------------------------------------------------------


@login_required
def care_list(request: HttpRequest) -> HttpResponse:
    region = (request.GET.get("region") or "").strip()
    qs = _within(jurisdiction.visible(request.user, CareFile).alive(), region)
    kind = request.GET.get("kind") or ""
    if kind in CareKind.values:
        qs = qs.filter(kind=kind)
    state = request.GET.get("state") or "open"
    if state == "open":
        qs = qs.filter(closed_on__isnull=True)
    qs = qs.select_related("resident", "household", "region", "carer").annotate(
        help_count=Count("household__visits__help", filter=Q(household__visits__deleted_at__isnull=True)))
    return render(request, "fieldwork/desk/care_list.html", {
        "page": _page(request, qs.order_by("region_id", "kind", "id")), "kinds": CareKind.choices,
        "filters": {"kind": kind, "region": region, "state": state}, "query": _query_without_page(request),
        "places": _places(request.user, ALL_LEVELS, figures=True)})


def _members(user: Any, household: Household) -> list[tuple[int, str]]:
    rows = jurisdiction.visible(user, Resident).alive().filter(household=household, status="living")
    return [(r.pk, f"{r.name}（{r.get_relation_display()}）") for r in rows.order_by("pk")]


@login_required
@require_http_methods(["GET", "POST"])
def care_new(request: HttpRequest) -> HttpResponse:
    """Open a care file: first find the household (by head, number or address), then pick its member."""
    user = request.user
    pk = _int(request.GET.get("household") or request.POST.get("household"))
    household = jurisdiction.visible(user, Household).alive().filter(pk=pk).first() if pk else None
    if household is None:
        q = (request.GET.get("q") or "").strip()
        found = list(households_for(user, q=q).select_related("region")[:20]) if q else []
        return render(request, "fieldwork/desk/care_pick.html", {"q": q, "found": found})
    form = CareFileForm(request.POST or None, residents=_members(user, household), carers=_leaders(user),
                        initial={"opened_on": timezone.localdate(), "carer": user.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = care.open_care_file(actor=user, resident=d["resident"], kind=d["kind"], opened_on=d["opened_on"],
                                      carer=d["carer"], needs=d["needs"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_care_file", pk=row.pk)
    return _render_form(request, form, _("Open a care file"), household=household)


@login_required
def care_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = jurisdiction.get_visible_or_404(
        request.user, CareFile.objects.alive().select_related("resident", "household", "region", "carer"), pk=pk)
    history = list(care.care_history(request.user, row)[:200])
    totals = {"money": sum((h.amount or 0) for h in history if h.kind == "condolence_money"),
              "goods": sum(h.goods_count for h in history)}
    return render(request, "fieldwork/desk/care_detail.html", {
        "c": row, "history": history, "totals": totals, "close_form": CloseCareForm(
            initial={"closed_on": timezone.localdate()})})


@login_required
@require_POST
def care_close(request: HttpRequest, pk: int) -> HttpResponse:
    row = jurisdiction.get_visible_or_404(request.user, CareFile.objects.alive(), pk=pk)
    form = CloseCareForm(request.POST)
    if form.is_valid():
        try:
            care.close_care_file(row, actor=request.user, closed_on=form.cleaned_data["closed_on"],
                                 reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
    if form.errors:
        history = list(care.care_history(request.user, row)[:200])
        return render(request, "fieldwork/desk/care_detail.html",
                      {"c": row, "history": history, "close_form": form, "totals": {}}, status=422)
    return redirect("field:desk_care_file", pk=row.pk)


# --- 集访 ---------------------------------------------------------------------------------------


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    period, region = _filters(request)
    qs = _within(jurisdiction.visible(request.user, GroupPetition), region).filter(appeal__deleted_at__isnull=True)
    level = request.GET.get("level") or ""
    if level in PetitionLevel.values:
        qs = qs.filter(level=level)
    if period:
        qs = qs.filter(occurred_on__gte=period["start"], occurred_on__lte=period["end"])
    sums = qs.aggregate(batches=Count("pk"), people=Sum("headcount"))
    return render(request, "fieldwork/desk/petition_list.html", {
        "page": _page(request, qs.select_related("appeal", "region").order_by("-occurred_on", "-id")),
        "levels": PetitionLevel.choices, "sums": sums, "query": _query_without_page(request),
        "filters": {"level": level, "region": region, "period": period["token"] if period else ""},
        "period_error": period["error"] if period else "",
        "places": _places(request.user, ALL_LEVELS, figures=True)})


@login_required
@require_http_methods(["GET", "POST"])
def petition_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = GroupPetitionForm(request.POST or None, regions=_places(user, ALL_LEVELS),
                             initial={"occurred_on": timezone.localdate(), "level": PetitionLevel.COUNTY})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = care.record_group_petition(
                actor=user, level=d["level"], occurred_on=d["occurred_on"], headcount=d["headcount"],
                representatives=d["representatives"], appeal=d["appeal"] or None, region=d["region"] or None,
                title=d["title"], text=d["text"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect(f"{_url('field:desk_petitions')}?level={row.level}")
    return _render_form(request, form, _("Record a group petition"))


def _url(name: str) -> str:
    return reverse(name)


# --- 为民办实事 -----------------------------------------------------------------------------------


@login_required
def deed_list(request: HttpRequest) -> HttpResponse:
    period, region = _filters(request)
    qs = _within(jurisdiction.visible(request.user, Deed).alive(), region)
    if period:
        qs = qs.filter(done_on__gte=period["start"], done_on__lte=period["end"])
    if request.GET.get("linked") == "1":
        qs = qs.filter(appeal__isnull=False)
    sums = qs.aggregate(count=Count("pk"), beneficiaries=Sum("beneficiaries"), cost=Sum("cost"))
    return render(request, "fieldwork/desk/deed_list.html", {
        "page": _page(request, qs.select_related("region", "appeal", "leader").order_by("-done_on", "-id")),
        "sums": sums, "query": _query_without_page(request),
        "filters": {"region": region, "period": period["token"] if period else "",
                    "linked": request.GET.get("linked") == "1"},
        "period_error": period["error"] if period else "",
        "places": _places(request.user, ALL_LEVELS, figures=True)})


@login_required
@require_http_methods(["GET", "POST"])
def deed_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = DeedForm(request.POST or None, regions=_places(user, ALL_LEVELS, figures=True), leaders=_leaders(user),
                    initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = _case_id(user, d["appeal"]) if d["appeal"] else None
            care.record_deed(actor=user, region=d["region"], title=d["title"], done_on=d["done_on"],
                             description=d["description"], beneficiaries=d["beneficiaries"], cost=d["cost"],
                             appeal=case, leader=d["leader"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            return redirect("field:desk_deeds")
    return _render_form(request, form, _("Record a practical thing done"))


def _case_id(user: Any, number: str) -> int:
    """A case number (or id) typed on a form → the id of a case the user may see."""
    from minqing.appeals.models import Appeal

    key = number.strip()
    qs = jurisdiction.visible(user, Appeal).filter(deleted_at__isnull=True)
    found = (qs.filter(Q(number=key) | Q(pk=int(key))) if key.isdigit() else qs.filter(number=key)).first()
    if found is None:
        raise ValidationError(f"未找到案件“{key}”，或不在您的管辖范围内")
    return found.pk


def case_ids(user: Any, text: str) -> list[int]:
    """Case numbers typed in one field (separated by spaces, commas or 、) → their ids."""
    raw = (text or "").replace("，", " ").replace(",", " ").replace("、", " ").split()
    return [_case_id(user, n) for n in raw]


def resident_ids(user: Any, text: str, region_code: str) -> list[int]:
    """Attendee names typed from a sign-in sheet (one a line, or separated by 、) → the residents of
    that name living under the place; a name that is not on the register, or is there twice, is named
    in the error so the clerk can count that person in the number instead."""
    names = [n.strip() for n in (text or "").replace("、", "\n").replace("，", "\n").splitlines() if n.strip()]
    if not names:
        return []
    qs = jurisdiction.visible(user, Resident).alive().filter(status="living", name__in=names)
    qs = _within(qs, region_code)
    found: dict[str, list[int]] = {}
    for pk, name in qs.values_list("pk", "name"):
        found.setdefault(name, []).append(pk)
    missing = [n for n in names if n not in found]
    twice = [n for n in names if len(found.get(n, [])) > 1]
    if missing:
        raise ValidationError(f"以下群众不在本地户籍名册中：{'、'.join(missing)}（可计入参加人数）")
    if twice:
        raise ValidationError(f"以下姓名在名册中有重名，请改在手机上按户选择：{'、'.join(twice)}")
    return sorted({found[n][0] for n in names})

