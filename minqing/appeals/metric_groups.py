"""The grouped metric functions: the filters and counts of minqing.appeals.metric_rows counted per child
place (``*_by_child``, ``by_child``, ``summary_with_children``) or per month (``*_by_span``), one
GROUP BY query each instead of one query per place (see minqing.appeals.metrics)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr

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
)
from .metric_totals import (
    _satisfaction,
    _summary,
    backlog_at,
    received,
)
from .metric_values import (
    Backlog,
    ChildFigures,
    CountySummary,
    Funnel,
)

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
    if metric_read.serves(start, end):
        rows = metric_read.per_child(metric_read.received, region_code, kids, metric_read.RECEIVED_ZERO,
                                     metric_read.Months(start, end), user)
        return {k: {f: r[f] for f in counts} for k, r in rows.items()}
    return _per_child(_received_rows(region_code, low, high, user, covered=tuple(counts) == ("received",)),
                      "region", kids, counts)[0]


def due_for_closure_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                             children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    if metric_read.serves(start, end):
        return metric_read.per_child(metric_read.due, region_code, kids, metric_read.DUE_ZERO,
                                     metric_read.Months(start, end), user)
    return _per_child(_due_rows(region_code, low, high, user), "region", kids, _due_counts(high))[0]


def closed_in_period_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                              children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    if metric_read.serves(start, end):
        rows = metric_read.per_child(metric_read.closed, region_code, kids, metric_read.CLOSED_ZERO,
                                     metric_read.Months(start, end), user)
        return {k: {f: r[f] for f in _closed_counts()} for k, r in rows.items()}
    return _per_child(_closed_rows(region_code, low, high, user), "region", kids, _closed_counts())[0]


def satisfaction_counts_by_child(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                                 children: list[str] | None = None) -> dict[str, dict[str, int]]:
    low, high = bounds(start, end)
    kids = _children_of(region_code, children)
    if metric_read.serves(start, end):
        rows = metric_read.per_child(metric_read.closed, region_code, kids, metric_read.CLOSED_ZERO,
                                     metric_read.Months(start, end), user)
        return {k: {f: r[f] for f in _satisfaction_counts()} for k, r in rows.items()}
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
    if metric_read.enabled() and (month := metric_read.month_start(moment)) is not None:
        return metric_read.per_child(metric_read.backlog_at, region_code, kids, 0, month, user, kinds=kinds)
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
    if metric_read.serves(start, end):
        return _read_with_children(code, start, end, user, kids, basic_weight, summary=summary)
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
    if metric_read.spans_served(spans) and set(counts) <= set(metric_read.RECEIVED):
        return metric_read.by_month(region_code, spans, user, tuple(counts))
    return _per_span(_received_rows(region_code, edges[0][0], edges[-1][1], user,
                                    covered=tuple(counts) == ("received",)), "received_at", edges, counts)


def closed_in_period_by_span(region_code: str, spans: list[tuple[dt.date, dt.date]], *,
                             user: Any = None) -> list[dict[str, int]]:
    """``closed_in_period`` for each (start, end) of ``spans``, in one query."""
    edges = _span_bounds(spans)
    if not edges:
        return []
    if metric_read.spans_served(spans):
        return metric_read.by_month(region_code, spans, user, tuple(_closed_counts()))
    return _per_span(_closed_rows(region_code, edges[0][0], edges[-1][1], user), "closed_at", edges,
                     _closed_counts())


def _read_with_children(code: str, start: dt.date, end: dt.date, user: Any, kids: list[str], basic_weight: float,
                        *, summary: bool) -> tuple[CountySummary | None, dict[str, ChildFigures]]:
    """_with_children from the roll-ups (metric_read): the children's rows grouped by code prefix, the
    place's own figures by the per-region functions (which read the roll-ups too)."""
    m = metric_read.Months(start, end)
    rec = metric_read.per_child(metric_read.received, code, kids, metric_read.RECEIVED_ZERO, m, user)
    due = metric_read.per_child(metric_read.due, code, kids, metric_read.DUE_ZERO, m, user)
    closed = metric_read.per_child(metric_read.closed, code, kids, metric_read.CLOSED_ZERO, m, user)
    back = metric_read.per_child(metric_read.backlog_at, code, kids, 0, m.end, user)
    answers = {k: {f: r[f] for f in _satisfaction_counts()} for k, r in closed.items()}
    rows = _child_figures(kids, rec, closed, due, answers, {k: {"n": n} for k, n in back.items()}, basic_weight)
    if not summary:
        return None, rows
    from .metric_totals import county_summary

    return county_summary(code, start, end, user=user, basic_weight=basic_weight), rows


@dataclass(frozen=True)
class Board:
    """What a dashboard shows from the appeal metrics: the place's summary, its children's rows and the
    trend's months (received; closed and solved), plus the ids of the categories named in the summary
    when the read gave them (None: look them up)."""

    summary: CountySummary
    children: dict[str, ChildFigures]
    trend_received: list[dict[str, int]]
    trend_closed: list[dict[str, int]]
    category_ids: dict[str, int] | None = None


def dashboard(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
              children: list[str] | None = None, months: list[tuple[dt.date, dt.date]] | None = None,
              basic_weight: float = 1.0) -> Board:
    """summary_with_children, received_by_span and closed_in_period_by_span of ``months`` together: from
    the pre-sums in one statement when they serve the place, period and user (metric_read.sheet), else
    by those functions. The same figures either way (tests/appeals/test_rollups.py)."""
    code = regioncode.normalize(region_code)
    kids = _children_of(code, children)
    months = months or []
    board = _board_from_sheet(code, start, end, user, kids, months, basic_weight)
    if board is not None:
        return board
    summary, rows = summary_with_children(code, start, end, user=user, children=kids, basic_weight=basic_weight)
    return Board(summary, rows, received_by_span(code, months, user=user) if months else [],
                 closed_in_period_by_span(code, months, user=user) if months else [])


def _board_from_sheet(code: str, start: dt.date, end: dt.date, user: Any, kids: list[str],
                      months: list[tuple[dt.date, dt.date]], basic_weight: float) -> Board | None:
    if not metric_read.serves(start, end) or (months and not metric_read.spans_served(months)):
        return None
    _l, high = bounds(start, end)
    year_end = _year_before(end)
    _l, year_high = bounds(year_end, year_end)
    m = metric_read.Months(start, end)
    if metric_read.month_start(high) != m.end or (year_before := metric_read.month_start(year_high)) is None:
        return None
    idx = [metric_read.month_index(s) for s, _e in months] or [m.first]
    sheet = metric_read.sheet(code, kids, m, user, year_before, (min(idx), max(idx)))
    if sheet is None:
        return None
    get = sheet.get
    village = {k: regioncode.level_of(k) > regioncode.TOWNSHIP for k in kids}

    def received(r: str) -> dict[str, int]:
        row = {f: get("m", r, f) for f in metric_read.RECEIVED}
        row["assigned_done"] = get("m", r, "assigned_closed")
        homes = "v" if village.get(r) else "h"
        row.update({name: get(homes, r, fig) for fig, name in metric_read._HH.items()})
        return row

    def due(r: str) -> dict[str, int]:
        early = get("e", r, "due_closed")
        return {"due": get("m", r, "due") + early, "closed": get("m", r, "due_closed") + early,
                "on_time": get("m", r, "due_on_time") + early}

    def closed(r: str) -> dict[str, int]:
        return {f: get("m", r, f) for f in (*metric_read.CLOSED_FIGS, *metric_read.SAT_FIGS)}

    def backlog(r: str, before_year: bool = False) -> int:
        keys = (1,) if before_year else (0, 1)
        return sum(get("b", r, "backlog_in", k) - get("b", r, "backlog_out", k) for k in keys)

    rows = _child_figures(kids, {k: received(k) for k in kids}, {k: closed(k) for k in kids},
                          {k: due(k) for k in kids}, {k: closed(k) for k in kids},
                          {k: {"n": backlog(k)} for k in kids}, basic_weight)
    c = closed(code)
    by_group = {g.value: 0 for g in wf.Group if g is not wf.Group.MERGED}
    parts: dict[str, dict[str, int]] = {"category": {}, "group": {}}
    for (tag, part, fig, _k), n in sheet.sums.items():
        if tag == "p" and n:
            parts[fig][part] = n
    by_group.update(parts["group"])
    by_category, category_ids = _category_names(parts["category"])
    summary = _summary_from(code, start, end, user, basic_weight, received(code), due(code),
                            {k: c[k] for k in _closed_counts()}, {k: c[k] for k in _satisfaction_counts()},
                            Backlog(backlog(code), backlog(code, before_year=True)), by_category, by_group)
    trend_received = [{"received": get("t", code, "received", i)} for i in idx] if months else []
    trend_closed = [{f: get("t", code, f, i) for f in _closed_counts()} for i in idx] if months else []
    return Board(summary, rows, trend_received, trend_closed, category_ids)


def _category_names(counts: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """metric_read.by_category's names for counts per category id, and the id each name links to (the
    first active, top-level category of that name, as dashboards.figures picks it), in one query."""
    from .models import Category

    pks = [int(p) for p in counts if p]
    names: dict[int, str] = {}
    ids: dict[str, int] = {}
    if counts:
        same = Category.objects.filter(pk__in=pks).values("name")
        rows = (Category.objects.filter(Q(pk__in=pks) | Q(name__in=same) | Q(name="未分类"))
                .order_by("-is_active", "level", "pk").values_list("pk", "name"))
        for pk, name in rows:
            names[pk] = name
            ids.setdefault(name, pk)
    out: dict[str, int] = {}
    for p, n in counts.items():
        name = names.get(int(p), "未分类") if p else "未分类"
        out[name] = out.get(name, 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))), ids


def _summary_from(code: str, start: dt.date, end: dt.date, user: Any, basic_weight: float, r: dict[str, int],
                  d: dict[str, int], c: dict[str, int], s: dict[str, int], b: Backlog, by_category: dict[str, int],
                  by_group: dict[str, int]) -> CountySummary:
    """metric_totals._summary with the category and group counts given (read with the rest)."""
    return CountySummary(
        region=code, start=start, end=end, received=r["received"],
        response=_rate(r, "responded", "received"), closure=_rate(d, "closed", "due"),
        on_time=_rate(d, "on_time", "due"), resolution=_rate(c, "solved", "closed"),
        explained=c["explained"], closed_unsolved=c["closed_unsolved"],
        satisfaction=_satisfaction(s, basic_weight), satisfaction_counts=s,
        on_spot=r["on_spot"], assigned=r["assigned"], assigned_done=r["assigned_done"], backlog=b,
        funnel=Funnel(r["received"], r["to_township"], r["to_county"], r["found_households"],
                      r["to_township_households"], r["to_county_households"]),
        by_category=by_category, by_group=by_group, basic_weight=basic_weight,
    )
