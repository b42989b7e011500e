"""The county's visit checklists (两不愁三保障 …): a list, a new checklist, a new version of one.
Through the checklists services: versions keep earlier answers as they were."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.checklists import services
from minqing.checklists.models import Checklist
from minqing.households.models import Tag

from . import checklist_text
from .access import sysadmin_required
from .forms import REQUIRED
from .views_staff import attempt


class ChecklistForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40, error_messages=REQUIRED)
    name = forms.CharField(label=gettext_lazy("Checklist name"), max_length=100, error_messages=REQUIRED)
    tags = forms.MultipleChoiceField(label=gettext_lazy("Applies to households tagged"), required=False,
                                     help_text=gettext_lazy("None chosen: every household"))
    items = forms.CharField(label=gettext_lazy("Items, one per line"), widget=forms.Textarea(attrs={"rows": 10}),
                            error_messages=REQUIRED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = list(Tag.objects.order_by("code").values_list("code", "name"))


class VersionForm(forms.Form):
    items = forms.CharField(label=gettext_lazy("Items, one per line"), widget=forms.Textarea(attrs={"rows": 12}),
                            error_messages=REQUIRED)
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=300, required=False)


def _items(text: str) -> list[dict]:
    try:
        return checklist_text.parse(text)
    except checklist_text.ItemTextError as exc:
        raise ValidationError(str(exc)) from None


@sysadmin_required
def checklist_list(request):
    county = request.county.code
    form = ChecklistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        made = attempt(request, lambda: services.create_checklist(actor=request.user, county=county, code=d["code"],
                                                                  name=d["name"], tags=d["tags"],
                                                                  items=_items(d["items"])),
                       _("Checklist created."))
        if made:
            return redirect("sysadmin:checklists")
    rows = Checklist.objects.alive().filter(region_id=county).prefetch_related("versions").order_by("code")
    return render(request, "sysadmin/checklist_list.html", {"form": form, "checklists": rows,
                                                            "section": "checklists"})


@sysadmin_required
def checklist_detail(request, pk: int):
    checklist = get_object_or_404(Checklist.objects.alive(), pk=pk, region_id=request.county.code)
    current = services.current_version(checklist)
    items = list(current.items.all())
    form = VersionForm(request.POST or None, initial={"items": checklist_text.render(items)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if attempt(request, lambda: services.new_version(checklist, actor=request.user, items=_items(d["items"]),
                                                         note=d["note"]), _("New version saved.")):
            return redirect("sysadmin:checklist", checklist.pk)
    return render(request, "sysadmin/checklist_detail.html", {
        "checklist": checklist, "version": current, "items": items, "form": form, "section": "checklists"})
