"""The metrics read from the roll-up tables (minqing.appeals.rollups) instead of the appeals: the same
figures as metric_rows' definitions for whole calendar months (a month, a quarter, a year), a few
hundred counter rows a query instead of the county's appeals. metric_totals and metric_groups ask
``serves`` first and fall back to the raw definitions, which stay the truth (``minqing rollup check``
compares the two).

Every read sums counters of the subtree (a code range on ``region``), within the user's figure
jurisdiction, without 举报 unless the user counts them, and of one channel inside only_channel.
Grouped reads sum per child place (the prefix of the code) or per month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import access
from . import workflow as wf
from .metric_rows import _CHANNEL, _needs_figure_filter
from .rollup_models import AppealRollup, AppealRollupHousehold, AppealRollupUp
from .rollups import ALL, CLOSED_FIGS, DISPATCH_FIGS, HH_FIGS, RECEIVED, SAT_FIGS, month_index, year_key

_RAW: ContextVar[bool] = ContextVar("minqing_metrics_raw", default=False)


def enabled() -> bool:
    return bool(getattr(settings, "MINQING_ROLLUPS", True)) and not _RAW.get()


@contextmanager
def raw() -> Iterator[None]:
    """Every metric computed inside reads the appeals (the definitions), not the roll-ups."""
    token = _RAW.set(True)
    try:
        yield
    finally:
        _RAW.reset(token)


def serves(start: dt.date, end: dt.date) -> bool:
    """Whole calendar months, roll-ups switched on (settings.MINQING_ROLLUPS)."""
    return enabled() and start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and start <= end


def spans_served(spans: list[tuple[dt.date, dt.date]]) -> bool:
    return bool(spans) and all(serves(s, e) for s, e in spans)


def _scoped(model: type, region_code: str, user: Any, qs: QuerySet | None = None) -> QuerySet:
    code = regioncode.normalize(region_code)
    if qs is None:
        low, high = regioncode.subtree_range(code)
        qs = model.objects.filter(region__gte=low, region__lte=high)
    if _needs_figure_filter(code, user):
        qs = qs.filter(jurisdiction.figure_q(user, "region"))
    if user is not None and not access.figures_count_reports(user, code):
        qs = qs.filter(hidden=False)
    if (channel := _CHANNEL.get()) is not None:
        qs = qs.filter(channel=channel)
    return qs


def _counters(region_code: str, user: Any, by: int | str | None = None) -> QuerySet:
    """The counters to sum for the subtree (grouped ``by`` a child prefix length, a column or not at
    all): the pre-sums of appeals_rollup_up when the subtree (or each child) is a township or wider
    and the user sees it whole — one row per counter instead of one per village — else the villages'
    counters of appeals_rollup."""
    code = regioncode.normalize(region_code)
    level = regioncode.level_of(code)
    if _needs_figure_filter(code, user) or level > regioncode.TOWNSHIP:
        return _scoped(AppealRollup, code, user)
    if by is None or isinstance(by, str):
        return _scoped(AppealRollupUp, code, user, AppealRollupUp.objects.filter(region=code))
    depth = regioncode.LEN_LEVEL.get(by)
    if depth is None or depth > regioncode.TOWNSHIP:
        return _scoped(AppealRollup, code, user)
    low, high = regioncode.subtree_range(code)
    return _scoped(AppealRollupUp, code, user,
                   AppealRollupUp.objects.filter(region__gte=low, region__lte=high, depth=depth))


Key = Any  # a child's prefix, a month index, or None (the whole subtree)


def _key_expr(by: int | str | None) -> Any:
    if isinstance(by, int):
        return Substr(F("region"), 1, by, output_field=CharField())
    return F(by) if by else None


def _sum(qs: QuerySet, by: int | str | None, *extra: str) -> dict[Key, dict[Any, int]]:
    """Σ n per (group, fig[, extra columns])."""
    expr = _key_expr(by)
    cols = ("fig", *extra)
    rows = (qs.values(*cols, **({"k": expr} if expr is not None else {})).annotate(s=Sum("n")).order_by())
    out: dict[Key, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        name = r["fig"] if not extra else (r["fig"], *(r[c] for c in extra))
        out[r.get("k")][name] += r["s"] or 0
    return out


class Months:
    """The period as month indexes: [first, last], and ``end`` = last + 1 (the period's end instant)."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.first, self.last = month_index(start), month_index(end)
        self.end = self.last + 1


def received(code: str, m: Months, user: Any, by: int | str | None = None) -> dict[Key, dict[str, int]]:
    """The counts of metric_rows._received_counts per group, households included."""
    qs = _counters(code, user, by)
    flows = _sum(qs.filter(fig__in=RECEIVED, month__gte=m.first, month__lte=m.last), by)
    done = _sum(qs.filter(fig="assigned_closed", month__gte=m.first, month__lte=m.last, month2__lte=m.last), by)
    homes = households(code, m, user, by)
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*RECEIVED, "assigned_done"), 0))
    for k in {*flows, *done, *homes}:
        row = out[k]
        row.update({f: flows.get(k, {}).get(f, 0) for f in RECEIVED})
        row["assigned_done"] = done.get(k, {}).get("assigned_closed", 0)
        row.update(homes.get(k, dict.fromkeys(("found_households", "to_township_households",
                                                  "to_county_households"), 0)))
    return out


def on_spot_done(code: str, start: dt.date, end: dt.date, user: Any) -> int:
    """立行立改 cases received in the period and closed solved by its end (the briefing)."""
    m = Months(start, end)
    qs = _counters(code, user).filter(fig="on_spot_solved", month__gte=m.first, month__lte=m.last,
                                                   month2__lte=m.last)
    return qs.aggregate(s=Sum("n"))["s"] or 0


def households(code: str, m: Months, user: Any, by: int | str | None = None) -> dict[Key, dict[str, int]]:
    """Distinct households among the received cases (and those escalated), per group."""
    wide = _wide_households(code, m, user, by)
    if wide is not None:
        return wide
    qs = _scoped(AppealRollupHousehold, code, user)
    if m.first % 12 == 0 and m.last == m.first + 11:
        qs = qs.filter(month=year_key(m.first))
    else:
        qs = qs.filter(month__gte=m.first, month__lte=m.last)
    expr = _key_expr(by)
    counts = {"found_households": Count("household", distinct=True, filter=Q(found__gt=0)),
              "to_township_households": Count("household", distinct=True, filter=Q(to_township__gt=0)),
              "to_county_households": Count("household", distinct=True, filter=Q(to_county__gt=0))}
    if expr is None:  # values() with no names would group by every column
        return {None: qs.aggregate(**counts)}
    rows = qs.values(k=expr).annotate(**counts).order_by()
    return {r.pop("k"): r for r in rows}


_HH = dict(zip(HH_FIGS, ("found_households", "to_township_households", "to_county_households"), strict=True))


def _counter_period(code: str, user: Any, m: Months) -> int | None:
    """The key of the distinct-household counters for a period (its month, or its calendar year), when a
    township or wider place seen whole with no channel singled out has them; None: count the sets (a
    village, a partial figure jurisdiction, one channel, a quarter)."""
    if (_CHANNEL.get() is not None or _needs_figure_filter(code, user)
            or regioncode.level_of(code) > regioncode.TOWNSHIP):
        return None
    if m.first == m.last:
        return m.first
    if m.first % 12 == 0 and m.last == m.first + 11:
        return year_key(m.first)
    return None


def _wide_households(region_code: str, m: Months, user: Any, by: int | str | None
                     ) -> dict[Key, dict[str, int]] | None:
    """The distinct-household counters of a township or wider place (or of each such child) for one
    month or a calendar year, when the user sees the whole subtree and no channel is singled out; None:
    count the household sets instead."""
    code = regioncode.normalize(region_code)
    period = _counter_period(code, user, m)
    if period is None:
        return None
    variant = user is None or access.figures_count_reports(user, code)
    if by is None:
        qs = AppealRollupUp.objects.filter(region=code)
    elif isinstance(by, int) and regioncode.LEN_LEVEL.get(by, regioncode.VILLAGE) <= regioncode.TOWNSHIP:
        low, high = regioncode.subtree_range(code)
        qs = AppealRollupUp.objects.filter(region__gte=low, region__lte=high, depth=regioncode.LEN_LEVEL[by])
    else:
        return None
    qs = qs.filter(fig__in=HH_FIGS, month=period, channel=ALL, hidden=variant)
    out: dict[Key, dict[str, int]] = {}
    for k, fig_counts in _sum(qs, by).items():
        out[k] = {name: fig_counts.get(fig, 0) for fig, name in _HH.items()}
    if by is None and None not in out:
        out[None] = dict.fromkeys(_HH.values(), 0)
    return out


def due(code: str, m: Months, user: Any, by: int | str | None = None) -> dict[Key, dict[str, int]]:
    """应结案 and, of those, closed by the period's end and by their deadline (metric_rows._due_counts)."""
    qs = _counters(code, user, by)
    inside = _sum(qs.filter(fig__in=("due", "due_closed", "due_on_time"), month__gte=m.first, month__lte=m.last)
                  .filter(Q(fig="due") | Q(month2__lte=m.last)), by)
    early = _sum(qs.filter(fig="due_closed", month__gte=m.end, month2__gte=m.first, month2__lte=m.last), by)
    out: dict[Key, dict[str, int]] = {}
    for k in {*inside, *early}:
        i, e = inside.get(k, {}), early.get(k, {}).get("due_closed", 0)
        out[k] = {"due": i.get("due", 0) + e, "closed": i.get("due_closed", 0) + e,
                  "on_time": i.get("due_on_time", 0) + e}
    return out


def closed(code: str, m: Months, user: Any, by: int | str | None = None) -> dict[Key, dict[str, int]]:
    """Closed in the period (metric_rows._closed_counts) and the answers of 满意率, per group."""
    qs = _counters(code, user, by)
    rows = _sum(qs.filter(fig__in=(*CLOSED_FIGS, *SAT_FIGS), month__gte=m.first, month__lte=m.last), by)
    return {k: {f: v.get(f, 0) for f in (*CLOSED_FIGS, *SAT_FIGS)} for k, v in rows.items()}


def backlog_at(code: str, month: int, user: Any, by: int | None = None,
               kinds: tuple[str, ...] = (wf.Kind.PETITION.value,)) -> dict[Key, int]:
    """积案 at the start of ``month``: cases that became overdue before it minus those closed before it."""
    qs = _counters(code, user, by).filter(fig__in=("backlog_in", "backlog_out"), month__lt=month,
                                                   part__in=kinds)
    rows = _sum(qs, by)
    return {k: v.get("backlog_in", 0) - v.get("backlog_out", 0) for k, v in rows.items()}


def parts(code: str, m: Months, user: Any, fig: str) -> dict[str, int]:
    """Received cases per category id ("" for none) or per status group."""
    qs = _counters(code, user).filter(fig=fig, month__gte=m.first, month__lte=m.last)
    rows = qs.values("part").annotate(s=Sum("n")).order_by()
    return {r["part"]: r["s"] for r in rows if r["s"]}


def intake(region_code: str, start: dt.date, end: dt.date) -> int:
    """Cases registered in the period, merged ones included, not deleted, not of kind 举报 — over the
    whole subtree, whoever reads (the denominator of 重复诉求率, minqing.appeals.repeats.figures)."""
    m = Months(start, end)
    code = regioncode.normalize(region_code)
    if regioncode.level_of(code) <= regioncode.TOWNSHIP:
        qs = AppealRollupUp.objects.filter(region=code)
    else:
        low, high = regioncode.subtree_range(code)
        qs = AppealRollup.objects.filter(region__gte=low, region__lte=high)
    return qs.filter(fig="intake", month__gte=m.first, month__lte=m.last).aggregate(s=Sum("n"))["s"] or 0


def dispatch(code: str, start: dt.date, end: dt.date, user: Any) -> dict[str, dict[str, int]]:
    """The dispatch section's counts (minqing.appeals.dispatch_metrics): figure → unit → n."""
    m = Months(start, end)
    qs = _counters(code, user).filter(fig__in=DISPATCH_FIGS, month__gte=m.first, month__lte=m.last)
    out: dict[str, dict[str, int]] = {f: {} for f in DISPATCH_FIGS}
    for r in qs.values("fig", "part").annotate(s=Sum("n")).order_by():
        if r["s"]:
            out[r["fig"]][r["part"]] = r["s"]
    return out


def by_category(code: str, m: Months, user: Any) -> dict[str, int]:
    """As metric_totals.by_category: per category name ("未分类" for none), largest first."""
    from .models import Category

    counts = parts(code, m, user, "category")
    names = dict(Category.objects.filter(pk__in=[int(p) for p in counts if p]).values_list("pk", "name"))
    out: dict[str, int] = defaultdict(int)
    for p, n in counts.items():
        out[names.get(int(p), "未分类") if p else "未分类"] += n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def by_group(code: str, m: Months, user: Any) -> dict[str, int]:
    out = {g.value: 0 for g in wf.Group if g is not wf.Group.MERGED}
    out.update(parts(code, m, user, "group"))
    return out


def by_month(code: str, months: list[tuple[dt.date, dt.date]], user: Any, figs: tuple[str, ...]
             ) -> list[dict[str, int]]:
    """Counters of whole months, one row per month (the trend)."""
    idx = [month_index(s) for s, _e in months]
    qs = _counters(code, user, "month").filter(fig__in=figs, month__gte=min(idx), month__lte=max(idx))
    rows = _sum(qs, "month")
    return [{f: rows.get(i, {}).get(f, 0) for f in figs} for i in idx]


RECEIVED_ZERO = dict.fromkeys((*RECEIVED, "assigned_done", "found_households", "to_township_households",
                               "to_county_households"), 0)
DUE_ZERO = dict.fromkeys(("due", "closed", "on_time"), 0)
CLOSED_ZERO = dict.fromkeys((*CLOSED_FIGS, *SAT_FIGS), 0)


def whole(rows: dict[Key, Any], zero: Any) -> Any:
    """The subtree's own row of an ungrouped read (``zero`` when nothing counted)."""
    found = rows.get(None)
    return dict(found) if isinstance(zero, dict) and found is not None else (found if found is not None else
                                                                             (dict(zero) if isinstance(zero, dict)
                                                                              else zero))


def per_child(read: Any, code: str, kids: list[str], zero: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``read`` grouped by child place: one read per length of the children's code prefixes."""
    by_length: dict[int, dict[str, str]] = {}
    for c in kids:
        p = regioncode.prefix(c)
        by_length.setdefault(len(p), {})[p] = c
    out = {c: dict(zero) if isinstance(zero, dict) else zero for c in kids}
    for n, names in by_length.items():
        for p, row in read(code, *args, by=n, **kwargs).items():
            if p in names:
                out[names[p]] = dict(row) if isinstance(row, dict) else row
    return out


def month_start(moment: dt.datetime) -> int | None:
    """The month index of an instant that is a month's first midnight in the county's zone, else None."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    if (local.day, local.hour, local.minute, local.second, local.microsecond) != (1, 0, 0, 0, 0):
        return None
    return local.year * 12 + local.month - 1


# ---------------------------------------------------------------------------------------------
# The dashboard's appeal figures in one statement (docs/decisions/0061): the place's summary, its
# children's drill-down rows, the trend and the parts by category and group, read together from the
# pre-sums (one UNION ALL: each branch is one of the grouped reads above, the same filters) instead of
# ~20 ORM statements. Each branch's rows are tagged; Python adds them up exactly as the reads above do.

RECEIVED_MONTHS = (*RECEIVED, "assigned_closed", "due", "due_closed", "due_on_time", *CLOSED_FIGS, *SAT_FIGS)
_BY_SECOND_MONTH = ("assigned_closed", "due_closed", "due_on_time")  # counted when closed by the period's end
_TREND = ("received", *CLOSED_FIGS)
_SET_COLUMNS = {"hh_found": "found", "hh_township": "to_township", "hh_county": "to_county"}


class Sheet:
    """The tagged sums of one dashboard read: ``get(tag, region, fig, key)``."""

    def __init__(self, rows: list[tuple[str, str, str, int, Any]]) -> None:
        self.sums: dict[tuple[str, str, str, int], int] = {}
        for tag, region, fig, key, n in rows:
            self.sums[(tag, region, fig, key)] = int(n or 0)

    def get(self, tag: str, region: str, fig: str, key: int = -1) -> int:
        return self.sums.get((tag, region, fig, key), 0)


def _in(values: list[str] | tuple[str, ...]) -> str:
    return "(" + ", ".join(["%s"] * len(values)) + ")"


def sheet(code: str, kids: list[str], m: Months, user: Any, year_before: int, trend: tuple[int, int],
          kinds: tuple[str, ...] = (wf.Kind.PETITION.value,)) -> Sheet | None:
    """Every counter the dashboard's appeal figures need, in one statement; None when the place, the
    user or the period needs the general reads (a village, a partial figure jurisdiction, one channel
    singled out, a period whose distinct households have no counter: a quarter).

    Tags: "m" the period's counters per place (the second-month ones closed by its end); "e" the
    deadlines after the period met by a closure in it (due_closed); "b" the backlog's in/out counters
    before the period's end (key 1: also before ``year_before``); "p" received per category and per
    group (region = the part); "t" the place's trend figures per month (key = month index); "h" the
    distinct-household counters; "v" a village child's distinct households from its sets."""
    from django.db import connections

    code = regioncode.normalize(code)
    hh_month = _counter_period(code, user, m)
    if hh_month is None:
        return None
    counts_reports = user is None or access.figures_count_reports(user, code)
    wide = [code, *(k for k in kids if regioncode.level_of(k) <= regioncode.TOWNSHIP)]
    villages = [k for k in kids if regioncode.level_of(k) > regioncode.TOWNSHIP]
    hidden = "" if counts_reports else ' AND NOT "hidden"'
    up, rollup = AppealRollupUp._meta.db_table, AppealRollup._meta.db_table
    sets = AppealRollupHousehold._meta.db_table
    parts: list[str] = []
    params: list[Any] = []
    for table, places in ((up, wide), (rollup, villages)):
        if not places:
            continue
        parts.append(f'SELECT \'m\', "region", "fig", -1, SUM("n") FROM {table} WHERE "region" IN {_in(places)}'
                     f' AND "month" >= %s AND "month" <= %s AND "fig" IN {_in(RECEIVED_MONTHS)}'
                     f' AND ("fig" NOT IN {_in(_BY_SECOND_MONTH)} OR "month2" <= %s){hidden} GROUP BY "region", "fig"')
        params += [*places, m.first, m.last, *RECEIVED_MONTHS, *_BY_SECOND_MONTH, m.last]
        parts.append(f'SELECT \'e\', "region", "fig", -1, SUM("n") FROM {table} WHERE "region" IN {_in(places)}'
                     f' AND "fig" = %s AND "month" >= %s AND "month2" >= %s AND "month2" <= %s{hidden}'
                     f' GROUP BY "region", "fig"')
        params += [*places, "due_closed", m.end, m.first, m.last]
        parts.append(f'SELECT \'b\', "region", "fig", CASE WHEN "month" < %s THEN 1 ELSE 0 END, SUM("n") FROM {table}'
                     f' WHERE "region" IN {_in(places)} AND "fig" IN (%s, %s) AND "month" < %s'
                     f' AND "part" IN {_in(kinds)}{hidden}'
                     ' GROUP BY "region", "fig", CASE WHEN "month" < %s THEN 1 ELSE 0 END')
        params += [year_before, *places, "backlog_in", "backlog_out", m.end, *kinds, year_before]
    parts.append(f'SELECT \'p\', "part", "fig", -1, SUM("n") FROM {up} WHERE "region" = %s AND "fig" IN (%s, %s)'
                 f' AND "month" >= %s AND "month" <= %s{hidden} GROUP BY "part", "fig"')
    params += [code, "category", "group", m.first, m.last]
    parts.append(f'SELECT \'t\', "region", "fig", "month", SUM("n") FROM {up} WHERE "region" = %s'
                 f' AND "fig" IN {_in(_TREND)} AND "month" >= %s AND "month" <= %s{hidden}'
                 f' GROUP BY "region", "fig", "month"')
    params += [code, *_TREND, *trend]
    parts.append(f'SELECT \'h\', "region", "fig", -1, SUM("n") FROM {up} WHERE "region" IN {_in(wide)}'
                 f' AND "fig" IN {_in(HH_FIGS)} AND "month" = %s AND "channel" = %s AND "hidden" = %s'
                 f' GROUP BY "region", "fig"')
    params += [*wide, *HH_FIGS, hh_month, ALL, counts_reports]
    if villages:  # a township's villages: distinct households of their sets (households() above)
        year = hh_month != m.first
        when = '"month" = %s' if year else '"month" >= %s AND "month" <= %s'
        when_params = [hh_month] if year else [m.first, m.last]
        for fig, column in _SET_COLUMNS.items():
            parts.append(f'SELECT \'v\', "region", %s, -1, COUNT(DISTINCT "household") FROM {sets}'
                         f' WHERE "region" IN {_in(villages)} AND {when} AND "{column}" > 0{hidden} GROUP BY "region"')
            params += [fig, *villages, *when_params]
    sql = " UNION ALL ".join(parts)
    from minqing.lib import replica

    alias = replica.read_alias(AppealRollupUp)
    with connections[alias].cursor() as cur:
        cur.execute(sql, params)
        return Sheet(cur.fetchall())
