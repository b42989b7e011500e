"""The place picker: the user's own places by name, grouped by township, instead of a typed 区划代码.

One helper for every page that filters or acts on a place (ledger export and import, hot spots,
disputes, briefings, checklists, households, visits): the options come from the one jurisdiction
scope, so nobody is offered a place they may not see (the views still check what is posted)."""

from __future__ import annotations

from typing import Any, Literal

from django import forms
from django.utils.translation import gettext as _

from minqing.lib import regioncode

from . import jurisdiction
from .models import Region

Reach = Literal["figures", "places", "register"]
Groups = list[tuple[str, list[tuple[str, str]]]]
MAX_PLACES = 3000


def _roots(user: Any, reach: Reach) -> tuple[str, ...] | None:
    scope = jurisdiction.scope_of(user)
    if scope.is_superuser:
        return None
    return {"figures": scope.figure_codes, "places": scope.place_codes, "register": scope.register_codes}[reach]


def place_groups(user: Any, reach: Reach = "figures", *, down_to: int = regioncode.VILLAGE) -> Groups:
    """[(group label, [(code, name)])]: first the county-and-township level places, then one group per
    township with the township as a whole and its villages. Empty for a user without a place."""
    roots = _roots(user, reach)
    if roots is not None and not roots:
        return []
    qs = Region.objects.filter(is_active=True, level__gte=regioncode.COUNTY, level__lte=down_to).order_by("code")
    if roots is not None:
        qs = qs.filter(jurisdiction.region_q(roots, "code"))
    rows = list(qs.values_list("code", "name", "level", "parent_id")[:MAX_PLACES])
    towns = {code: name for code, name, level, _p in rows if level == regioncode.TOWNSHIP}
    top: list[tuple[str, str]] = []
    by_town: dict[str, list[tuple[str, str]]] = {}
    for code, name, level, parent in rows:
        if level == regioncode.COUNTY:
            top.append((code, name))
        elif level == regioncode.TOWNSHIP:
            by_town.setdefault(code, []).insert(0, (code, _("%(name)s (whole township)") % {"name": name}))
        elif parent in towns:
            by_town.setdefault(parent, []).append((code, name))
        else:  # a village cadre: their village alone, named with its township
            town = Region.objects.filter(code=parent).values_list("name", flat=True).first() or ""
            top.append((code, f"{town}{name}"))
    groups: Groups = [("", top)] if top else []
    groups += [(towns[t], places) for t, places in by_town.items()]
    return groups


def flat_choices(groups: Groups) -> list[tuple[str, str]]:
    return [choice for _label, places in groups for choice in places]


def form_choices(groups: Groups) -> list[Any]:
    """Django's grouped choices: the ungrouped places first, then (township, [...])."""
    out: list[Any] = []
    for label, places in groups:
        if label:
            out.append((label, places))
        else:
            out += places
    return out


def search_attrs() -> dict[str, str]:
    """The words minqing/static/minqing/places.js shows, as data- attributes of a place <select>: with them and
    the class ``place-select`` the select becomes a field one types a place's name in (call it in a request)."""
    return {"class": "place-select", "data-label": _("Place"), "data-hint": _("Type a village or township name"),
            "data-none": _("None of your places is named “{q}”"), "data-found": _("Places found: {n}"),
            "data-more": _("Showing {shown} of {n}: type more of the name"),
            "data-invalid": _("Choose a place from the list"), "data-required": _("Please choose a place")}


def searchable(field: forms.Field) -> None:
    """A form's place <select> searched by name (its choices stay the form's own)."""
    field.widget.attrs.update(search_attrs())


class PlaceField(forms.ChoiceField):
    """A form field of the user's places (call ``for_user`` in the form's __init__)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("error_messages", {"required": _("Please choose a place"),
                                             "invalid_choice": _("Choose a place in your jurisdiction")})
        super().__init__(**kwargs)

    def for_user(self, user: Any, reach: Reach = "figures") -> None:
        self.choices = form_choices(place_groups(user, reach))
