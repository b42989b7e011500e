"""The set-up pages are for a county's system administrator only (see accounts/admins.py). The
decorator itself is in accounts/access.py (the core), kept importable from here for sysadmin's views."""

from __future__ import annotations

from minqing.accounts.access import sysadmin_required

__all__ = ["client_ip", "sysadmin_required"]


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
