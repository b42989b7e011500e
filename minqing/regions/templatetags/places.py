"""{% place_select "region" value %}: the place picker on any page (see minqing.regions.picker)."""

from __future__ import annotations

from typing import Any

from django import template

from minqing.regions import picker

register = template.Library()


@register.inclusion_tag("regions/place_select.html", takes_context=True)
def place_select(context: Any, name: str = "region", value: str = "", reach: str = "figures",
                 any_label: str = "", required: bool = False, field_id: str = "") -> dict[str, Any]:
    """A <select> of the user's places grouped by township; ``any_label`` adds an empty first option
    (a filter over all the user's places). A value outside the list is kept as its own option so the
    page still says what it shows."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    groups = picker.place_groups(user, reach) if user is not None else []
    value = str(value or "")
    known = {code for code, _name in picker.flat_choices(groups)}
    stray = ""
    if value and value not in known:  # named, never shown as a bare code
        from minqing.regions.models import Region

        stray = Region.objects.filter(code=value).values_list("name", flat=True).first() or value
    return {"name": name, "value": value, "groups": groups, "any_label": any_label, "required": required,
            "field_id": field_id or f"place-{name}", "stray": stray, "attrs": picker.search_attrs()}
