"""The places and roles of a user, as accounts gives them to the one jurisdiction filter.

Accounts defines posts and roles and sits above regions, so it registers this source in its
AppConfig.ready() (`regions.jurisdiction.register_posts`) instead of jurisdiction importing accounts
(docs/decisions/0044-core-layering.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from minqing.regions.jurisdiction import PostScope, RoleMeaning

from .roles import ADMIN_ROLES, LEADER_ROLES, PLACE_ROLES, REGISTER_FUNCTIONS, Role, UnitKind


def posts_of(user: Any) -> list[PostScope]:
    """The posts the user holds today: begun and not ended."""
    from .models import Post

    today = timezone.localdate()
    rows = (
        Post.objects.filter(user_id=user.pk)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))  # a post not begun gives nothing yet
        .values_list("role", "region_id", "unit_id", "unit__kind", "unit__function")
    )
    return [PostScope(r, c, u, k, f or "") for r, c, u, k, f in rows]


def keeps_register(post: PostScope) -> bool:
    """The county 民政局 (a department whose function keeps the households' register): it sees the
    households and residents of its county and may reveal them (docs/domain.md privacy table), yet
    works appeals, visits and disputes by assignment like any department. 人社局 does not."""
    return (post.unit_kind == UnitKind.DEPARTMENT and post.unit_function in REGISTER_FUNCTIONS
            and post.role not in ADMIN_ROLES)


MEANING = RoleMeaning(place=PLACE_ROLES, leader=LEADER_ROLES, admin=ADMIN_ROLES, discipline=Role.DISCIPLINE,
                      keeps_register=keeps_register)
