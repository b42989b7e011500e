"""Forms of the 一户一档 pages: shapes only (required, lengths, choices); the rules — jurisdiction, ID
and phone checks, free household numbers — are the services', whose messages are Chinese."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.households.imports.columns import COLUMNS
from minqing.households.imports.columns import REQUIRED as REQUIRED_COLUMNS
from minqing.households.models import Gender, Relation, ResidentStatus, Tag
from minqing.lib import regioncode
from minqing.regions import jurisdiction, picker
from minqing.regions.models import Region

from .forms import REQUIRED


def village_choices(user) -> list[tuple[str, str]]:
    """Villages whose households this user may edit, named 镇+村."""
    scope = jurisdiction.scope_of(user)
    qs = Region.objects.filter(level=regioncode.VILLAGE, is_active=True).order_by("code")
    if not scope.is_superuser:
        qs = qs.filter(jurisdiction.region_q(scope.place_codes, "code"))
    towns = dict(Region.objects.filter(level=regioncode.TOWNSHIP).values_list("code", "name"))
    return [(r.code, f"{towns.get(r.parent_id, '')}{r.name}") for r in qs[:3000]]


def place_choices(user) -> list[tuple[str, str]]:
    """Township and village places of the user's jurisdiction (imports and batch printing)."""
    scope = jurisdiction.scope_of(user)
    qs = Region.objects.filter(level__gte=regioncode.COUNTY, is_active=True).order_by("code")
    if not scope.is_superuser:
        qs = qs.filter(jurisdiction.region_q(scope.place_codes, "code"))
    return [(r.code, r.name) for r in qs[:3000]]


def _date() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # the browser's date picker reads ISO


def _tags_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(label=_("Tags"), required=False, widget=forms.CheckboxSelectMultiple,
                                     choices=lambda: list(Tag.objects.values_list("code", "name")))


class HouseholdForm(forms.Form):
    region = forms.ChoiceField(label=_("Village"), error_messages=REQUIRED)
    group = forms.IntegerField(label=_("Village group number"), required=False, min_value=1, max_value=999)
    number = forms.CharField(label=_("Household number"), max_length=30, error_messages=REQUIRED)
    head_name = forms.CharField(label=_("Householder"), max_length=50, error_messages=REQUIRED)
    address = forms.CharField(label=_("Address"), max_length=200, error_messages=REQUIRED)
    tags = _tags_field()
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)

    def __init__(self, user, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices(user)
        picker.searchable(self.fields["region"])
        if editing:  # the village changes by moving the household (its own page and event)
            del self.fields["region"]


class MoveForm(forms.Form):
    region = forms.ChoiceField(label=_("Village"), error_messages=REQUIRED)
    group = forms.IntegerField(label=_("Village group number"), required=False, min_value=1, max_value=999)
    number = forms.CharField(label=_("Household number in the new village"), max_length=30, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages=REQUIRED)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices(user)
        picker.searchable(self.fields["region"])


class SplitForm(forms.Form):
    residents = forms.MultipleChoiceField(label=_("Members who form the new household"),
                                          widget=forms.CheckboxSelectMultiple, error_messages=REQUIRED)
    head = forms.ChoiceField(label=_("Householder of the new household"), error_messages=REQUIRED)
    number = forms.CharField(label=_("New household number"), max_length=30, error_messages=REQUIRED)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages=REQUIRED)

    def __init__(self, members, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(r.pk), f"{r.name}（{r.get_relation_display()}）") for r in members]
        self.fields["residents"].choices = choices
        self.fields["head"].choices = choices


class MergeForm(forms.Form):
    source = forms.ChoiceField(label=_("Household merged into this one"), error_messages=REQUIRED)
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages=REQUIRED)

    def __init__(self, others, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(str(h.pk), f"{h.number} {h.head_name}户") for h in others]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, error_messages=REQUIRED)


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50, error_messages=REQUIRED)
    relation = forms.ChoiceField(label=_("Relation to householder"), choices=Relation.choices,
                                 error_messages=REQUIRED)
    gender = forms.ChoiceField(label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=_date())
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ResidentStatus.choices, error_messages=REQUIRED)
    on = forms.DateField(label=_("Since"), required=False, widget=_date())
    reason = forms.CharField(label=_("Reason or document"), max_length=200, required=False)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visit date"), widget=_date(),
                                 error_messages=REQUIRED)
    note = forms.CharField(label=_("Diary note"), widget=forms.Textarea(attrs={"rows": 4}), error_messages=REQUIRED)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class ImportForm(forms.Form):
    region = forms.ChoiceField(label=_("Import into"), error_messages=REQUIRED)
    file = forms.FileField(label=_("Roster file (.xlsx or .csv)"), error_messages=REQUIRED)
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # grouped by township, so two villages of one name are told apart (the picker shows the township)
        self.fields["region"].choices = picker.form_choices(picker.place_groups(user, "places"))
        picker.searchable(self.fields["region"])


class MappingForm(forms.Form):
    """Which of the file's columns holds each field (a file whose headers differ from the layout)."""

    def __init__(self, headers: list[str], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("— not in this file —")), *[(h, h) for h in headers if h]]
        for key, (main, _others) in COLUMNS.items():
            self.fields[key] = forms.ChoiceField(label=main, choices=options, required=key in REQUIRED_COLUMNS,
                                                 error_messages=REQUIRED)
