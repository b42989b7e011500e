from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from minqing.accounts.admins import county_of

register = template.Library()


@register.simple_tag(takes_context=True)
def sysadmin_link(context) -> str:
    """The 系统设置 menu entry, for a county's system administrator only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or county_of(user) is None:
        return ""
    url = reverse("sysadmin:home")
    current = request.path.startswith(url)
    return format_html('<a href="{}"{}>{}</a>', url, ' aria-current="page"' if current else "", _("System settings"))
