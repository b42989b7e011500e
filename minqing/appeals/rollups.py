"""What one appeal adds to the roll-up tables (docs/decisions, rollup21): a pure function of the
appeal's facts, no database. The same function serves the delta a service applies (old facts out,
new facts in) and the rebuild from raw rows, so the two cannot disagree.

The roll-ups keep the metrics of minqing.appeals.metric_rows as counters per place (the appeal's
region code) × calendar month (in the county's zone) × the dimensions the figures split or filter
by (channel, 举报 or not, and one ``part``: category, status group, kind). A figure that reads two
dates of a case (办结率: the deadline in the period and the closure by the period's end; 限期整改
done) keeps the second date's month as ``month2``. Months are enough because every figure the
dashboards, the briefing and /api/v1/metrics show over roll-ups is one of whole calendar months
(a month, a quarter, a year); other periods are computed raw (metric_read.serves).

积案 (a stock: open at t and past its limit) is kept as flows: a case enters the backlog when it
becomes overdue (``e``: its deadline, or, with none, 15 + 60 days after receipt) and leaves it when
it closes (``x``); at a month boundary t the backlog is Σ entries before t − Σ exits before t.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings

from minqing.lib import regioncode, workdays

from . import workflow as wf
from .models import Triage

PETITION_LIMIT = dt.timedelta(days=workdays.PETITION_OVERDUE_DAYS)
CLOSED = (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
UPPER = (wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value)
SATS = {s.value for s in wf.SATISFIED_LEVELS}
BASIC = wf.Satisfaction.BASICALLY_SATISFIED.value
UNSATS = {s.value for s in wf.BAD_LEVELS}
NO_MONTH = 0  # month2 of the counters that read one date only (never NULL: part of a unique key)

# The counters (``fig`` column). received_* on the month of receipt; due_* on the month of the deadline
# (month2: of the closure); closed_* on the month of closure; sat_* on the month of the answer.
RECEIVED = ("received", "responded", "on_spot", "assigned", "to_township", "to_county")
CLOSED_FIGS = ("closed", "solved", "explained", "closed_unsolved", "referred")
SAT_FIGS = ("satisfied", "basic", "unsatisfied")
STATUS_FIGS = {wf.Status.EXPLAINED.value: "explained", wf.Status.CLOSED_UNSOLVED.value: "closed_unsolved",
               wf.Status.REFERRED.value: "referred"}


def month_of(moment: dt.datetime) -> int:
    """The calendar month of an instant in the county's zone, as year × 12 + month − 1."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.year * 12 + local.month - 1


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def year_key(month: int) -> int:
    """The household sets keep each calendar year too (a year's distinct count reads one row per
    household, not one per household and month); a year's rows are keyed by −year."""
    return -(month // 12)


@dataclass(frozen=True)
class Facts:
    """The columns of one appeal the figures read, with its return visits and whether it was escalated."""

    region: str
    channel: str
    hidden: bool  # 举报 (sensitivity misconduct): counted only in the 纪委's figures
    kind: str
    category_id: int | None
    group: str
    status: str
    triage: str
    received_at: dt.datetime
    responded_at: dt.datetime | None
    response_due_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    max_level: str
    escalated: bool  # an ``escalate`` AppealEvent exists
    household_id: int | None
    satisfaction: str
    visits: tuple[tuple[dt.datetime, str], ...] = ()  # every ReturnVisit row: (at, satisfaction or "")
    counted: bool = True  # alive and not merged
    alive: bool = True  # not soft-deleted (merged cases are alive)
    unit_id: int | None = None  # the unit leading the case (退单率 section: each unit's on-time rate)
    closed_on_time: bool | None = None
    unit_events: tuple[tuple[dt.datetime, str, str], ...] = ()  # (at, "d_received" | "d_return", unit)
    co_parts: tuple[tuple[dt.datetime, int, bool], ...] = ()  # answered 协办 parts: (answered_at, unit, on time)


# Keys: (fig, region, month, month2, part, channel, hidden) → n; households: (region, month or −year,
# household, channel, hidden) → (found, to_township, to_county) case counts (distinct: rows with a count > 0).
Key = tuple[str, str, int, int, str, str, bool]
HouseKey = tuple[str, int, int, str, bool]


@dataclass
class Contribution:
    counts: Counter = field(default_factory=Counter)
    households: dict[HouseKey, tuple[int, int, int]] = field(default_factory=dict)

    def add(self, other: Contribution, sign: int = 1) -> None:
        for k, n in other.counts.items():
            self.counts[k] += sign * n
        for k, v in other.households.items():
            old = self.households.get(k, (0, 0, 0))
            self.households[k] = tuple(a + sign * b for a, b in zip(old, v, strict=True))  # type: ignore[assignment]

    def nonzero(self) -> Contribution:
        return Contribution(Counter({k: n for k, n in self.counts.items() if n}),
                            {k: v for k, v in self.households.items() if any(v)})


def _bucket(answer: str) -> str | None:
    if answer in SATS:
        return "satisfied"
    if answer == BASIC:
        return "basic"
    if answer in UNSATS:
        return "unsatisfied"
    return None


def contributions(f: Facts | None) -> Contribution:
    """Every counter one appeal adds (None or not counted: nothing)."""
    out = Contribution()
    if f is None:
        return out
    c = out.counts
    if f.alive and f.kind != wf.Kind.MISCONDUCT.value:  # 重复诉求率's denominator: merged cases count
        c[("intake", f.region, month_of(f.received_at), NO_MONTH, "", f.channel, f.hidden)] += 1
    if not f.counted:
        return out

    def put(fig: str, month: int, month2: int = NO_MONTH, part: str = "") -> None:
        c[(fig, f.region, month, month2, part, f.channel, f.hidden)] += 1

    received = month_of(f.received_at)
    closed = f.group in CLOSED and f.closed_at is not None
    put("received", received)
    if f.responded_at is not None and (f.response_due_at is None or f.responded_at <= f.response_due_at):
        put("responded", received)
    if f.triage == Triage.ON_SPOT:
        put("on_spot", received)
        if f.group == wf.Group.SOLVED.value and f.closed_at is not None:  # the briefing's 立行立改 done
            put("on_spot_solved", received, month_of(f.closed_at))
    if f.triage == Triage.ASSIGN:
        put("assigned", received)
        if closed:
            put("assigned_closed", received, month_of(f.closed_at))  # type: ignore[arg-type]
    township = f.escalated and f.max_level in UPPER
    county = f.escalated and f.max_level == wf.Level.COUNTY.value
    if township:
        put("to_township", received)
    if county:
        put("to_county", received)
    put("category", received, part="" if f.category_id is None else str(f.category_id))
    put("group", received, part=f.group)
    if f.household_id is not None:
        counts = (1, int(township), int(county))
        out.households[(f.region, received, f.household_id, f.channel, f.hidden)] = counts
        out.households[(f.region, year_key(received), f.household_id, f.channel, f.hidden)] = counts
    if f.due_at is not None:
        put("due", month_of(f.due_at))
        if closed:
            put("due_closed", month_of(f.due_at), month_of(f.closed_at))  # type: ignore[arg-type]
            if f.closed_at <= f.due_at:  # type: ignore[operator]
                put("due_on_time", month_of(f.due_at), month_of(f.closed_at))  # type: ignore[arg-type]
    if closed:
        month = month_of(f.closed_at)  # type: ignore[arg-type]
        put("closed", month)
        if f.group == wf.Group.SOLVED.value:
            put("solved", month)
        if (fig := STATUS_FIGS.get(f.status)) is not None:
            put(fig, month)
    for at, answer in f.visits:
        if (bucket := _bucket(answer)) is not None:
            put(bucket, month_of(at))
    if (f.status == wf.Status.SOLVED_ON_SPOT.value and not f.visits and f.closed_at is not None
            and (bucket := _bucket(f.satisfaction)) is not None):
        put(bucket, month_of(f.closed_at))
    _backlog(f, put)
    _dispatch(f, put)
    return out


# The dispatch section (dispatch_metrics): per unit (``part``), 退单 filed and cases/parts received by
# the event's month; the cases it led closed, and its 协办 parts answered, with those on time.
DISPATCH_FIGS = ("d_received", "d_return", "d_led", "d_led_ok", "d_co", "d_co_ok")
RECEIPTS = ("assign", "transfer", "approve_return", "add_co_unit", "review")  # a unit receives a case or part


def unit_event(action: str, payload: dict | None) -> tuple[str, str] | None:
    """(figure, unit) an event counts for in the dispatch section, or None: a 退单 filed, or a case or
    协办 part received (a review counts when it decided to assign)."""
    payload = payload if isinstance(payload, dict) else {}
    unit = payload.get("unit")
    if unit in (None, ""):
        return None
    if action == "return":
        return "d_return", str(unit)
    if action in RECEIPTS and (action != "review" or payload.get("decision") == "assign"):
        return "d_received", str(unit)
    return None


def _dispatch(f: Facts, put) -> None:  # noqa: ANN001 - the local adder of contributions
    for at, fig, unit in f.unit_events:
        put(fig, month_of(at), part=unit)
    if f.closed_at is not None and f.unit_id is not None:
        put("d_led", month_of(f.closed_at), part=str(f.unit_id))
        if f.closed_on_time:
            put("d_led_ok", month_of(f.closed_at), part=str(f.unit_id))
    for at, unit, ok in f.co_parts:
        put("d_co", month_of(at), part=str(unit))
        if ok:
            put("d_co_ok", month_of(at), part=str(unit))


def _backlog(f: Facts, put) -> None:  # noqa: ANN001 - the local adder of contributions
    """积案 flows by kind: in the backlog at t iff e < t and not closed before t (x ≥ t)."""
    enters = max(f.due_at, f.received_at) if f.due_at is not None else f.received_at + PETITION_LIMIT
    leaves = f.closed_at
    if leaves is not None and leaves < enters:
        return  # closed before it ever became overdue
    put("backlog_in", month_of(enters), part=f.kind)
    if leaves is not None:
        put("backlog_out", month_of(leaves), part=f.kind)


# Pre-sums (appeals_rollup_up): each counter again under every township, county, city and province
# whose subtree holds its place, so a wide figure reads one row per counter. Keys: (fig, region, depth,
# month, month2, part, channel, hidden) with region the wider place's code and depth its level.
UpKey = tuple[str, str, int, int, int, str, str, bool]
_UP_LENGTHS = tuple(regioncode.PREFIX_LEN[level] for level in range(regioncode.PROVINCE, regioncode.TOWNSHIP + 1))


def wider(region: str) -> list[tuple[str, int]]:
    """(code, level) of every place at township level or above whose code range holds ``region``."""
    out: dict[str, int] = {}
    for n in _UP_LENGTHS:
        code = region[:n].ljust(12, "0")
        if code not in out:
            out[code] = regioncode.level_of(code)
    return list(out.items())


def up(counts: Counter) -> Counter:
    """The pre-sums of village counters (a delta gives the pre-sums' delta)."""
    out: Counter = Counter()
    places: dict[str, list[tuple[str, int]]] = {}
    for (fig, region, month, month2, part, channel, hidden), n in counts.items():
        if not n:
            continue
        if region not in places:
            places[region] = wider(region)
        for code, depth in places[region]:
            out[(fig, code, depth, month, month2, part, channel, hidden)] += n
    return Counter({k: n for k, n in out.items() if n})


# Distinct households of a wider place (township … province) as counters in appeals_rollup_up: fig
# HH_FIGS, month = the set's period key (a month, or −year), channel ALL, hidden = the variant (False:
# households with a case other than 举报; True: with any case). A household counts once per place,
# period and variant while its cases there number > 0 (found), or > 0 escalated to the township/county.
HH_FIGS = ("hh_found", "hh_township", "hh_county")
ALL = "*"


def wider_sets(rows: Iterable[tuple[str, int, int, str, bool, tuple[int, int, int]]]
               ) -> dict[tuple[str, int, int, int, bool], list[int]]:
    """Household-set rows (region, period, household, channel, hidden, counts) summed per wider place
    and variant: (code, depth, period, household, variant) → [found, to_township, to_county]."""
    out: dict[tuple[str, int, int, int, bool], list[int]] = {}
    for region, period, household, _channel, hidden, counts in rows:
        for code, depth in wider(region):
            for variant in ((True,) if hidden else (False, True)):
                acc = out.setdefault((code, depth, period, household, variant), [0, 0, 0])
                for i in range(3):
                    acc[i] += counts[i]
    return out


def household_counters(sets: dict[tuple[str, int, int, int, bool], list[int]]) -> Counter:
    """The distinct-household counters (up keys) of summed sets (wider_sets)."""
    out: Counter = Counter()
    for (code, depth, period, _household, variant), counts in sets.items():
        for fig, n in zip(HH_FIGS, counts, strict=True):
            if n > 0:
                out[(fig, code, depth, period, NO_MONTH, "", ALL, variant)] += 1
    return out


def total(facts: Iterable[Facts | None]) -> Contribution:
    out = Contribution()
    for f in facts:
        out.add(contributions(f))
    return out


def delta(before: Facts | None, after: Facts | None) -> Contribution:
    """What a change of one appeal does to the tables: its new contribution minus its old one."""
    out = contributions(after)
    out.add(contributions(before), -1)
    return out.nonzero()
