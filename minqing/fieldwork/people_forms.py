"""Forms of the desk pages for care files, group petitions and practical things done. Shape only:
the rules live in care.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import CareKind, PetitionLevel

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class CareFileForm(forms.Form):
    resident = forms.TypedChoiceField(label=_("Person cared for"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of care"), choices=CareKind.choices)
    carer = forms.TypedChoiceField(label=_("Carer"), coerce=int, required=False, empty_value=None)
    opened_on = forms.DateField(label=_("Opened on"), **DATE)
    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, residents=(), carers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].choices = list(residents)
        self.fields["carer"].choices = [("", "—")] + list(carers)


class CloseCareForm(forms.Form):
    closed_on = forms.DateField(label=_("Closed on"), **DATE)
    reason = forms.CharField(label=_("Why the care ends"), max_length=500)


class GroupPetitionForm(forms.Form):
    level = forms.ChoiceField(label=_("Petitioned at"), choices=PetitionLevel.choices)
    occurred_on = forms.DateField(label=pgettext_lazy("group petition", "Date"), **DATE)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=5, max_value=100000,
                                   help_text=_("Five or more people bringing one matter in person."))
    representatives = forms.CharField(label=_("Representatives"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 3}),
                                      help_text=_("At most five names, one a line."))
    appeal = forms.CharField(label=_("Existing petition case"), required=False, max_length=40,
                             help_text=_("Its number; leave empty to register a new petition case below."))
    region = forms.ChoiceField(label=pgettext_lazy("field desk", "Place"), required=False)
    title = forms.CharField(label=_("What it is about"), required=False, max_length=200)
    text = forms.CharField(label=_("What the group asks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—")] + list(regions)

    def clean(self):
        data = super().clean()
        if not data.get("appeal") and not (data.get("region") and data.get("title")):
            raise forms.ValidationError("请填写已登记的信访案件编号，或填写所在地和集访事由以登记新案件")
        return data


class DeedForm(forms.Form):
    region = forms.ChoiceField(label=pgettext_lazy("field desk", "Place"))
    title = forms.CharField(label=pgettext_lazy("deed", "What was done"), max_length=200)
    done_on = forms.DateField(label=_("Done on"), **DATE)
    beneficiaries = forms.IntegerField(label=_("People who benefit"), min_value=0, required=False)
    cost = forms.DecimalField(label=_("Cost (yuan)"), min_value=0, max_digits=14, decimal_places=2, required=False)
    appeal = forms.CharField(label=_("Case answered"), required=False, max_length=40,
                             help_text=_("The number of the case this answers, if any."))
    leader = forms.TypedChoiceField(label=_("Responsible leader"), coerce=int, required=False, empty_value=None)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, regions=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)
        self.fields["leader"].choices = [("", "—")] + list(leaders)
