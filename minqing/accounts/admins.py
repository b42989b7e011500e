"""Who administers which county: a current post of role 系统管理员 (sysadmin) on the county's
leadership unit, covering the county's region code. Set-up pages and services ask here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .roles import Role, UnitKind


def county_of(user) -> str | None:
    """The county code this user administers, or None (not a system administrator)."""
    for post in jurisdiction.scope_of(user).posts:
        if (post.role == Role.SYSADMIN and post.unit_kind == UnitKind.LEADERSHIP
                and regioncode.level_of(post.region_code) == regioncode.COUNTY):
            return post.region_code
    return None


def county_code_of(code: str) -> str:
    """The 12-digit code of the county a region lies in."""
    return regioncode.normalize(regioncode.county_of(code))


def check_county(actor, county_code: str | None) -> None:
    """`actor` None is the operator's command line; anyone else must administer that county."""
    if actor is None:
        return
    mine = county_of(actor)
    if mine is None or not county_code or county_code_of(county_code) != mine:
        raise PermissionDenied("只有本县的系统管理员可以进行此项设置")
