"""Bulk actions from the workbench list (批量交办/延期/催办/督办): the selected cases, one action, a
result page that lists what was done and, case by case, what was refused and why. The rules live in
minqing.appeals.bulk_actions (each case checked and written as if done alone)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from minqing.appeals import bulk_actions
from minqing.regions import jurisdiction
from minqing.web import actionforms

BULK_CHOICES = list(bulk_actions.LABELS.items())


def may_bulk(user) -> bool:
    """Staff with a post: what each may do is checked per case when they apply."""
    return bool(jurisdiction.scope_of(user).posts)


def choices_for(user) -> dict[str, Any]:
    """The bulk form's units and people: those near the user's own post (as near a case of their place)."""
    posts = jurisdiction.scope_of(user).posts
    if not posts:
        return {"bulk_choices": BULK_CHOICES, "bulk_units": [], "bulk_people": []}
    here = SimpleNamespace(region_id=posts[0].region_code)
    return {"bulk_choices": BULK_CHOICES, "bulk_units": actionforms.units_for(here),
            "bulk_people": actionforms.people_for(here)}


def _back(request) -> str:
    query = (request.POST.get("back") or "").strip().lstrip("?")[:1000]
    return reverse("web:appeals") + (f"?{query}" if query else "")


@login_required
@require_POST
def appeal_bulk(request):
    action = request.POST.get("bulk_action", "")
    params = {k: (request.POST.get(k) or "").strip() for k in ("unit", "person", "measures", "due", "opinion",
                                                                 "days", "note")}
    if action == "assign" and not params["person"]:
        params["person"] = (request.POST.get("person_name") or "").strip()
    try:
        result = bulk_actions.run(request.user, action, request.POST.getlist("ids"), params)
    except ValidationError as exc:
        error = "；".join(str(m) for m in exc.messages)
        return render(request, "web/appeals/bulk_result.html", {"error": error, "back": _back(request)},
                      status=422)
    return render(request, "web/appeals/bulk_result.html", {"result": result, "back": _back(request)})
