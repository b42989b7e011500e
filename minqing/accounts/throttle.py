"""Log-in throttling beyond django-axes' user-and-address pairs (等保 身份鉴别: 登录失败处理).

django-axes locks one user name from one address after AXES_FAILURE_LIMIT failures. That misses
password spraying (one guess against many user names from one address) and a distributed guess
(one user name from many addresses). This handler adds two sums over axes' own attempt records,
within the same cool-off window: failures from one address across user names, and failures of one
user name across addresses."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _failures(**lookup) -> int:
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **lookup).aggregate(
        n=Sum("failures_since_start"))["n"]
    return total or 0


class Handler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        ip = getattr(request, "axes_ip_address", None)
        if ip and _failures(ip_address=ip) >= settings.MINQING_LOGIN_ADDRESS_LIMIT:
            return True
        username = get_client_username(request, credentials)
        return bool(username) and _failures(username=username) >= settings.MINQING_LOGIN_USER_LIMIT

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        """axes flags the request as locked out from its own pair count; the two sums flag it too."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and self.is_locked(
                request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
