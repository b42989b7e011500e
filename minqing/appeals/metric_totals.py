"""The per-region metric functions: each metric of minqing.appeals.metric_rows aggregated over one
subtree and period, and a place's whole summary (see minqing.appeals.metrics for the definitions)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    Value,
)
from django.db.models.functions import Coalesce

from minqing.lib import regioncode
from minqing.lib.periods import bounds

from . import metric_read
from . import workflow as wf
from .metric_rows import (
    _backlog_rows,
    _closed_counts,
    _closed_rows,
    _due_counts,
    _due_rows,
    _pick,
    _rate,
    _received_counts,
    _received_rows,
    _satisfaction_counts,
    _spot_rows,
    _visit_rows,
    _year_before,
    appeals,
)
from .metric_values import (
    Backlog,
    CountySummary,
    Funnel,
    Rate,
)

# ---------------------------------------------------------------------------------------------
# The metric functions


def received(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Cases received in the period with the counts that share that base: 响应率, 立行立改,
    限期整改 (and done), the escalation funnel (cases and distinct households)."""
    if metric_read.serves(start, end):
        return metric_read.whole(metric_read.received(region_code, metric_read.Months(start, end), user),
                                 metric_read.RECEIVED_ZERO)
    low, high = bounds(start, end)
    return _received_rows(region_code, low, high, user).aggregate(**_pick(_received_counts(high), None))


def response_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """响应率."""
    return _rate(received(region_code, start, end, user=user), "responded", "received")


def due_for_closure(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """应结案 and, of those, closed by the period's end and closed by their deadline."""
    if metric_read.serves(start, end):
        return metric_read.whole(metric_read.due(region_code, metric_read.Months(start, end), user),
                                 metric_read.DUE_ZERO)
    low, high = bounds(start, end)
    return _due_rows(region_code, low, high, user).aggregate(**_due_counts(high))


def closure_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "closed", "due")


def on_time_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """按期办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "on_time", "due")


def closed_in_period(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    if metric_read.serves(start, end):
        row = metric_read.whole(metric_read.closed(region_code, metric_read.Months(start, end), user),
                                metric_read.CLOSED_ZERO)
        return {k: row[k] for k in _closed_counts()}
    low, high = bounds(start, end)
    return _closed_rows(region_code, low, high, user).aggregate(**_closed_counts())


def resolution_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """解决率 (政策解答 in the denominator only)."""
    return _rate(closed_in_period(region_code, start, end, user=user), "solved", "closed")


def satisfaction_counts(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Answered return visits in the period by answer, plus on-the-spot answers with no visit row."""
    if metric_read.serves(start, end):
        row = metric_read.whole(metric_read.closed(region_code, metric_read.Months(start, end), user),
                                metric_read.CLOSED_ZERO)
        return {k: row[k] for k in _satisfaction_counts()}
    low, high = bounds(start, end)
    counts = _visit_rows(region_code, low, high, user).aggregate(**_satisfaction_counts())
    spot = _spot_rows(region_code, low, high, user).aggregate(**_satisfaction_counts())
    return {k: (counts[k] or 0) + (spot[k] or 0) for k in counts}


def _satisfaction(c: dict[str, int], basic_weight: float) -> Rate:
    num = c["satisfied"] + basic_weight * c["basic"]
    return Rate(int(num) if float(num).is_integer() else num, c["satisfied"] + c["basic"] + c["unsatisfied"])


def satisfaction_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                      basic_weight: float = 1.0) -> Rate:
    """满意率: (满意 + basic_weight × 基本满意) ÷ answered visits."""
    return _satisfaction(satisfaction_counts(region_code, start, end, user=user), basic_weight)


def backlog_at(region_code: str, moment: dt.datetime, *, user: Any = None,
               kinds: tuple[str, ...] = (wf.Kind.PETITION.value,)) -> int:
    """积案: cases of these kinds open at ``moment`` and past their limit."""
    if metric_read.enabled() and (month := metric_read.month_start(moment)) is not None:
        return metric_read.whole(metric_read.backlog_at(region_code, month, user, kinds=kinds), 0)
    return _backlog_rows(region_code, moment, user, kinds).count()


def backlog(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Backlog:
    """积案存量 at the period's end and one year earlier (29 Feb → 28 Feb)."""
    _low, high = bounds(start, end)
    year_end = _year_before(end)
    _l, year_high = bounds(year_end, year_end)
    return Backlog(backlog_at(region_code, high, user=user), backlog_at(region_code, year_high, user=user))


def escalation_funnel(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Funnel:
    r = received(region_code, start, end, user=user)
    return _funnel(r)


def _funnel(r: dict) -> Funnel:
    return Funnel(r["received"], r["to_township"], r["to_county"], r["found_households"],
                  r["to_township_households"], r["to_county_households"])


def on_spot_done(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> int:
    """立行立改 cases received in the period and closed solved by its end (the briefing's figure)."""
    if metric_read.serves(start, end):
        return metric_read.on_spot_done(region_code, start, end, user)
    low, high = bounds(start, end)
    return (appeals(region_code, user=user).filter(received_at__gte=low, received_at__lt=high, triage="solve_on_spot",
                                                   group=wf.Group.SOLVED.value, closed_at__lt=high).count())


def by_category(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Received cases per category name ("未分类" for none), largest first."""
    if metric_read.serves(start, end):
        return metric_read.by_category(region_code, metric_read.Months(start, end), user)
    low, high = bounds(start, end)
    rows = (appeals(region_code, user=user).filter(received_at__gte=low, received_at__lt=high)
            .values(name=Coalesce("category__name", Value("未分类"))).annotate(n=Count("pk")).order_by("-n", "name"))
    return {r["name"]: r["n"] for r in rows}


def by_group(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Received cases per status group, as they stand now (merged excluded)."""
    if metric_read.serves(start, end):
        return metric_read.by_group(region_code, metric_read.Months(start, end), user)
    low, high = bounds(start, end)
    rows = (appeals(region_code, user=user).filter(received_at__gte=low, received_at__lt=high)
            .values("group").annotate(n=Count("pk")))
    out = {g.value: 0 for g in wf.Group if g is not wf.Group.MERGED}
    out.update({r["group"]: r["n"] for r in rows})
    return out


def county_summary(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                   basic_weight: float = 1.0) -> CountySummary:
    """Every metric above for one subtree and period, with numerators and denominators."""
    code = regioncode.normalize(region_code)
    return _summary(code, start, end, user, basic_weight, received(code, start, end, user=user),
                    due_for_closure(code, start, end, user=user), closed_in_period(code, start, end, user=user),
                    satisfaction_counts(code, start, end, user=user), backlog(code, start, end, user=user))


def _summary(code: str, start: dt.date, end: dt.date, user: Any, basic_weight: float, r: dict[str, int],
             d: dict[str, int], c: dict[str, int], s: dict[str, int], b: Backlog) -> CountySummary:
    return CountySummary(
        region=code, start=start, end=end, received=r["received"],
        response=_rate(r, "responded", "received"),
        closure=_rate(d, "closed", "due"),
        on_time=_rate(d, "on_time", "due"),
        resolution=_rate(c, "solved", "closed"),
        explained=c["explained"], closed_unsolved=c["closed_unsolved"],
        satisfaction=_satisfaction(s, basic_weight),
        satisfaction_counts=s,
        on_spot=r["on_spot"], assigned=r["assigned"], assigned_done=r["assigned_done"],
        backlog=b,
        funnel=_funnel(r),
        by_category=by_category(code, start, end, user=user),
        by_group=by_group(code, start, end, user=user),
        basic_weight=basic_weight,
    )
