"""The set-up pages are for a county's system administrator only (see admins.py). The decorator lives in
the core so that any part's set-up page (sysadmin's, notices' channels) can use it without importing the
sysadmin part, which knows most parts (disputes, checklists, …) and would close an import circle."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from minqing.regions.models import Region

from .admins import county_of


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
