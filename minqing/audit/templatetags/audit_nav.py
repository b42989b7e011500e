"""The audit trail's link in the main navigation, for those who read it."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from minqing.audit.trail import may_read

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_nav(context) -> str:
    request = context.get("request")
    if request is None or not may_read(request.user):
        return ""
    url = reverse("audit:trail")
    current = mark_safe(' aria-current="page"') if request.path.startswith(url) else ""  # noqa: S308 - constant
    return format_html('<a href="{}"{}>{}</a>', url, current, _("Audit trail"))
