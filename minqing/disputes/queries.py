"""Reads of disputes, all starting from the jurisdiction filter (a family dispute: its mediators
and the leaders of its place only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from minqing.appeals import workflow as wf
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction

from .models import Dispute, Outcome, RiskLevel
from .services import region_of

OPEN_GROUPS = (wf.Group.OPEN.value, wf.Group.PAUSED.value)
PHASES = ("screening", "mediating", "performing", "solved", "referred", "closed")


def _phase_q(phase: str) -> Q:
    not_referred = ~Q(outcome=Outcome.REFERRED)
    return {
        "screening": Q(appeal__status__in=[wf.Status.REGISTERED.value, wf.Status.ESCALATED.value]) & not_referred,
        "mediating": Q(appeal__group__in=OPEN_GROUPS, outcome=Outcome.NONE)
        & ~Q(appeal__status__in=[wf.Status.REGISTERED.value, wf.Status.ESCALATED.value]),
        "performing": Q(appeal__group__in=OPEN_GROUPS, outcome=Outcome.AGREED),
        "solved": Q(appeal__group=wf.Group.SOLVED.value),
        "referred": Q(outcome=Outcome.REFERRED),
        "closed": Q(appeal__group__in=[wf.Group.CLOSED_UNSOLVED.value, wf.Group.MERGED.value]) & not_referred,
    }[phase]


def disputes_for(user, *, region: str | None = None, kind: str | None = None, risk: str | None = None,
                 phase: str | None = None, q: str | None = None) -> QuerySet[Dispute]:
    qs = jurisdiction.visible(user, Dispute).filter(appeal__deleted_at__isnull=True)
    if region:
        qs = qs.filter(jurisdiction.region_q([region_of(region)], "appeal__region"))
    if kind:
        qs = qs.filter(kind__code__in=kind.split(","))
    if risk:
        qs = qs.filter(risk_level__in=risk.split(","))
    if phase in PHASES:
        qs = qs.filter(_phase_q(phase))
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(Q(appeal__number=text) | Q(appeal__title__contains=text) | Q(parties__name=text)).distinct()
    return qs.select_related("appeal", "appeal__region", "kind", "owner").order_by("-found_at", "-id")


def dispute_detail(user, pk) -> Dispute:
    qs = Dispute.objects.select_related("appeal", "appeal__region", "appeal__unit", "kind", "owner")
    return jurisdiction.get_visible_or_404(user, qs, pk=pk)


@dataclass
class RiskRow:
    dispute: Dispute
    overdue_days: int  # > 0: the review is late by that many days

    @property
    def review_overdue(self) -> bool:
        return self.overdue_days > 0


def risk_list(user, *, region: str | None = None, today: dt.date | None = None,
              overdue_only: bool = False) -> list[RiskRow]:
    """排查风险清单: the open disputes of a village or township, highest risk first, with the
    reviews that are late marked (reviews are due on next_review_on)."""
    today = today or timezone.now().astimezone(TZ).date()
    qs = (disputes_for(user, region=region).filter(appeal__group__in=OPEN_GROUPS)
          .exclude(outcome=Outcome.REFERRED)
          .annotate(risk_rank=Case(When(risk_level=RiskLevel.HIGH, then=Value(0)),
                                   When(risk_level=RiskLevel.MEDIUM, then=Value(1)), default=Value(2),
                                   output_field=IntegerField()))
          .order_by("risk_rank", "next_review_on", "-found_at", "id"))
    if overdue_only:
        qs = qs.filter(next_review_on__lt=today)
    return [RiskRow(d, (today - d.next_review_on).days if d.next_review_on else 0) for d in qs]
