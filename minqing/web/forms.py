"""Forms of the work pages. Field checks here are only the shape (required, length); the rules
(jurisdiction, phone format, category) are the services', whose messages are already Chinese."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.appeals import workflow as wf
from minqing.appeals.models import KIND_NAMES, Category, Channel, Urgency
from minqing.regions import jurisdiction, picker
from minqing.regions.models import Region

REQUIRED = {"required": _("Please fill this in")}


def region_choices(user) -> list[tuple[str, str]]:
    """The places this user may register an appeal at: their own subtrees, township level down
    (and the county itself for county posts)."""
    scope = jurisdiction.scope_of(user)
    qs = jurisdiction.visible(user, Region).filter(level__gte=3).order_by("code")
    if not scope.is_superuser:
        qs = qs.filter(jurisdiction.region_q(scope.figure_codes, "code"))
    names = dict(Region.objects.filter(level=4).values_list("code", "name"))
    out = []
    for r in qs[:2000]:
        town = names.get(r.code[:9] + "000") if r.level == 5 else ""
        out.append((r.code, f"{town}{r.name}" if town else r.name))
    return out


def category_choices() -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    """Two levels of the county's tree, grouped by the first (a third level is too long a list)."""
    cats = list(Category.objects.filter(is_active=True, level__lte=2).order_by("scheme", "code"))
    children: dict[int, list[Category]] = {}
    for c in cats:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    out: list = [("", _("— choose —"))]
    for c in cats:
        if c.level != 1:
            continue
        kids = children.get(c.pk, [])
        if kids:
            whole = (str(c.pk), str(_("%(name)s (whole class)") % {"name": c.name}))
            out.append((c.name, [whole] + [(str(k.pk), k.name) for k in kids]))
        else:
            out.append((str(c.pk), c.name))
    return out


class AppealForm(forms.Form):
    region = forms.ChoiceField(label=_("Place"), error_messages={
        **REQUIRED, "invalid_choice": _("Choose a place in your jurisdiction")})
    kind = forms.ChoiceField(label=pgettext_lazy("appeal", "Kind"),
                             choices=[(k.value, v) for k, v in KIND_NAMES.items()],
                             initial=wf.Kind.PROBLEM.value, error_messages=REQUIRED)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.VISIT,
                                error_messages=REQUIRED)
    category = forms.ChoiceField(label=_("Category"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    title = forms.CharField(label=_("Subject"), max_length=200, error_messages={
        **REQUIRED, "max_length": _("At most 200 characters")})
    text = forms.CharField(label=_("What the resident said"), widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages=REQUIRED)
    reporter_name = forms.CharField(label=_("Reporter"), max_length=50, required=False)
    phone = forms.CharField(label=_("Reporter's phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        picker.searchable(self.fields["region"])
        self.fields["category"].choices = category_choices()
        # As the cadre types, the NLP part suggests a category (nothing happens without it or without JS).
        self.fields["text"].widget.attrs.update({
            "hx-get": reverse("web:appeal_suggest"), "hx-trigger": "keyup changed delay:700ms",
            "hx-target": "#suggestions", "hx-swap": "innerHTML"})
