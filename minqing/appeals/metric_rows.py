"""The definition of every metric (docs/domain.md "Metrics"), written once: the countable cases of a
subtree, and for each metric a row filter and its named counts (the ``_*_rows`` / ``_*_counts``
pairs). minqing.appeals.metric_totals aggregates them over one subtree, metric_groups per child
place or per month, so the figures cannot drift apart (see minqing.appeals.metrics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
)

from minqing.lib import regioncode, workdays
from minqing.regions import jurisdiction

from . import access
from . import workflow as wf
from .metric_values import (
    Rate,
)
from .models import Appeal, AppealEvent, ReturnVisit, Triage

PETITION_LIMIT_DAYS = workdays.PETITION_OVERDUE_DAYS  # docs/domain.md "Deadlines"
SOLVED = wf.Group.SOLVED.value
CLOSED_GROUPS = (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
OPEN_GROUPS = (wf.Group.OPEN.value, wf.Group.PAUSED.value)
MERGED = wf.Group.MERGED.value
# The five 好差评 levels in the three buckets of 满意率 (docs/domain.md "Metrics"): 非常满意 counts as
# 满意, 非常不满意 as 不满意.
SATS = tuple(sorted(s.value for s in wf.SATISFIED_LEVELS))
BASIC = wf.Satisfaction.BASICALLY_SATISFIED.value
UNSATS = tuple(sorted(s.value for s in wf.BAD_LEVELS))
ANSWERED = (*SATS, BASIC, *UNSATS)
UPPER_LEVELS = (wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value)


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


_CHANNEL: ContextVar[str | None] = ContextVar("minqing_metrics_channel", default=None)


@contextmanager
def only_channel(channel: str) -> Iterator[None]:
    """Every metric computed inside counts the cases of one channel alone (the 12345 三率: the same
    definitions, restricted to the hotline's cases — minqing.hotline.figures)."""
    token = _CHANNEL.set(channel)
    try:
        yield
    finally:
        _CHANNEL.reset(token)


def appeals(region_code: str, *, user: Any = None) -> QuerySet:
    """Countable cases of the subtree: alive, not merged; 举报 only in the figures of the 纪委 covering
    the place (access.figures_count_reports; docs/decisions, hidden-case counts)."""
    qs = _alive(Appeal.objects.all()).exclude(group=MERGED)
    if (channel := _CHANNEL.get()) is not None:
        qs = qs.filter(channel=channel)
    if user is not None and not access.figures_count_reports(user, region_code):
        qs = qs.exclude(sensitivity="misconduct")
    return _scoped(qs, region_code, user, "region")


def _rate(row: dict, num: str, den: str) -> Rate:
    return Rate(row[num] or 0, row[den] or 0)


# ---------------------------------------------------------------------------------------------
# Definitions: each metric is a row filter and a set of named counts over those rows. The
# per-region functions below aggregate them over one subtree; the grouped variants (per child
# place, per month) count the same filter and the same counts per group, so the two cannot drift.


def _escalated(region_code: str) -> Exists:
    # An appeal's events lie in its county: said, so a database partitioned by county probes one
    # partition of the events per case, not every county's (docs/scale.md).
    code = regioncode.normalize(region_code)
    county = code[:6].ljust(12, "0") if regioncode.level_of(code) >= regioncode.COUNTY else code
    low, high = regioncode.subtree_range(county)
    return Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), action="escalate",
                                             region_id__gte=low, region_id__lte=high))


def _received_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any, *,
                   covered: bool = False) -> QuerySet:
    """Cases received in [low, high); ``escalated`` is aliased (only computed when a count uses it).
    ``covered``: the counts asked for are in the index appeal_received_cover, which always serves."""
    qs = appeals(region_code, user=user)
    qs, f = _plain(qs, ("received_at",), not covered and _unindexed_dates(regioncode.normalize(region_code), low, high))
    qs = qs.filter(**{f"{f['received_at']}__gte": low, f"{f['received_at']}__lt": high})
    return qs.alias(escalated=_escalated(region_code))


def _count(q: Q) -> Count:
    return Count("pk", filter=q) if q else Count("pk")


def _received_filters(high: dt.datetime | None) -> dict[str, Q | None]:
    """Which received cases each count counts (an empty Q: all of them); the drill-down lists
    (metric_cases) filter the same rows with the same Q. ``assigned_done`` reads the period's end
    (``high``): a grouping by month passes None and cannot ask for it."""
    responded = Q(responded_at__isnull=False) & (
        Q(response_due_at__isnull=True) | Q(responded_at__lte=F("response_due_at")))
    # The level test first: SQLite evaluates the escalate subquery only for the few cases that got
    # that high (1.1 s → 0.5 s for a county month at 1M cases); PostgreSQL orders them by cost anyway.
    done = None if high is None else Q(triage=Triage.ASSIGN) & Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
    return {
        "received": Q(),
        "responded": responded,
        "on_spot": Q(triage=Triage.ON_SPOT),
        "assigned": Q(triage=Triage.ASSIGN),
        "assigned_done": done,
        "to_township": Q(max_level__in=UPPER_LEVELS) & Q(escalated=True),
        "to_county": Q(max_level=wf.Level.COUNTY.value) & Q(escalated=True),
    }


def _received_counts(high: dt.datetime | None) -> dict[str, Count | None]:
    """The counts on received cases: 响应率, 立行立改, 限期整改, the escalation funnel (cases, and
    distinct households)."""
    f = _received_filters(high)
    counts: dict[str, Count | None] = {k: None if q is None else _count(q) for k, q in f.items()}
    counts.update({
        "found_households": Count("household", distinct=True),
        "to_township_households": Count("household", distinct=True, filter=f["to_township"]),
        "to_county_households": Count("household", distinct=True, filter=f["to_county"]),
    })
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


def _due_filters(high: dt.datetime) -> dict[str, Q]:
    closed = Q(group__in=CLOSED_GROUPS, closed_at__lt=high)
    return {"due": Q(), "closed": closed, "on_time": closed & Q(closed_at__lte=F("due_at"))}


def _due_counts(high: dt.datetime) -> dict[str, Count]:
    return {k: _count(q) for k, q in _due_filters(high).items()}


def _closed_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    qs, g = _status(appeals(region_code, user=user))
    return qs.filter(closed_at__gte=low, closed_at__lt=high, **{f"{g['group']}__in": CLOSED_GROUPS})


def _closed_filters() -> dict[str, Q]:
    return {
        "closed": Q(),
        "solved": Q(group=SOLVED),
        "explained": Q(status=wf.Status.EXPLAINED.value),
        "closed_unsolved": Q(status=wf.Status.CLOSED_UNSOLVED.value),
        "referred": Q(status=wf.Status.REFERRED.value),
    }


def _closed_counts() -> dict[str, Count]:
    return {k: _count(q) for k, q in _closed_filters().items()}


def _visit_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    """Answered return visits in the period (their case's place is ``appeal__region``)."""
    qs = _alive(ReturnVisit.objects.all(), "appeal__deleted_at").filter(
        at__gte=low, at__lt=high, satisfaction__in=ANSWERED,
    ).exclude(appeal__group=MERGED)
    if (channel := _CHANNEL.get()) is not None:
        qs = qs.filter(appeal__channel=channel)
    if user is not None and not access.figures_count_reports(user, region_code):
        qs = qs.exclude(appeal__sensitivity="misconduct")
    return _scoped(qs, region_code, user, "appeal__region")


def _spot_rows(region_code: str, low: dt.datetime, high: dt.datetime, user: Any) -> QuerySet:
    """The resident's word given on the spot, for cases solved on the spot with no return-visit row."""
    qs, f = _plain(appeals(region_code, user=user), ("closed_at",),
                   _unindexed_dates(regioncode.normalize(region_code), low, high))
    qs, g = _status(qs)
    return qs.filter(
        satisfaction__in=ANSWERED, **{g["status"]: wf.Status.SOLVED_ON_SPOT.value},
        **{f"{f['closed_at']}__gte": low, f"{f['closed_at']}__lt": high},
    ).exclude(Exists(ReturnVisit.objects.filter(appeal=OuterRef("pk"))))


def _satisfaction_counts() -> dict[str, Count]:
    return {"satisfied": Count("pk", filter=Q(satisfaction__in=SATS)),
            "basic": Count("pk", filter=Q(satisfaction=BASIC)),
            "unsatisfied": Count("pk", filter=Q(satisfaction__in=UNSATS))}


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
