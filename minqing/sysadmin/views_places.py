"""Kinds of dispute, 村民小组 and the names of divisions: set-up the Django admin did before."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.disputes.models import DisputeKind
from minqing.lib import regioncode
from minqing.regions.models import Region, VillageGroup

from . import places
from .access import client_ip, sysadmin_required
from .forms import DisputeKindForm, RenameForm, VillageGroupForm
from .views_staff import attempt


def _in_county(request, qs, field: str):
    low, high = regioncode.subtree_range(request.county.code)
    return qs.filter(**{f"{field}__gte": low, f"{field}__lte": high})


# -- kinds of dispute -----------------------------------------------------------------------------

@sysadmin_required
def dispute_kind_list(request):
    kinds = DisputeKind.objects.order_by("-is_active", "order", "code")
    return render(request, "sysadmin/dispute_kind_list.html", {"kinds": kinds, "section": "dispute_kinds"})


@sysadmin_required
def dispute_kind_form(request, pk: int | None = None):
    kind = get_object_or_404(DisputeKind, pk=pk) if pk else None
    initial = kind and {"name": kind.name, "code": kind.code, "category_code": kind.category_code,
                        "family": kind.family, "order": kind.order}
    form = DisputeKindForm(request.POST or None, initial=initial)
    if kind:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = attempt(request, lambda: places.save_dispute_kind(
            kind, actor=request.user, code=kind.code if kind else d["code"], name=d["name"],
            category_code=d["category_code"], family=d["family"], order=d["order"] or 0, ip=client_ip(request)),
            _("Kind of dispute saved."))
        if saved:
            return redirect("sysadmin:dispute_kinds")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": kind.name if kind else _("New kind of dispute"), "section": "dispute_kinds",
        "toggle": kind and {"url": "sysadmin:dispute_kind_active", "pk": kind.pk, "active": kind.is_active}})


@sysadmin_required
@require_POST
def dispute_kind_active(request, pk: int):
    kind = get_object_or_404(DisputeKind, pk=pk)
    attempt(request, lambda: places.set_dispute_kind_active(
        kind, actor=request.user, active=not kind.is_active, reason=request.POST.get("reason", ""),
        ip=client_ip(request)), _("Saved."))
    return redirect("sysadmin:dispute_kinds")


# -- 村民小组 ------------------------------------------------------------------------------------

@sysadmin_required
def group_list(request):
    village = request.GET.get("village") or ""
    qs = _in_county(request, VillageGroup.objects.select_related("region"), "region_id")
    if village:
        qs = qs.filter(region_id=village)
    form = VillageGroupForm(request.county.code, request.POST or None, initial={"village": village})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = attempt(request, lambda: places.save_village_group(
            None, actor=request.user, village=Region.objects.filter(code=d["village"]).first(), number=d["number"],
            name=d["name"], ip=client_ip(request)), _("Village group added."))
        if saved:
            return redirect(f"{request.path}?village={d['village']}")
    return render(request, "sysadmin/group_list.html", {"groups": qs[:2000], "form": form, "village": village,
                                                         "section": "groups"})


@sysadmin_required
def group_form(request, pk: int):
    group = get_object_or_404(_in_county(request, VillageGroup.objects.select_related("region"), "region_id"), pk=pk)
    form = RenameForm(request.POST or None, initial={"name": group.name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: places.save_village_group(group, actor=request.user, name=d["name"],
                                                              reason=d["reason"], ip=client_ip(request)),
                   _("Village group renamed.")):
            return redirect(f"{redirect('sysadmin:groups').url}?village={group.region_id}")
    return render(request, "sysadmin/form.html", {"form": form, "title": f"{group.region.name} {group.name}",
                                                  "section": "groups"})


# -- names of divisions ---------------------------------------------------------------------------

@sysadmin_required
def region_list(request):
    regions = _in_county(request, Region.objects.filter(level__gt=regioncode.COUNTY), "code").order_by("code")
    return render(request, "sysadmin/region_list.html", {"regions": regions[:5000], "section": "regions"})


@sysadmin_required
def region_form(request, code: str):
    region = get_object_or_404(_in_county(request, Region.objects.filter(level__gt=regioncode.COUNTY), "code"),
                               code=code)
    form = RenameForm(request.POST or None, initial={"name": region.name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: places.rename_region(region, actor=request.user, name=d["name"],
                                                         reason=d["reason"], ip=client_ip(request)),
                   _("Division renamed.")):
            return redirect("sysadmin:regions")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": f"{region.name} {region.code}", "section": "regions",
        "hint": _("The code stays: every record of this place keeps pointing at it.")})
