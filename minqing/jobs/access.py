"""Who sees a job: its owner only. A job's file holds what its owner was allowed to see when it
ran (a ledger with reporters' names, a briefing of their jurisdiction), so nobody else — not a
colleague of the same place, not a leader above — may open it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from minqing.regions.jurisdiction import Scope


@dataclass
class OwnerPolicy:
    owner_field: str = "owner"

    def filter(self, qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.is_anonymous:
            return qs.none()
        return qs.filter(**{f"{self.owner_field}_id": scope.user_id})
