"""Who reads the audit trail, decided by role (等保 三权分立): accounts defines the roles and sits
above audit and regions, so it gives this decision to the trail page in its AppConfig.ready()
(`audit.trail.register_readers`) instead of audit importing accounts and regions
(docs/decisions/0044-core-layering.md).

- an audit administrator (Role.AUDITOR): every event of the counties their post covers, and the
  system-wide stream;
- the discipline commission (Role.DISCIPLINE): the events whose place lies inside their post's region;
- nobody else, not a superuser either (an operator account administers, it does not audit itself).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from minqing.audit.log import GLOBAL_STREAM
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .roles import Role


def trail_q(user: Any) -> Q | None:
    """The events this user may read, or None when the audit trail is not theirs to read."""
    scope = jurisdiction.scope_of(user)
    if scope.is_anonymous:
        return None
    q: Q | None = None
    for post in scope.posts:
        level = regioncode.level_of(post.region_code)
        if post.role == Role.AUDITOR and level == regioncode.COUNTY:
            part = Q(stream__in=[regioncode.county_of(post.region_code), GLOBAL_STREAM])
        elif post.role == Role.AUDITOR and level < regioncode.COUNTY:
            part = Q(stream__in=[GLOBAL_STREAM]) | jurisdiction.region_q([post.region_code], "region_code")
        elif post.role in (Role.AUDITOR, Role.DISCIPLINE):
            part = jurisdiction.region_q([post.region_code], "region_code")
        else:
            continue
        q = part if q is None else q | part
    return q
