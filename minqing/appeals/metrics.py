"""The metrics of docs/domain.md, computed in SQL for any region subtree and period.

Every function takes ``(region_code, start, end, *, user=None)``: ``start``/``end`` are dates,
both inclusive, read in the county's time zone (settings.TIME_ZONE). Rows are restricted to the
region subtree (jurisdiction.region_q) and, when ``user`` is given, to what the user may see as
figures (jurisdiction.figure_q: departments see their region's numbers without the records).
Merged cases (group ``merged``) never count; soft-deleted cases never count.

Definitions (docs/domain.md "Metrics"; the county may re-weight, these are the defaults):
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

Each metric is written once, as a row filter and named counts (the ``_*_rows`` / ``_*_counts``
pairs). The per-region functions aggregate them over one subtree; the grouped variants count the
same rows per child place (``*_by_child``, ``by_child``, ``summary_with_children``: one GROUP BY on
the code prefix instead of one query per place) or per month (``*_by_span``), so a county dashboard
costs a fixed number of queries (docs/decisions/0013-dashboard-at-scale.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr

from minqing.lib import regioncode, workdays
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction

from . import access
from . import workflow as wf
from .models import Appeal, AppealEvent, ReturnVisit, Triage

PETITION_LIMIT_DAYS = workdays.PETITION_OVERDUE_DAYS  # docs/domain.md "Deadlines"
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


LONG_PERIOD = dt.timedelta(days=93)


def _unindexed_dates(code: str, low: dt.datetime, high: dt.datetime) -> bool:
    """The date-range analogue of ``_wide``: on SQLite, a county-wide period longer than a quarter
    covers a large share of the table, and reading it through a date index row by row costs several
    times a plain scan (应结案 of a year at 1M cases: 3.4 s against 0.45 s). Queries that no covering
    index serves then write their date tests so no index can serve them (see ``_plain``)."""
    return _wide(code) and high - low > LONG_PERIOD


def _plain(qs: QuerySet, names: tuple[str, ...], unindexed: bool) -> tuple[QuerySet, dict[str, str]]:
    """The lookup name of each column: the column itself, or, ``unindexed``, an alias of ``+column``
    (SQLite's no-op unary plus: the same value and comparisons, no index)."""
    if not unindexed:
        return qs, {n: n for n in names}
    plus = {f"_{n}": Func(F(n), template="+%(expressions)s", output_field=type(Appeal._meta.get_field(n))())
            for n in names}
    qs = qs.alias(**plus)
    return qs, {n: f"_{n}" for n in names}


def _status(qs: QuerySet) -> tuple[QuerySet, dict[str, str]]:
    """The lookup names of ``group`` and ``status`` for tests in WHERE: never an index on SQLite. They
    never narrow a metric's rows enough (a handful of values), yet without ANALYZE statistics SQLite
    takes ``group IN (…)`` for selective and reads most of the table through it (closed in a county
    month: 1.1 s against 0.03 s from the closed-date index)."""
    return _plain(qs, ("group", "status"), connection.vendor == "sqlite")


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


def _alive(qs: QuerySet, field_name: str = "deleted_at") -> QuerySet:
    """Not soft-deleted. On SQLite written so no index serves it: without ANALYZE statistics (the
    application never runs ANALYZE) SQLite takes ``deleted_at IS NULL`` for a selective equality and
    reads the whole table through the deleted_at index (a county month at 1M cases: 14 s, not 2 s)."""
    if connection.vendor != "sqlite":
        return qs.filter(**{f"{field_name}__isnull": True})
    qs = qs.alias(_alive=Func(F(field_name), template="+%(expressions)s", output_field=DateTimeField()))
    return qs.filter(_alive__isnull=True)


def appeals(region_code: str, *, user: Any = None) -> QuerySet:
    """Countable cases of the subtree: alive, not merged; 举报 only in the figures of the 纪委 covering
    the place (access.figures_count_reports; docs/decisions, hidden-case counts)."""
    qs = _alive(Appeal.objects.all()).exclude(group=MERGED)
    if user is not None and not access.figures_count_reports(user, region_code):
        qs = qs.exclude(sensitivity="misconduct")
    return _scoped(qs, region_code, user, "region")


def _rate(row: dict, num: str, den: str) -> Rate:
    return Rate(row[num] or 0, row[den] or 0)


# ---------------------------------------------------------------------------------------------
# Definitions: each metric is a row filter and a set of named counts over those rows. The
# per-region functions below aggregate them over one subtree; the grouped variants (per child
# place, per month) count the same filter and the same counts per group, so the two cannot drift.


def _escalated() -> Exists:
    return Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), action="escalate"))


def _received_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any, *,
                   covered: bool = False) -> QuerySet:
    """Cases received in [low, high); ``escalated`` is aliased (only computed when a count uses it).
    ``covered``: the counts asked for are in the index appeal_received_cover, which always serves."""
    qs = appeals(region_code, user=user)
    qs, f = _plain(qs, ("received_at",), not covered and _unindexed_dates(regioncode.normalize(region_code), low, high))
    qs = qs.filter(**{f"{f['received_at']}__gte": low, f"{f['received_at']}__lt": high})
    return qs.alias(escalated=_escalated())


def _received_counts(high: dt.datetime | None) -> dict[str, Count]:
    """The counts on received cases. ``assigned_done`` reads the period's end (``high``): a grouping
    by month passes None and cannot ask for it."""
    responded = Q(responded_at__isnull=False) & (
        Q(response_due_at__isnull=True) | Q(responded_at__lte=F("response_due_at")))
    # The level test first: SQLite evaluates the escalate subquery only for the few cases that got
    # that high (1.1 s → 0.5 s for a county month at 1M cases); PostgreSQL orders them by cost anyway.
    to_town = Q(max_level__in=UPPER_LEVELS) & Q(escalated=True)
    to_county = Q(max_level=wf.Level.COUNTY.value) & Q(escalated=True)
    counts = {
        "received": Count("pk"),
        "responded": Count("pk", filter=responded),
        "on_spot": Count("pk", filter=Q(triage=Triage.ON_SPOT)),
        "assigned": Count("pk", filter=Q(triage=Triage.ASSIGN)),
        "assigned_done": None,
        "to_township": Count("pk", filter=to_town),
        "to_county": Count("pk", filter=to_county),
        "found_households": Count("household", distinct=True),
        "to_township_households": Count("household", distinct=True, filter=to_town),
        "to_county_households": Count("household", distinct=True, filter=to_county),
    }
    if high is not None:
        done = Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
        counts["assigned_done"] = Count("pk", filter=Q(triage=Triage.ASSIGN) & done)
    return counts


def _due_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    """应结案: a deadline in the period, or a later deadline met by a closure in the period."""
    qs, f = _plain(appeals(region_code, user=user), ("due_at", "closed_at"),
                   _unindexed_dates(regioncode.normalize(region_code), low, high))
    qs, g = _status(qs)
    due, closed = f["due_at"], f["closed_at"]
    due_in = Q(**{f"{due}__gte": low, f"{due}__lt": high})
    closed_early = Q(**{f"{due}__gte": high, f"{closed}__gte": low, f"{closed}__lt": high,
                        f"{g['group']}__in": CLOSED_GROUPS})
    return qs.filter(due_in | closed_early)


def _due_counts(high: dt.datetime) -> dict[str, Count]:
    closed = Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
    on_time = closed & Q(closed_at__lte=F("due_at"))
    return {"due": Count("pk"), "closed": Count("pk", filter=closed), "on_time": Count("pk", filter=on_time)}


def _closed_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    qs, g = _status(appeals(region_code, user=user))
    return qs.filter(closed_at__gte=low, closed_at__lt=high, **{f"{g['group']}__in": CLOSED_GROUPS})


def _closed_counts() -> dict[str, Count]:
    return {
        "closed": Count("pk"),
        "solved": Count("pk", filter=Q(group=SOLVED)),
        "explained": Count("pk", filter=Q(status=wf.Status.EXPLAINED.value)),
        "closed_unsolved": Count("pk", filter=Q(status=wf.Status.CLOSED_UNSOLVED.value)),
        "referred": Count("pk", filter=Q(status=wf.Status.REFERRED.value)),
    }


def _visit_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    """Answered return visits in the period (their case's place is ``appeal__region``)."""
    qs = _alive(ReturnVisit.objects.all(), "appeal__deleted_at").filter(
        at__gte=low, at__lt=high, satisfaction__in=(SAT, BASIC, UNSAT),
    ).exclude(appeal__group=MERGED)
    if user is not None and not access.figures_count_reports(user, region_code):
        qs = qs.exclude(appeal__sensitivity="misconduct")
    return _scoped(qs, region_code, user, "appeal__region")


def _spot_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    """The resident's word given on the spot, for cases solved on the spot with no return-visit row."""
    qs, f = _plain(appeals(region_code, user=user), ("closed_at",),
                   _unindexed_dates(regioncode.normalize(region_code), low, high))
    qs, g = _status(qs)
    return qs.filter(
        satisfaction__in=(SAT, BASIC, UNSAT), **{g["status"]: wf.Status.SOLVED_ON_SPOT.value},
        **{f"{f['closed_at']}__gte": low, f"{f['closed_at']}__lt": high},
    ).exclude(Exists(ReturnVisit.objects.filter(appeal=OuterRef("pk"))))


def _satisfaction_counts() -> dict[str, Count]:
    return {"satisfied": Count("pk", filter=Q(satisfaction=SAT)),
            "basic": Count("pk", filter=Q(satisfaction=BASIC)),
            "unsatisfied": Count("pk", filter=Q(satisfaction=UNSAT))}


def _backlog_rows(region_code: str, moment: dt.datetime, user: Any, kinds: tuple[str, ...]) -> QuerySet:
    """积案 at ``moment``: open then and past the limit (a deadline passed, or none given and received
    more than 15 + 60 days before)."""
    limit = moment - dt.timedelta(days=PETITION_LIMIT_DAYS)
    open_then = Q(received_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
    overdue = Q(due_at__lt=moment) | Q(due_at__isnull=True, received_at__lt=limit)
    return appeals(region_code, user=user).filter(open_then & overdue, kind__in=kinds)


def _year_before(end: dt.date) -> dt.date:
    """The same day one year earlier (29 Feb → 28 Feb)."""
    try:
        return end.replace(year=end.year - 1)
    except ValueError:
        return end.replace(year=end.year - 1, day=28)


def _pick(counts: dict[str, Count | None], fields: tuple[str, ...] | None) -> dict[str, Count]:
    names = tuple(k for k in counts if counts[k] is not None) if fields is None else fields
    unknown = [n for n in names if counts.get(n) is None]
    if unknown:
        raise ValueError(f"无法按此分组统计：{', '.join(unknown)}")
    return {n: counts[n] for n in names}


# ---------------------------------------------------------------------------------------------
# The metric functions


def received(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Cases received in the period with the counts that share that base: 响应率, 立行立改,
    限期整改 (and done), the escalation funnel (cases and distinct households)."""
    low, high = bounds(start, end)
    return _received_rows(region_code, low, high, user).aggregate(**_pick(_received_counts(high), None))


def response_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """响应率."""
    return _rate(received(region_code, start, end, user=user), "responded", "received")


def due_for_closure(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """应结案 and, of those, closed by the period's end and closed by their deadline."""
    low, high = bounds(start, end)
    return _due_rows(region_code, low, high, user).aggregate(**_due_counts(high))


def closure_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "closed", "due")


def on_time_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """按期办结率."""
    return _rate(due_for_closure(region_code, start, end, user=user), "on_time", "due")


def closed_in_period(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    low, high = bounds(start, end)
    return _closed_rows(region_code, low, high, user).aggregate(**_closed_counts())


def resolution_rate(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> Rate:
    """解决率 (政策解答 in the denominator only)."""
    return _rate(closed_in_period(region_code, start, end, user=user), "solved", "closed")


def satisfaction_counts(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Answered return visits in the period by answer, plus on-the-spot answers with no visit row."""
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


# ---------------------------------------------------------------------------------------------
# Grouped variants: the same filters and counts, one GROUP BY query for every child place (or
# every month) instead of one query each. A child's figures equal the per-region function's for
# the child's code: rows fall to a child by the prefix of their region code, which is exactly the
# child's subtree range; rows of the parent place itself (filed at township level, say) belong to
# no child, as they belong to no child's subtree.


def child_codes(region_code: str) -> list[str]:
    """The active places directly under a region, by code (the dashboard's drill-down rows)."""
    from minqing.regions.models import Region

    code = regioncode.normalize(region_code)
    return list(Region.objects.filter(parent_id=code, is_active=True).order_by("code").values_list("code", flat=True))


def _children_of(region_code: str, children: list[str] | None) -> list[str]:
    code = regioncode.normalize(region_code)
    kids = child_codes(code) if children is None else [regioncode.normalize(c) for c in children]
    outside = [k for k in kids if k == code or not regioncode.contains(code, k)]
    if outside:
        raise ValueError(f"区划“{outside[0]}”不在“{code}”之下")
    return kids


def _per_child(qs: QuerySet, field_name: str, children: list[str], counts: dict[str, Count], *,
               total: bool = False) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """``counts`` per child, and over every row (children, the place itself, places not listed):
    GROUP BY the first n characters of the region code, n being the length of the children's
    significant prefix (one query per distinct length — one in practice; two only where a place has
    children of two levels, as a city with townships under it directly). With no children and no
    ``total`` asked for, no query."""
    out = {c: dict.fromkeys(counts, 0) for c in children}
    whole: dict[str, int] | None = None
    by_length: dict[int, dict[str, str]] = {}
    for c in children:
        p = regioncode.prefix(c)
        by_length.setdefault(len(p), {})[p] = c
    for n, names in by_length.items() or ([(12, {})] if total else []):
        # A function of the code, never the bare column: no index is picked to serve the grouping
        # (on SQLite that would read the whole table through the region index; see _wide).
        key = Substr(F(field_name), 1, n, output_field=CharField())
        rows = list(qs.values(child_key=key).annotate(**counts).order_by())
        if whole is None:  # every row is in exactly one group of each query
            whole = {k: sum(r[k] for r in rows) for k in counts}
        for row in rows:
            child = names.get(row.pop("child_key"))
            if child is not None:
                out[child] = row
    return out, whole or dict.fromkeys(counts, 0)


def _span_bounds(spans: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.datetime, dt.datetime]]:
    out = [bounds(s, e) for s, e in spans]
    if any(b[0] < a[1] for a, b in zip(out, out[1:], strict=False)):
        raise ValueError("统计期间应按时间先后排列且互不重叠")
    return out


def _per_span(qs: QuerySet, field_name: str, edges: list[tuple[dt.datetime, dt.datetime]],
              counts: dict[str, Count]) -> list[dict[str, int]]:
    """``counts`` per period, rows placed by ``field_name`` in [low, high) of each (CASE in SQL)."""
    out = [dict.fromkeys(counts, 0) for _ in edges]
    if not edges:
        return out
    key = Case(*[When(Q(**{f"{field_name}__gte": lo, f"{field_name}__lt": hi}), then=Value(i))
                 for i, (lo, hi) in enumerate(edges)], default=None, output_field=IntegerField())
    for row in qs.values(span_key=key).annotate(**counts).order_by():
        i = row.pop("span_key")
        if i is not None:
            out[i] = row
    return out


def received_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                      children: list[str] | None = None, fields: tuple[str, ...] | None = None
                      ) -> dict[str, dict[str, int]]:
    """``received`` for each child place (default: the active ones), in one query. ``fields`` picks
    some of its counts (the distinct-household and escalation counts cost the most)."""
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    counts = _pick(_received_counts(high), fields)
    return _per_child(_received_rows(region_code, low, high, user, covered=tuple(counts) == ("received",)),
                      "region", kids, counts)[0]


def due_for_closure_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                             children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    return _per_child(_due_rows(region_code, low, high, user), "region", kids, _due_counts(high))[0]


def closed_in_period_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                              children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    return _per_child(_closed_rows(region_code, low, high, user), "region", kids, _closed_counts())[0]


def satisfaction_counts_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                                 children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    return _satisfaction_per_child(region_code, low, high, user, kids)[0]


def _satisfaction_per_child(region_code: str, low: dt.datetime, high: dt.datetime, user: Any, kids: list[str],
                            *, total: bool = False) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    visits, v_total = _per_child(_visit_rows(region_code, low, high, user), "appeal__region", kids,
                                 _satisfaction_counts(), total=total)
    spot, s_total = _per_child(_spot_rows(region_code, low, high, user), "region", kids, _satisfaction_counts(),
                               total=total)
    return ({k: {n: visits[k][n] + spot[k][n] for n in visits[k]} for k in kids},
            {n: v_total[n] + s_total[n] for n in v_total})


def backlog_at_by_child(region_code: str, moment: dt.datetime, *, user: Any = None,
                        children: list[str] | None = None,
                        kinds: tuple[str, ...] = (wf.Kind.PETITION.value,)) -> dict[str, int]:
    kids = _children_of(region_code, children)
    rows, _total = _per_child(_backlog_rows(region_code, moment, user, kinds), "region", kids, {"n": Count("pk")})
    return {k: r["n"] for k, r in rows.items()}


def backlog_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                     children: list[str] | None = None) -> dict[str, Backlog]:
    _low, high = bounds(start, end)
    year_end = _year_before(end)
    _l, year_high = bounds(year_end, year_end)
    kids = _children_of(region_code, children)
    now = backlog_at_by_child(region_code, high, user=user, children=kids)
    before = backlog_at_by_child(region_code, year_high, user=user, children=kids)
    return {k: Backlog(now[k], before[k]) for k in kids}


@dataclass(frozen=True)
class ChildFigures:
    """One drill-down row: what the dashboard shows for a place below."""

    code: str
    received: int
    resolution: Rate  # 解决率
    on_time: Rate  # 按期办结率
    satisfaction: Rate
    backlog: int  # 积案存量 at the period's end


def _child_figures(kids: list[str], received: dict, closed: dict, due: dict, answers: dict, backlog: dict,
                   basic_weight: float) -> dict[str, ChildFigures]:
    return {k: ChildFigures(code=k, received=received[k]["received"], resolution=_rate(closed[k], "solved", "closed"),
                            on_time=_rate(due[k], "on_time", "due"),
                            satisfaction=_satisfaction(answers[k], basic_weight), backlog=backlog[k]["n"])
            for k in kids}


def by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
             children: list[str] | None = None, basic_weight: float = 1.0) -> dict[str, ChildFigures]:
    """The drill-down figures of every child place in six queries, whatever the number of children;
    each equals the per-region functions for the child's code."""
    return _with_children(region_code, start, end, user, children, basic_weight, summary=False)[1]


def summary_with_children(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                          children: list[str] | None = None, basic_weight: float = 1.0
                          ) -> tuple[CountySummary, dict[str, ChildFigures]]:
    """county_summary and by_child together, as a dashboard shows them. The figures both need
    (应结案, closed in the period, the answers, the backlog at the period's end) come from one grouped
    query each: the place's own figure is the sum over every group, its children's are their groups.
    A county dashboard thus reads those rows once, not twice (10 queries instead of 9 + 6)."""
    whole, rows = _with_children(region_code, start, end, user, children, basic_weight, summary=True)
    assert whole is not None
    return whole, rows


def _with_children(region_code: str, start: dt.date, end: dt.date, user: Any, children: list[str] | None,
                   basic_weight: float, *, summary: bool) -> tuple[CountySummary | None, dict[str, ChildFigures]]:
    code = regioncode.normalize(region_code)
    low, high = bounds(start, end)
    kids = _children_of(code, children)
    petition = (wf.Kind.PETITION.value,)
    if not kids and not summary:
        return None, {}
    rec, _r = _per_child(_received_rows(code, low, high, user, covered=True), "region", kids,
                         _pick(_received_counts(high), ("received",)))
    due, d = _per_child(_due_rows(code, low, high, user), "region", kids, _due_counts(high), total=summary)
    closed, c = _per_child(_closed_rows(code, low, high, user), "region", kids, _closed_counts(), total=summary)
    answers, s = _satisfaction_per_child(code, low, high, user, kids, total=summary)
    back, b = _per_child(_backlog_rows(code, high, user, petition), "region", kids, {"n": Count("pk")},
                         total=summary)
    rows = _child_figures(kids, rec, closed, due, answers, back, basic_weight)
    if not summary:
        return None, rows
    year_end = _year_before(end)
    _l, year_high = bounds(year_end, year_end)
    whole = _summary(code, start, end, user, basic_weight, received(code, start, end, user=user), d, c, s,
                     Backlog(b["n"], backlog_at(code, year_high, user=user)))
    return whole, rows


def received_by_span(region_code: str, spans: list[tuple[dt.date, dt.date]], *, user: Any = None,
                     fields: tuple[str, ...] = ("received",)) -> list[dict[str, int]]:
    """``received`` for each (start, end) of ``spans`` (ascending, not overlapping), in one query.
    ``assigned_done`` depends on each period's end and cannot be asked for."""
    edges = _span_bounds(spans)
    counts = _pick(_received_counts(None), fields)
    if not edges:
        return []
    return _per_span(_received_rows(region_code, edges[0][0], edges[-1][1], user,
                                    covered=tuple(counts) == ("received",)), "received_at", edges, counts)


def closed_in_period_by_span(region_code: str, spans: list[tuple[dt.date, dt.date]], *,
                             user: Any = None) -> list[dict[str, int]]:
    """``closed_in_period`` for each (start, end) of ``spans``, in one query."""
    edges = _span_bounds(spans)
    if not edges:
        return []
    return _per_span(_closed_rows(region_code, edges[0][0], edges[-1][1], user), "closed_at", edges,
                     _closed_counts())


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


__all__ = [
    "Backlog", "ChildFigures", "CountySummary", "Funnel", "Rate", "backlog", "backlog_at", "backlog_at_by_child",
    "backlog_by_child", "bounds", "by_category", "by_child", "by_group", "child_codes", "closed_in_period",
    "closed_in_period_by_child", "closed_in_period_by_span", "closure_rate", "county_summary", "due_for_closure",
    "due_for_closure_by_child", "escalation_funnel", "on_time_rate", "received", "received_by_child",
    "received_by_span", "resolution_rate", "response_rate", "satisfaction_counts", "satisfaction_counts_by_child",
    "satisfaction_rate", "summary_with_children",
]
