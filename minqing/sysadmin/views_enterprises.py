"""Key enterprises and projects (重点企业/项目) and their liaison leaders, set up by the county's
system administrator through the enterprises services (the same checks and audit events)."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.accounts.models import User
from minqing.enterprises import services
from minqing.enterprises.models import Enterprise, EnterpriseKind, LiaisonPairing
from minqing.lib import regioncode

from .access import sysadmin_required
from .forms import REQUIRED, place_choices
from .views_staff import attempt


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Enterprise or project name"), max_length=200, error_messages=REQUIRED)
    kind = forms.ChoiceField(label=gettext_lazy("Enterprise kind"), choices=EnterpriseKind.choices)
    region = forms.ChoiceField(label=gettext_lazy("Place"), error_messages=REQUIRED)
    sector = forms.CharField(label=gettext_lazy("Sector"), max_length=100, required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20, required=False)

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = place_choices(county)


def _enterprises(county: str):
    low, high = regioncode.subtree_range(county)
    return Enterprise.objects.alive().filter(region_id__gte=low, region_id__lte=high)


@sysadmin_required
def enterprise_list(request):
    county = request.county.code
    form = EnterpriseForm(county, request.POST or None)
    if request.method == "POST" and form.is_valid():
        ent = attempt(request, lambda: services.register_enterprise(actor=request.user, **form.cleaned_data),
                      _("Enterprise registered. Pair its liaison leaders."))
        if ent:
            return redirect("sysadmin:enterprise", ent.pk)
    rows = _enterprises(county).select_related("region").prefetch_related("pairings__leader")
    return render(request, "sysadmin/enterprise_list.html", {"form": form, "enterprises": rows,
                                                             "section": "enterprises"})


@sysadmin_required
def enterprise_detail(request, pk: int):
    county = request.county.code
    ent = get_object_or_404(_enterprises(county), pk=pk)
    leaders = User.objects.filter(county_id=county, is_active=True).order_by("username")
    if request.method == "POST":
        leader = get_object_or_404(leaders, pk=request.POST.get("leader") or 0)
        if attempt(request, lambda: services.pair_leader(ent, leader, actor=request.user), _("Leader paired.")):
            return redirect("sysadmin:enterprise", ent.pk)
    pairings = (LiaisonPairing.objects.filter(enterprise=ent).select_related("leader")
                .order_by("ended_on", "-started_on"))
    context = {"ent": ent, "pairings": pairings, "leaders": leaders, "section": "enterprises"}
    return render(request, "sysadmin/enterprise_detail.html", context)


@sysadmin_required
@require_POST
def enterprise_unpair(request, pk: int):
    low, high = regioncode.subtree_range(request.county.code)
    pairing = get_object_or_404(LiaisonPairing, pk=pk, region_id__gte=low, region_id__lte=high)
    attempt(request, lambda: services.end_pairing(pairing, actor=request.user), _("Pairing ended."))
    return redirect("sysadmin:enterprise", pairing.enterprise_id)
