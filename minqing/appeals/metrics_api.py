"""GET /api/v1/metrics?region=CODE&period=YYYY-MM (or &from=YYYY-MM-DD&to=YYYY-MM-DD)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from pydantic import Field

from minqing.lib import periods
from minqing.regions import jurisdiction

from . import metrics

router = Router(tags=["metrics"])



class MetricsQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    basic_weight: float = 1.0


def parse_period(period: str | None, start: str | None, end: str | None,
                 today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """YYYY-MM, YYYY-Qn, YYYY, or from/to dates (either may be omitted); nothing → the month so far.
    Raises ValidationError with a Chinese message."""
    if period and (start or end):
        raise ValidationError("period 与 from/to 只能选一种")
    if not (period or start or end):
        today = today or dt.date.today()
        return today.replace(day=1), today
    p = periods.parse(period, start, end, today=today)
    return p.start, p.end


def _figure_region(request, raw: str | None) -> str:
    """The region asked for (default: one's own), full code; outside one's figures: 404."""
    return jurisdiction.figure_region(request.user, raw)


@router.get("", response=dict[str, Any], summary="Metrics of a region subtree and period")
def get_metrics(request, q: Query[MetricsQuery]):
    """响应率, 办结率, 解决率, 满意率, 按期办结率, 立行立改/限期整改, 积案存量 and the escalation
    funnel, each with numerator and denominator. Outside one's figure jurisdiction: 404.
    The other parts' figures: /metrics/disputes, /metrics/checklists, /metrics/liaison."""
    code = _figure_region(request, q.region)
    start, end = parse_period(q.period, q.from_, q.to)
    if not 0 <= q.basic_weight <= 1:
        raise ValidationError("基本满意权重应在 0 到 1 之间")
    summary = metrics.county_summary(code, start, end, user=request.user, basic_weight=q.basic_weight)
    return summary.as_dict()


class PartQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None


@router.get("/disputes", response=dict[str, Any], summary="Dispute figures of a region subtree and period")
def metrics_disputes(request, q: Query[PartQuery]):
    """矛盾纠纷排查化解 (minqing.disputes.metrics.summary): found, solved, referred, open and open with a
    deadline and a person responsible, by kind, village and month, and the seeds' sentence."""
    from minqing.disputes.metrics import summary

    code = _figure_region(request, q.region)
    start, end = parse_period(q.period, q.from_, q.to)
    return summary(code, start, end, user=request.user)


@router.get("/checklists", response=dict[str, Any], summary="Household checklist figures (两不愁三保障)")
def metrics_checklists(request, q: Query[PartQuery]):
    """Households checked, failing and cleared (清零) in the period, over all items (households) and per
    item (items), and the found → cleared funnel after each visit round of the period's year (rounds)."""
    from minqing.checklists import metrics as cm

    code = _figure_region(request, q.region)
    start, end = parse_period(q.period, q.from_, q.to)
    return {"region": code, "from": start, "to": end,
            "households": cm.household_totals(code, start, end, user=request.user),
            "items": cm.item_counts(code, start, end, user=request.user), "year": end.year,
            "rounds": cm.clearance_by_round(code, end.year, user=request.user)}


@router.get("/liaison", response=dict[str, Any], summary="Leaders' monthly visits to key enterprises")
def metrics_liaison(request, q: Query[PartQuery]):
    """一张表、心连心: one row per bound leader (minqing.enterprises.metrics.liaison_report) with the
    green/yellow/red counts, the paired key enterprises (projects) and the visits paired leaders paid."""
    from minqing.dashboards.figures import liaison_extent
    from minqing.enterprises.metrics import RULE, liaison_report

    code = _figure_region(request, q.region)
    start, end = parse_period(q.period, q.from_, q.to)
    rows = liaison_report(code, start, end, user=request.user)
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in ("green", "yellow", "red")}
    return {"region": code, "from": start, "to": end, "rule": RULE.name, "people": len(rows), **counts,
            "required": sum(r["required"] for r in rows), "done": sum(r["done"] for r in rows),
            **liaison_extent(code, start, end, request.user), "rows": rows}
