"""Who sees a county's checklist definitions: everyone working in the county (they are forms,
not personal data) — the staff of a village see the county's checklists as well as their own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from minqing.lib import regioncode
from minqing.regions.jurisdiction import Scope, region_q


def _ancestors(codes: tuple[str, ...]) -> list[str]:
    return sorted({a for code in codes for a in regioncode.ancestors(code)})


@dataclass
class CountyFormPolicy:
    """Rows of a region and its subtree, visible to anyone whose figures cover the row's region
    or lie inside it."""

    region_field: str = "region"

    def q(self, scope: Scope) -> Q:
        codes = scope.figure_codes
        return region_q(codes, self.region_field) | Q(**{f"{self.region_field}__in": _ancestors(codes)})

    def filter(self, qs: QuerySet, scope: Scope) -> QuerySet:
        if scope.is_superuser:
            return qs
        if scope.is_anonymous:
            return qs.none()
        return qs.filter(self.q(scope))
