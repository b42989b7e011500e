"""The cadres page's link in the main navigation, only for those it opens to (a leader of someone)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from minqing.cadres import oversight
from minqing.regions import jurisdiction

register = template.Library()


@register.simple_tag(takes_context=True)
def cadres_nav(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or not getattr(user, "is_authenticated", False):
        return ""
    if not oversight.reads_any(jurisdiction.scope_of(user)):
        return ""  # the page would answer 404
    url = reverse("cadres:home")
    current = mark_safe(' aria-current="page"') if request.path.startswith(url) else ""  # noqa: S308 - constant
    return format_html('<a href="{}"{}>{}</a>', url, current, _("Cadres"))
