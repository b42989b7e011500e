"""Who sees enterprise records: enterprises are not personal data, so anyone whose figures cover
the place sees them (a department head sees the county's); a paired leader or the visitor sees
their own rows even outside that."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from minqing.regions.jurisdiction import Scope, region_q


@dataclass
class FigurePolicy:
    region_field: str = "region"
    own_fields: tuple[str, ...] = ()

    def q(self, scope: Scope) -> Q:
        base = region_q(scope.figure_codes, self.region_field)
        for name in self.own_fields:
            base |= Q(**{name: scope.user_id})
        return base

    def filter(self, qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.is_superuser:
            return qs
        if scope.is_anonymous:
            return qs.none()
        return qs.filter(self.q(scope)).distinct() if any("__" in f for f in self.own_fields) else \
            qs.filter(self.q(scope))
