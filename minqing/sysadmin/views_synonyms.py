"""The county's search synonyms (噪音 噪声 扰民): list, new, edit, deactivate. Thin: nlp.synonyms does it."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.nlp import synonyms
from minqing.nlp.models import SynonymGroup

from .access import client_ip, sysadmin_required
from .forms import REQUIRED
from .views_staff import attempt


class SynonymForm(forms.Form):
    words = forms.CharField(label=gettext_lazy("Words of one meaning"), max_length=300,
                            error_messages=REQUIRED,
                            help_text=gettext_lazy("Two to eight words separated by spaces or 、, e.g. 噪音 噪声 扰民"))


@sysadmin_required
def synonym_list(request):
    groups = SynonymGroup.objects.filter(county=request.county)
    return render(request, "sysadmin/synonym_list.html", {
        "groups": groups, "seed": [] if groups else [g.split() for g in synonyms.SEED], "section": "synonyms"})


@sysadmin_required
@require_POST
def synonym_adopt(request):
    attempt(request, lambda: synonyms.adopt_seed(actor=request.user, ip=client_ip(request)),
            _("The common list is now the county's own: edit it below."))
    return redirect("sysadmin:synonyms")


@sysadmin_required
def synonym_form(request, pk: int | None = None):
    group = get_object_or_404(SynonymGroup, pk=pk, county=request.county) if pk else None
    form = SynonymForm(request.POST or None, initial=group and {"words": group.words})
    if request.method == "POST" and form.is_valid():
        words = form.cleaned_data["words"]
        saved = attempt(request, lambda: synonyms.save_group(group, actor=request.user, words=words,
                                                             ip=client_ip(request)), _("Synonyms saved."))
        if saved:
            return redirect("sysadmin:synonyms")
    return render(request, "sysadmin/form.html", {
        "form": form, "title": group.words if group else _("New group of synonyms"), "section": "synonyms",
        "hint": _("A search for any word of a group finds texts with any other word of it."),
        "toggle": group and {"url": "sysadmin:synonym_active", "pk": group.pk, "active": group.is_active}})


@sysadmin_required
@require_POST
def synonym_active(request, pk: int):
    group = get_object_or_404(SynonymGroup, pk=pk, county=request.county)
    attempt(request, lambda: synonyms.set_active(group, actor=request.user, active=not group.is_active,
                                                 reason=request.POST.get("reason", ""), ip=client_ip(request)),
            _("Saved."))
    return redirect("sysadmin:synonyms")
