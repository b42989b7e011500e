"""Units (departments, township offices, stations, village and mediation committees), 包联 pairings
and visit teams."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts import pairings, services
from minqing.accounts.models import Pairing, Post, Unit, User, VisitTeam, VisitTeamMember
from minqing.accounts.roles import UnitKind
from minqing.lib import regioncode

from .access import client_ip, sysadmin_required
from .forms import PairingForm, TeamMemberForm, UnitForm, VisitTeamForm
from .views_staff import attempt


def _units(county: str):
    low, high = regioncode.subtree_range(county)
    return Unit.objects.filter(region_id__gte=low, region_id__lte=high)


@sysadmin_required
def unit_list(request):
    kind = request.GET.get("kind") or ""
    qs = _units(request.county.code).select_related("region", "parent").order_by("-is_active", "region_id", "name")
    if kind:
        qs = qs.filter(kind=kind)
    return render(request, "sysadmin/unit_list.html", {"units": qs[:1000], "kinds": UnitKind.choices, "kind": kind,
                                                       "section": "units"})


def _unit_args(d: dict) -> dict:
    return {"name": d["name"], "kind": d["kind"], "region": d["region"], "function": d["function"],
            "parent_id": int(d["parent"]) if d["parent"] else None}


@sysadmin_required
def unit_new(request):
    form = UnitForm(request.county.code, request.POST or None, initial={"kind": request.GET.get("kind")})
    if request.method == "POST" and form.is_valid():
        unit = attempt(request, lambda: services.create_unit(actor=request.user, ip=client_ip(request),
                                                             **_unit_args(form.cleaned_data)), _("Unit created."))
        if unit:
            return redirect("sysadmin:units")
    return render(request, "sysadmin/form.html", {"form": form, "title": _("New unit"), "section": "units"})


@sysadmin_required
def unit_edit(request, pk: int):
    unit = get_object_or_404(_units(request.county.code), pk=pk)
    initial = {"name": unit.name, "kind": unit.kind, "region": unit.region_id, "function": unit.function,
               "parent": unit.parent_id or ""}
    form = UnitForm(request.county.code, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        args = _unit_args(form.cleaned_data)
        if attempt(request, lambda: services.update_unit(unit, actor=request.user, ip=client_ip(request),
                                                         changes=args), _("Saved.")):
            return redirect("sysadmin:units")
    posts = Post.objects.filter(unit=unit, ended_on__isnull=True).select_related("user", "region")
    return render(request, "sysadmin/unit_edit.html", {"form": form, "unit": unit, "posts": posts,
                                                       "title": unit.name, "section": "units"})


@sysadmin_required
@require_POST
def unit_active(request, pk: int):
    unit = get_object_or_404(_units(request.county.code), pk=pk)
    attempt(request, lambda: services.set_unit_active(unit, actor=request.user, active=not unit.is_active,
                                                      reason=request.POST.get("reason", ""), ip=client_ip(request)),
            _("Unit closed.") if unit.is_active else _("Unit reopened."))
    return redirect("sysadmin:unit", unit.pk)


# -- 包联 and visit teams ---------------------------------------------------------------------------

@sysadmin_required
def pairing_list(request):
    county = request.county.code
    form = PairingForm(county, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        cadre = get_object_or_404(User, pk=d["cadre"], county_id=county)
        if attempt(request, lambda: pairings.create_pairing(actor=request.user, cadre=cadre, village=d["region"],
                                                            started_on=d["started_on"], ip=client_ip(request)),
                   _("Pairing saved.")):
            return redirect("sysadmin:pairings")
    low, high = regioncode.subtree_range(county)
    rows = (Pairing.objects.filter(region_id__gte=low, region_id__lte=high, household__isnull=True)
            .select_related("cadre", "region").order_by("ended_on", "region_id")[:2000])
    return render(request, "sysadmin/pairing_list.html", {"form": form, "pairings": rows, "section": "pairings"})


@sysadmin_required
@require_POST
def pairing_end(request, pk: int):
    low, high = regioncode.subtree_range(request.county.code)
    pairing = get_object_or_404(Pairing, pk=pk, region_id__gte=low, region_id__lte=high)
    attempt(request, lambda: pairings.end_pairing(pairing, actor=request.user, reason=request.POST.get("reason", ""),
                                                  ip=client_ip(request)), _("Pairing ended."))
    return redirect("sysadmin:pairings")


@sysadmin_required
def team_list(request):
    county = request.county.code
    form = VisitTeamForm(county, request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        team = attempt(request, lambda: pairings.create_visit_team(actor=request.user, county=county,
                                                                   ip=client_ip(request), **form.cleaned_data),
                       _("Visit team created. Add its members."))
        if team:
            return redirect("sysadmin:team", team.pk)
    teams = VisitTeam.objects.filter(region_id=county).prefetch_related("villages", "members").order_by("-year", "name")
    return render(request, "sysadmin/team_list.html", {"form": form, "teams": teams, "section": "teams"})


@sysadmin_required
def team_detail(request, pk: int):
    county = request.county.code
    team = get_object_or_404(VisitTeam, pk=pk, region_id=county)
    form = TeamMemberForm(county, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = get_object_or_404(User, pk=form.cleaned_data["user"], county_id=county)
        if attempt(request, lambda: pairings.add_team_member(team, actor=request.user, user=user,
                                                             role=form.cleaned_data["role"], ip=client_ip(request)),
                   _("Member added.")):
            return redirect("sysadmin:team", team.pk)
    members = VisitTeamMember.objects.filter(team=team).select_related("user")
    return render(request, "sysadmin/team_detail.html", {"form": form, "team": team, "members": members,
                                                         "title": team.name, "section": "teams"})
