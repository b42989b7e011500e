"""The portal's own figures: ratings residents gave after the case was closed (or after a staff
return visit), which the appeal metrics do not hold. Ratings given while the case awaited its
return visit were recorded as that return visit and are already in appeals.metrics
(satisfaction_counts); `rating_counts(..., counted=False)` adds only the others, so a dashboard
may sum both without counting a rating twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from minqing.appeals import workflow as wf
from minqing.appeals.metrics import bounds
from minqing.regions import jurisdiction

from .models import Letter, Rating


def rating_counts(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                  counted: bool | None = False) -> dict[str, int]:
    """Portal ratings in the period by answer (counted=None: all of them)."""
    low, high = bounds(start, end)
    qs = Rating.objects.filter(deleted_at__isnull=True, at__gte=low, at__lt=high,
                               ).filter(jurisdiction.region_q([region_code], "region"))
    if counted is not None:
        qs = qs.filter(counted=counted)
    if user is not None:
        qs = qs.filter(jurisdiction.figure_q(user, "region"))
    got = qs.aggregate(
        satisfied=Count("pk", filter=Q(satisfaction__in=[s.value for s in wf.SATISFIED_LEVELS])),
        basic=Count("pk", filter=Q(satisfaction=wf.Satisfaction.BASICALLY_SATISFIED.value)),
        unsatisfied=Count("pk", filter=Q(satisfaction__in=[s.value for s in wf.BAD_LEVELS])),
    )
    return {k: v or 0 for k, v in got.items()}


def letters_received(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> int:
    low, high = bounds(start, end)
    qs = Letter.objects.filter(deleted_at__isnull=True, submitted_at__gte=low, submitted_at__lt=high).filter(
        jurisdiction.region_q([region_code], "region"))
    if user is not None:
        qs = qs.filter(jurisdiction.figure_q(user, "region"))
    return qs.count()
