"""Forms of the cadres pages: shapes only; the rules are the services' (their messages are Chinese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import DutyKind


class ShiftForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=pgettext_lazy("duty shift", "Duty"), choices=DutyKind.choices)
    person = forms.TypedChoiceField(label=_("Person"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=100, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = list(people)


class CheckInForm(forms.Form):
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
