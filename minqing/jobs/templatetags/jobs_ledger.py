"""{% ledger_forms %}: export and import of the 整改台账 as background jobs, on the jobs page and on the
appeals workbench, where people look for them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from minqing.regions import jurisdiction

register = template.Library()


@register.inclusion_tag("jobs/_ledger_forms.html", takes_context=True)
def ledger_forms(context: Any) -> dict[str, Any]:
    request = context["request"]
    today = timezone.localdate()
    return {"request": request, "csrf_token": context.get("csrf_token"),
            "home_code": jurisdiction.scope_of(request.user).home_code() or "",
            "default_from": today.replace(day=1).isoformat(), "default_to": today.isoformat()}
