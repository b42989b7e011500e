"""Jurisdiction policy for field records: the place's staff see them, and so does the person who
made or led one (a department head's on-site office day is theirs even outside any place post)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from minqing.regions.jurisdiction import PlacePolicy, Scope


@dataclass
class OwnRecordPolicy(PlacePolicy):
    own_fields: tuple[str, ...] = ()

    def q(self, scope: Scope) -> Q:
        base = super().q(scope)
        for name in self.own_fields:
            base |= Q(**{f"{name}_id": scope.user_id})
        return base
