"""Units (departments, township offices, stations, village and mediation committees)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.accounts import services
from minqing.accounts.models import Post, Unit
from minqing.accounts.roles import UnitKind
from minqing.lib import regioncode

from .access import client_ip, sysadmin_required
from .forms import UnitForm
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
