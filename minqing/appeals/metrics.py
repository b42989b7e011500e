"""The metrics of DOMAIN.md, computed in SQL for any region subtree and period.

Every function takes ``(region_code, start, end, *, user=None)``: ``start``/``end`` are dates,
both inclusive, read in the county's time zone (settings.TIME_ZONE). Rows are restricted to the
region subtree (jurisdiction.region_q) and, when ``user`` is given, to what the user may see as
figures (jurisdiction.figure_q: departments see their region's numbers without the records).
Merged cases (group ``merged``) never count; soft-deleted cases never count.

Definitions (DOMAIN.md "Metrics"; the county may re-weight, these are the defaults):
- received: cases whose ``received_at`` falls in the period.
- 响应率: received cases with ``responded_at`` set and not after ``response_due_at`` (a case with
  no response limit counts when it was responded to at all) ÷ received.
- 应结案 (due for closure): cases with a deadline (``due_at``) that falls in the period, plus
  cases with a deadline closed in the period ahead of it. 办结率 = those closed by the period's
  end ÷ due; 按期办结率 = those closed by their deadline ÷ due. Cases with no deadline (solved on
  the spot, explained) are not "due": they show in 立行立改 and 解决率.
- 解决率: cases closed in the period in group ``solved`` ÷ cases closed in the period (any closed
  group). 政策解答 (status ``explained``) is in the denominator, never in the numerator, and is
  reported apart.
- 满意率: (满意 + w·基本满意) ÷ answered return visits in the period (``ReturnVisit`` rows with a
  satisfaction), plus the resident's word given on the spot for cases solved on the spot that
  have no return-visit row (so a services layer that writes either form is counted once).
- 立行立改 / 限期整改: received cases whose triage is solve_on_spot / assign; "done" = the
  latter closed by the period's end.
- 积案存量: open petitions at the period's end older than their limit: deadline passed, or, not
  yet given a deadline, received more than 15 + 60 days before (信访工作条例). Compared with the
  same day one year earlier.
- funnel: received cases (found) → escalated and reached the township → escalated and reached
  the county (an ``escalate`` AppealEvent exists, and ``max_level``), as cases and as distinct
  households (cases with no household count as cases only).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import workflow as wf
from .models import Appeal, AppealEvent, ReturnVisit, Triage

PETITION_LIMIT_DAYS = 15 + 60  # accept within 15 days, handle within 60 (信访工作条例)
SOLVED = wf.Group.SOLVED.value
CLOSED_GROUPS = (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
OPEN_GROUPS = (wf.Group.OPEN.value, wf.Group.PAUSED.value)
MERGED = wf.Group.MERGED.value
SAT = wf.Satisfaction.SATISFIED.value
BASIC = wf.Satisfaction.BASICALLY_SATISFIED.value
UNSAT = wf.Satisfaction.UNSATISFIED.value
UPPER_LEVELS = (wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value)


# ---------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class Rate:
    """A rate with its numerator and denominator: leaders want "737/972 = 75.82%"."""

    numerator: float | int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator

    @property
    def percent(self) -> str | None:
        v = self.value
        if v is None:
            return None
        return f"{Decimal(str(v * 100)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"

    def __str__(self) -> str:
        num = int(self.numerator) if float(self.numerator).is_integer() else round(self.numerator, 2)
        return f"{num}/{self.denominator} = {self.percent or '—'}"

    def as_dict(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "rate": self.value,
                "percent": self.percent, "text": str(self)}


@dataclass(frozen=True)
class Funnel:
    found: int
    to_township: int
    to_county: int
    found_households: int
    to_township_households: int
    to_county_households: int


@dataclass(frozen=True)
class Backlog:
    at_end: int
    year_before: int

    @property
    def change(self) -> int:
        return self.at_end - self.year_before

    @property
    def change_rate(self) -> float | None:
        return None if not self.year_before else self.change / self.year_before


@dataclass(frozen=True)
class CountySummary:
    region: str
    start: dt.date
    end: dt.date
    received: int
    response: Rate
    closure: Rate  # 办结率
    on_time: Rate  # 按期办结率
    resolution: Rate  # 解决率
    explained: int  # 政策解答, counted apart
    closed_unsolved: int  # closed, not solved, not explained
    satisfaction: Rate
    satisfaction_counts: dict[str, int]
    on_spot: int  # 立行立改
    assigned: int  # 限期整改
    assigned_done: int
    backlog: Backlog
    funnel: Funnel
    by_category: dict[str, int]
    by_group: dict[str, int]
    basic_weight: float = 1.0
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for name in ("response", "closure", "on_time", "resolution", "satisfaction"):
            out[name] = getattr(self, name).as_dict()
        out["backlog"] = {**asdict(self.backlog), "change": self.backlog.change,
                          "change_rate": self.backlog.change_rate}
        out["start"], out["end"] = self.start.isoformat(), self.end.isoformat()
        return out


# ---------------------------------------------------------------------------------------------
# Bounds and base querysets


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the county's zone: the period as a half-open time range."""
    if end < start:
        raise ValueError("统计期间的结束日期不能早于开始日期")
    tz = ZoneInfo(settings.TIME_ZONE)
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return low, high


def _wide(code: str) -> bool:
    """On SQLite a county-wide code range matches every row, yet its planner (no range histograms)
    prefers the region index to the date index and reads the whole table through it (40 s instead
    of 0.2 s at 1M cases). For such ranges the region test is written so no index can serve it."""
    return connection.vendor == "sqlite" and regioncode.level_of(code) <= regioncode.COUNTY


def _scoped(qs: QuerySet, region_code: str, user: Any, field_name: str) -> QuerySet:
    code = regioncode.normalize(region_code)
    if _wide(code):
        low, high = regioncode.subtree_range(code)
        qs = qs.alias(_place=Func(F(field_name), template="+%(expressions)s", output_field=CharField()))
        qs = qs.filter(_place__gte=low, _place__lte=high)
    else:
        qs = qs.filter(jurisdiction.region_q([code], field_name))
    if _needs_figure_filter(code, user):
        qs = qs.filter(jurisdiction.figure_q(user, field_name))
    return qs


def _needs_figure_filter(code: str, user: Any) -> bool:
    """A subtree inside the user's figure jurisdiction needs no second range: adding it anyway made
    SQLite pick the whole-table index plan that `_wide` avoids (44 s instead of 6 s at 1M appeals)."""
    return user is not None and not jurisdiction.scope_of(user).sees_figures(code)


def scope_q(region_code: str, user: Any = None, field_name: str = "region") -> Q:
    code = regioncode.normalize(region_code)
    q = jurisdiction.region_q([code], field_name)
    if _needs_figure_filter(code, user):
        q &= jurisdiction.figure_q(user, field_name)
    return q


def appeals(region_code: str, *, user: Any = None) -> QuerySet:
    """Countable cases of the subtree: alive, not merged."""
    qs = Appeal.objects.filter(deleted_at__isnull=True).exclude(group=MERGED)
    return _scoped(qs, region_code, user, "region")


def _rate(row: dict, num: str, den: str) -> Rate:
    return Rate(row[num] or 0, row[den] or 0)


# ---------------------------------------------------------------------------------------------
# The metric functions


def received(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Cases received in the period with the counts that share that base: 响应率, 立行立改,
    限期整改 (and done), the escalation funnel (cases and distinct households)."""
    low, high = bounds(start, end)
    escalated = Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), action="escalate"))
    responded = Q(responded_at__isnull=False) & (
        Q(response_due_at__isnull=True) | Q(responded_at__lte=F("response_due_at")))
    done = Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
    qs = appeals(region_code, user=user).filter(received_at__gte=low, received_at__lt=high)
    qs = qs.alias(escalated=escalated)
    to_town = Q(escalated=True, max_level__in=UPPER_LEVELS)
    to_county = Q(escalated=True, max_level=wf.Level.COUNTY.value)
    return qs.aggregate(
        received=Count("pk"),
        responded=Count("pk", filter=responded),
        on_spot=Count("pk", filter=Q(triage=Triage.ON_SPOT)),
        assigned=Count("pk", filter=Q(triage=Triage.ASSIGN)),
        assigned_done=Count("pk", filter=Q(triage=Triage.ASSIGN) & done),
        to_township=Count("pk", filter=to_town),
        to_county=Count("pk", filter=to_county),
        found_households=Count("household", distinct=True),
        to_township_households=Count("household", distinct=True, filter=to_town),
        to_county_households=Count("household", distinct=True, filter=to_county),
    )


def response_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """响应率."""
    return _rate(received(region_code, start, end, user=user), "responded", "received")


def due_for_closure(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """应结案 and, of those, closed by the period's end and closed by their deadline."""
    low, high = bounds(start, end)
    due_in = Q(due_at__gte=low, due_at__lt=high)
    closed_early = Q(due_at__gte=high, closed_at__gte=low, closed_at__lt=high, group__in=CLOSED_GROUPS)
    closed = Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
    on_time = closed & Q(closed_at__lte=F("due_at"))
    qs = appeals(region_code, user=user).filter(due_in | closed_early)
    return qs.aggregate(due=Count("pk"), closed=Count("pk", filter=closed), on_time=Count("pk", filter=on_time))


def closure_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "closed", "due")


def on_time_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """按期办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "on_time", "due")


def closed_in_period(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    low, high = bounds(start, end)
    qs = appeals(region_code, user=user).filter(group__in=CLOSED_GROUPS, closed_at__gte=low, closed_at__lt=high)
    return qs.aggregate(
        closed=Count("pk"),
        solved=Count("pk", filter=Q(group=SOLVED)),
        explained=Count("pk", filter=Q(status=wf.Status.EXPLAINED.value)),
        closed_unsolved=Count("pk", filter=Q(status=wf.Status.CLOSED_UNSOLVED.value)),
        referred=Count("pk", filter=Q(status=wf.Status.REFERRED.value)),
    )


def resolution_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """解决率 (政策解答 in the denominator only)."""
    return _rate(closed_in_period(region_code, start, end, user=user), "solved", "closed")


def satisfaction_counts(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Answered return visits in the period by answer, plus on-the-spot answers with no visit row."""
    low, high = bounds(start, end)
    visits = _scoped(ReturnVisit.objects.filter(
        appeal__deleted_at__isnull=True, at__gte=low, at__lt=high, satisfaction__in=(SAT, BASIC, UNSAT),
    ).exclude(appeal__group=MERGED), region_code, user, "appeal__region")
    counts = visits.aggregate(
        satisfied=Count("pk", filter=Q(satisfaction=SAT)),
        basic=Count("pk", filter=Q(satisfaction=BASIC)),
        unsatisfied=Count("pk", filter=Q(satisfaction=UNSAT)),
    )
    spot = appeals(region_code, user=user).filter(
        status=wf.Status.SOLVED_ON_SPOT.value, closed_at__gte=low, closed_at__lt=high,
        satisfaction__in=(SAT, BASIC, UNSAT),
    ).exclude(Exists(ReturnVisit.objects.filter(appeal=OuterRef("pk")))).aggregate(
        satisfied=Count("pk", filter=Q(satisfaction=SAT)),
        basic=Count("pk", filter=Q(satisfaction=BASIC)),
        unsatisfied=Count("pk", filter=Q(satisfaction=UNSAT)),
    )
    return {k: (counts[k] or 0) + (spot[k] or 0) for k in counts}


def satisfaction_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                      basic_weight: float = 1.0) -> Rate:
    """满意率: (满意 + basic_weight × 基本满意) ÷ answered visits."""
    c = satisfaction_counts(region_code, start, end, user=user)
    num = c["satisfied"] + basic_weight * c["basic"]
    return Rate(int(num) if float(num).is_integer() else num, c["satisfied"] + c["basic"] + c["unsatisfied"])


def backlog_at(region_code: str, moment: dt.datetime, *, user: Any = None,
               kinds: tuple[str, ...] = (wf.Kind.PETITION.value,)) -> int:
    """积案: cases of these kinds open at ``moment`` and past their limit."""
    limit = moment - dt.timedelta(days=PETITION_LIMIT_DAYS)
    open_then = Q(received_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
    overdue = Q(due_at__lt=moment) | Q(due_at__isnull=True, received_at__lt=limit)
    return appeals(region_code, user=user).filter(open_then & overdue, kind__in=kinds).count()


def backlog(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Backlog:
    """积案存量 at the period's end and one year earlier (29 Feb → 28 Feb)."""
    _low, high = bounds(start, end)
    try:
        year_end = end.replace(year=end.year - 1)
    except ValueError:
        year_end = end.replace(year=end.year - 1, day=28)
    _l, year_high = bounds(year_end, year_end)
    return Backlog(backlog_at(region_code, high, user=user), backlog_at(region_code, year_high, user=user))


def escalation_funnel(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Funnel:
    r = received(region_code, start, end, user=user)
    return _funnel(r)


def _funnel(r: dict) -> Funnel:
    return Funnel(r["received"], r["to_township"], r["to_county"], r["found_households"],
                  r["to_township_households"], r["to_county_households"])


def by_category(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Received cases per category name ("未分类" for none), largest first."""
    low, high = bounds(start, end)
    rows = (appeals(region_code, user=user).filter(received_at__gte=low, received_at__lt=high)
            .values(name=Coalesce("category__name", Value("未分类"))).annotate(n=Count("pk")).order_by("-n", "name"))
    return {r["name"]: r["n"] for r in rows}


def by_group(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Received cases per status group, as they stand now (merged excluded)."""
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
    r = received(code, start, end, user=user)
    d = due_for_closure(code, start, end, user=user)
    c = closed_in_period(code, start, end, user=user)
    s = satisfaction_counts(code, start, end, user=user)
    sat_num = s["satisfied"] + basic_weight * s["basic"]
    return CountySummary(
        region=code, start=start, end=end, received=r["received"],
        response=_rate(r, "responded", "received"),
        closure=_rate(d, "closed", "due"),
        on_time=_rate(d, "on_time", "due"),
        resolution=_rate(c, "solved", "closed"),
        explained=c["explained"], closed_unsolved=c["closed_unsolved"],
        satisfaction=Rate(int(sat_num) if float(sat_num).is_integer() else sat_num,
                          s["satisfied"] + s["basic"] + s["unsatisfied"]),
        satisfaction_counts=s,
        on_spot=r["on_spot"], assigned=r["assigned"], assigned_done=r["assigned_done"],
        backlog=backlog(code, start, end, user=user),
        funnel=_funnel(r),
        by_category=by_category(code, start, end, user=user),
        by_group=by_group(code, start, end, user=user),
        basic_weight=basic_weight,
    )


__all__ = [
    "Backlog", "CountySummary", "Funnel", "Rate", "backlog", "backlog_at", "bounds", "by_category", "by_group",
    "closed_in_period", "closure_rate", "county_summary", "due_for_closure", "escalation_funnel",
    "on_time_rate", "received", "resolution_rate", "response_rate", "satisfaction_counts", "satisfaction_rate",
]
