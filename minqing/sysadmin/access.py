"""The set-up pages are for a county's system administrator only (see accounts/admins.py)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from minqing.accounts.admins import county_of
from minqing.regions.models import Region


def sysadmin_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        code = county_of(request.user)
        if code is None:
            if kwargs:  # a page that names one object: out of reach, so absent (404), as elsewhere
                raise Http404
            raise PermissionDenied("只有县系统管理员可以打开系统设置")
        request.county = Region.objects.get(code=code)
        return view(request, *args, **kwargs)

    return wrapped


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
