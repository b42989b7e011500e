"""Small template helpers of the work pages: navigation links to pages that may not exist yet,
deadlines in words, status badges."""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

GROUP_CLASS = {"open": "b-open", "paused": "b-paused", "solved": "b-solved", "closed_unsolved": "b-closed",
               "merged": "b-merged"}


@register.simple_tag(takes_context=True)
def nav(context, name: str, label: str) -> str:
    """A navigation link, or nothing when that part has no such page (yet)."""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url if url == "/" else path.startswith(url)
    return format_html('<a href="{}"{}>{}</a>', url, ' aria-current="page"' if current else "", label)


@register.filter
def deadline(due: dt.datetime | None, group: str = "open") -> str:
    """剩3天 / 今天到期 / 逾期2天 (open cases only)."""
    if due is None or group not in ("open", ""):
        return ""
    days = (timezone.localdate(due) - timezone.localdate()).days
    if due < timezone.now():
        return _("%(n)s days overdue") % {"n": -days} if days < 0 else _("overdue today")
    return _("due today") if days == 0 else _("%(n)s days left") % {"n": days}


@register.filter
def group_class(group: str) -> str:
    return GROUP_CLASS.get(group, "")


@register.filter
def get(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def is_image(content_type: str) -> bool:
    return str(content_type).startswith("image/")


@register.filter
def filesize(size: int) -> str:
    size = int(size or 0)
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


@register.simple_tag
def estimated_mark(appeal) -> str:
    """（预计） after a deadline counted across a year whose holidays are not announced yet."""
    if not getattr(appeal, "due_estimated", False):
        return ""
    return format_html('<span class="estimated" title="{}">{}</span>',
                       _("Estimated: the holiday schedule of that year is not announced yet, so Monday to Friday "
                         "were counted as working days. It is recomputed once the schedule is entered."),
                       _("(estimated)"))
