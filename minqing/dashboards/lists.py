"""The cases behind a dashboard figure: the same definitions as minqing.appeals.metrics, written as
one filter per figure so a number counted on closure dates or deadlines (办结率, 按期办结率, 解决率,
积案 …) opens exactly the cases it counts. tests/dashboards checks each list's length against its
metric function, so the two cannot drift apart unnoticed.

Lists show records, so they start from ``jurisdiction.visible`` (not from the figure scope): a
department that sees its county's numbers sees here only the cases its posts may read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import pgettext_lazy

from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent, ReturnVisit, Triage
from minqing.lib import regioncode
from minqing.lib.periods import Period
from minqing.regions import jurisdiction


@dataclass(frozen=True)
class Window:
    low: Any
    high: Any

    @property
    def received(self) -> Q:
        return Q(received_at__gte=self.low, received_at__lt=self.high)

    @property
    def due(self) -> Q:  # 应结案
        due_in = Q(due_at__gte=self.low, due_at__lt=self.high)
        early = Q(due_at__gte=self.high, closed_at__gte=self.low, closed_at__lt=self.high,
                  group__in=metrics.CLOSED_GROUPS)
        return due_in | early

    @property
    def closed_by_end(self) -> Q:
        return Q(group__in=metrics.CLOSED_GROUPS, closed_at__lt=self.high)

    @property
    def closed_in(self) -> Q:
        return Q(group__in=metrics.CLOSED_GROUPS, closed_at__gte=self.low, closed_at__lt=self.high)


def _escalated() -> Exists:
    return Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), action="escalate"))


def _answered(w: Window) -> Q:
    """Cases with an answered return visit in the period, or an on-the-spot answer and no visit row."""
    visits = ReturnVisit.objects.filter(appeal=OuterRef("pk"), at__gte=w.low, at__lt=w.high,
                                        satisfaction__in=metrics.ANSWERED)
    spot = (Q(status=wf.Status.SOLVED_ON_SPOT.value, closed_at__gte=w.low, closed_at__lt=w.high,
              satisfaction__in=metrics.ANSWERED)
            & ~Exists(ReturnVisit.objects.filter(appeal=OuterRef("pk"))))
    return Exists(visits) | spot


def _backlog(w: Window) -> Q:
    limit = w.high - dt.timedelta(days=metrics.PETITION_LIMIT_DAYS)
    open_then = Q(received_at__lt=w.high) & (Q(closed_at__isnull=True) | Q(closed_at__gte=w.high))
    overdue = Q(due_at__lt=w.high) | Q(due_at__isnull=True, received_at__lt=limit)
    return open_then & overdue & Q(kind=wf.Kind.PETITION.value)


RESPONDED = Q(responded_at__isnull=False) & (
    Q(response_due_at__isnull=True) | Q(responded_at__lte=F("response_due_at")))
UPPER = Q(max_level__in=metrics.UPPER_LEVELS)

# figure → (label, filter builder). The labels name what the list holds.
FIGURES: dict[str, tuple[Any, Callable[[Window], Q]]] = {
    "received": (pgettext_lazy("dashboards", "Appeals received"), lambda w: w.received),
    "responded": (pgettext_lazy("dashboards", "Responded to in time"), lambda w: w.received & RESPONDED),
    "due": (pgettext_lazy("dashboards", "Due for closure"), lambda w: w.due),
    "closed": (pgettext_lazy("dashboards", "Due for closure and closed"), lambda w: w.due & w.closed_by_end),
    "on_time": (pgettext_lazy("dashboards", "Closed by their deadline"),
                lambda w: w.due & w.closed_by_end & Q(closed_at__lte=F("due_at"))),
    "closed_in_period": (pgettext_lazy("dashboards", "Closed in the period"), lambda w: w.closed_in),
    "solved": (pgettext_lazy("dashboards", "Closed and solved in the period"),
               lambda w: w.closed_in & Q(group=wf.Group.SOLVED.value)),
    "explained": (pgettext_lazy("dashboards", "Policy explanations"),
                  lambda w: w.closed_in & Q(status=wf.Status.EXPLAINED.value)),
    "answered": (pgettext_lazy("dashboards", "Cases with an answered return visit"), _answered),
    "on_spot": (pgettext_lazy("dashboards", "Solved on the spot"), lambda w: w.received & Q(triage=Triage.ON_SPOT)),
    "assigned": (pgettext_lazy("dashboards", "With a deadline"), lambda w: w.received & Q(triage=Triage.ASSIGN)),
    "assigned_done": (pgettext_lazy("dashboards", "With a deadline, done"),
                      lambda w: w.received & Q(triage=Triage.ASSIGN) & w.closed_by_end),
    "to_township": (pgettext_lazy("dashboards", "Sent to the township"),
                    lambda w: w.received & Q(_escalated=True) & UPPER),
    "to_county": (pgettext_lazy("dashboards", "Sent to the county"),
                  lambda w: w.received & Q(_escalated=True, max_level=wf.Level.COUNTY.value)),
    "backlog": (pgettext_lazy("dashboards", "Petition backlog at the period's end"), _backlog),
}


def cases(figure: str, region_code: str, period: Period, user: Any) -> QuerySet:
    """The visible cases counted by ``figure`` for the region subtree and period."""
    if figure not in FIGURES:
        raise KeyError(figure)
    w = Window(*metrics.bounds(period.start, period.end))
    qs = (jurisdiction.visible(user, Appeal).filter(jurisdiction.region_q([regioncode.normalize(region_code)]))
          .exclude(group=metrics.MERGED))
    if figure in ("to_township", "to_county"):
        qs = qs.alias(_escalated=_escalated())
    return (qs.filter(FIGURES[figure][1](w)).select_related("region", "category", "unit")
            .order_by("-received_at", "-id"))
