"""Forms of the set-up pages: shapes only; the rules are the services' (their messages are Chinese)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.accounts.models import Unit, User
from minqing.accounts.roles import Rank, Role, TeamRole, UnitKind
from minqing.appeals import workflow as wf
from minqing.appeals.models import Category, DeadlineRule, Urgency
from minqing.fieldwork.models import QuotaMeasure, QuotaPeriod
from minqing.lib import regioncode
from minqing.regions.models import Region

REQUIRED = {"required": _("Please fill this in")}
BLANK = [("", _("— any —"))]


def place_choices(county: str, min_level: int = regioncode.COUNTY) -> list[tuple[str, str]]:
    """The county and its townships and villages, indented, for choosing a unit's or post's place."""
    low, high = regioncode.subtree_range(county)
    rows = Region.objects.filter(code__gte=low, code__lte=high, level__gte=min_level, is_active=True)
    return [(r.code, "　" * (r.level - regioncode.COUNTY) + r.name) for r in rows.order_by("code")[:5000]]


def unit_choices(county: str, blank: bool = False) -> list[tuple[str, str]]:
    low, high = regioncode.subtree_range(county)
    units = Unit.objects.filter(region_id__gte=low, region_id__lte=high, is_active=True).order_by("region_id", "name")
    out = [("", _("— none —"))] if blank else []
    return out + [(str(u.pk), u.name) for u in units]


def staff_choices(county: str) -> list[tuple[str, str]]:
    users = User.objects.filter(county_id=county, is_active=True).order_by("username")
    return [(str(u.pk), f"{u.display_name or u.username}（{u.username}）") for u in users]


class StaffForm(forms.Form):
    username = forms.CharField(label=_("Log-in name"), max_length=150, error_messages=REQUIRED)
    display_name = forms.CharField(label=_("Name"), max_length=50, error_messages=REQUIRED)


PARTY_CHOICES = [("", _("— not entered —")), ("1", pgettext_lazy("party member", "Yes")),
                 ("0", pgettext_lazy("party member", "No"))]


class StaffAttributesForm(forms.Form):
    """党员, 出生年份 (35岁以下 is counted from it) and 职级: what the seeds count of cadres."""

    party_member = forms.TypedChoiceField(label=_("Party member"), choices=PARTY_CHOICES, required=False,
                                          coerce=lambda v: v == "1", empty_value=None)
    birth_year = forms.IntegerField(label=_("Year of birth"), required=False, min_value=1900, max_value=2100)
    rank = forms.ChoiceField(label=_("Rank"), required=False, choices=[("", _("— not entered —")), *Rank.choices])

    @classmethod
    def of(cls, user: User) -> StaffAttributesForm:
        party = "" if user.party_member is None else ("1" if user.party_member else "0")
        return cls(initial={"party_member": party, "birth_year": user.birth_year, "rank": user.rank})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, error_messages=REQUIRED)


class PostForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), error_messages=REQUIRED)
    role = forms.ChoiceField(label=_("Post"), choices=Role.choices, error_messages=REQUIRED)
    region = forms.ChoiceField(label=_("Jurisdiction"), required=False,
                               help_text=_("Leave empty for the unit's own place"))
    started_on = forms.DateField(label=_("Started on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(county)
        self.fields["region"].choices = [("", _("— the unit's place —"))] + place_choices(county)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=100, error_messages=REQUIRED)
    kind = forms.ChoiceField(label=_("Unit kind"), choices=UnitKind.choices, error_messages=REQUIRED)
    region = forms.ChoiceField(label=_("Place"), error_messages=REQUIRED)
    parent = forms.ChoiceField(label=_("Parent unit"), required=False)
    function = forms.CharField(label=_("Function"), max_length=30, required=False,
                               help_text=_("e.g. civil_affairs, social_security, housing, mediation"))

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = place_choices(county)
        self.fields["parent"].choices = unit_choices(county, blank=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"), error_messages=REQUIRED)
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)


class ActivateForm(forms.Form):
    username = forms.CharField(label=_("Log-in name"), max_length=150, error_messages=REQUIRED)
    code = forms.CharField(label=_("One-time code"), max_length=20, error_messages=REQUIRED,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))
    password = forms.CharField(label=_("New password"), error_messages=REQUIRED,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), error_messages=REQUIRED,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class PairingForm(forms.Form):
    cadre = forms.ChoiceField(label=_("Cadre"), error_messages=REQUIRED)
    region = forms.ChoiceField(label=_("Village"), error_messages=REQUIRED)
    started_on = forms.DateField(label=_("Started on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = staff_choices(county)
        self.fields["region"].choices = place_choices(county, regioncode.VILLAGE)


class VisitTeamForm(forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100, error_messages=REQUIRED)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, error_messages=REQUIRED)
    villages = forms.MultipleChoiceField(label=_("Villages"), widget=forms.SelectMultiple(attrs={"size": 8}),
                                         error_messages=REQUIRED)

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].choices = place_choices(county, regioncode.VILLAGE)


class TeamMemberForm(forms.Form):
    user = forms.ChoiceField(label=_("Staff"), error_messages=REQUIRED)
    role = forms.ChoiceField(label=_("Role in the team"), choices=TeamRole.choices, error_messages=REQUIRED)

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = staff_choices(county)


def category_parent_choices() -> list[tuple[str, str]]:
    cats = Category.objects.filter(is_active=True, level__lte=3).order_by("scheme", "code")
    return [("", _("— top level —"))] + [(str(c.pk), "　" * (c.level - 1) + c.name) for c in cats]


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=60, error_messages=REQUIRED)
    parent = forms.ChoiceField(label=_("Parent category"), required=False)
    gbt_code = forms.CharField(label=_("GB/T 39666 code"), max_length=20, required=False,
                               help_text=_("Optional: the national standard's code for this class"))
    default_unit_function = forms.CharField(label=_("Usual unit function"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = category_parent_choices()


class DeadlineRuleForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=DeadlineRule.Stage.choices, error_messages=REQUIRED)
    kind = forms.ChoiceField(label=pgettext_lazy("appeal", "Kind"), required=False,
                             choices=BLANK + [(k.value, v) for k, v in wf.KIND_LABELS.items()])
    category = forms.ChoiceField(label=_("Category"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=BLANK + list(Urgency.choices))
    amount = forms.IntegerField(label=_("Time allowed"), min_value=1, max_value=3650, error_messages=REQUIRED)
    unit = forms.ChoiceField(label=_("Counted in"), choices=DeadlineRule.Unit.choices, error_messages=REQUIRED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = BLANK + category_parent_choices()[1:]


class HolidayYearForm(forms.Form):
    text = forms.CharField(label=_("The year's schedule"), widget=forms.Textarea(attrs={"rows": 16}),
                           error_messages=REQUIRED)
    reason = forms.CharField(label=_("Source (notice number)"), max_length=200, required=False)


class QuotaForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40, error_messages=REQUIRED)
    name = forms.CharField(label=_("Quota name"), max_length=100, error_messages=REQUIRED)
    roles = forms.MultipleChoiceField(label=_("Posts bound"), choices=Role.choices, error_messages=REQUIRED,
                                      widget=forms.SelectMultiple(attrs={"size": 8}))
    measure = forms.ChoiceField(label=_("What is counted"), choices=QuotaMeasure.choices)
    target = forms.IntegerField(label=_("Target per period"), min_value=1, max_value=366)
    period = forms.ChoiceField(label=_("Period"), choices=QuotaPeriod.choices)
    yellow_ratio = forms.DecimalField(label=_("Yellow from"), min_value=0.01, max_value=1, decimal_places=2,
                                      initial=0.5)


class VisitPolicyForm(forms.Form):
    default_visits_per_year = forms.IntegerField(label=_("Visits a year for households with no tag that sets one"),
                                                 min_value=1, max_value=52, error_messages=REQUIRED)


class DisputeKindForm(forms.Form):
    name = forms.CharField(label=_("Name of the kind"), max_length=40, error_messages=REQUIRED)
    code = forms.CharField(label=_("Code"), max_length=30, required=False,
                           help_text=_("Lower-case letters, digits and _; fixed once saved"))
    category_code = forms.CharField(label=_("Appeal category code"), max_length=40, required=False)
    family = forms.BooleanField(label=_("Family dispute (mediators and leaders only)"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, required=False)


class VillageGroupForm(forms.Form):
    village = forms.ChoiceField(label=_("Village"), error_messages=REQUIRED)
    number = forms.IntegerField(label=_("Group number"), min_value=1, error_messages=REQUIRED)
    name = forms.CharField(label=_("Group name"), max_length=50, error_messages=REQUIRED)

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(c, n.strip("　")) for c, n in place_choices(county, regioncode.VILLAGE)]


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=100, error_messages=REQUIRED)
    reason = forms.CharField(label=_("Reason or document"), max_length=500, error_messages=REQUIRED)


class DispatchRuleForm(forms.Form):
    """派单目录: one entry (a new version when the pair has one already)."""

    category = forms.ChoiceField(label=_("Category"), error_messages=REQUIRED)
    region = forms.ChoiceField(label=_("Place"), error_messages=REQUIRED,
                               help_text=_("The county for every place, or a township for its own places"))
    unit = forms.ChoiceField(label=_("Responsible unit"), error_messages=REQUIRED)
    co_units = forms.MultipleChoiceField(label=_("Default co-handling units"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 6}))
    duty = forms.CharField(label=_("Duty (from the list of powers and duties)"), max_length=200, required=False)

    def __init__(self, county: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_parent_choices()[1:]
        self.fields["region"].choices = place_choices(county, min_level=regioncode.COUNTY)[:1] + [
            c for c in place_choices(county, min_level=regioncode.COUNTY) if regioncode.level_of(c[0]) ==
            regioncode.TOWNSHIP]
        self.fields["unit"].choices = unit_choices(county)
        self.fields["co_units"].choices = unit_choices(county)


class ReturnDaysForm(forms.Form):
    return_days = forms.IntegerField(label=_("Working days to return a wrongly assigned case"), min_value=0,
                                     max_value=10, error_messages=REQUIRED)
