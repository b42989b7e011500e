"""The inbox in the main menu (with the count of what is new) and on the home page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.simple_tag(takes_context=True)
def notices_nav(context) -> str:
    from minqing.notices import services

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    url = reverse("notices:inbox")
    n = services.unread_count(request.user)
    current = mark_safe(' aria-current="page"') if request.path.startswith(url) else ""  # noqa: S308 - constant
    if n:
        return format_html('<a href="{}"{} id="nav-notices">{} <span class="badge">{}</span></a>', url, current,
                           _("Notices"), n)
    return format_html('<a href="{}"{} id="nav-notices">{}</a>', url, current, _("Notices"))


@register.inclusion_tag("notices/_panel.html", takes_context=True)
def notices_panel(context) -> dict[str, Any]:
    from minqing.notices import services, triggers

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"rows": [], "unread": 0}
    rows = list(services.inbox(user).filter(read_at__isnull=True).order_by("-created_at", "-id")[:8])
    return {"rows": rows, "unread": services.unread_count(user), "labels": triggers.KIND_LABELS}
