"""GET /api/v1/metrics?region=CODE&period=YYYY-MM (or &from=YYYY-MM-DD&to=YYYY-MM-DD)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from minqing.api.schemas import Error
from minqing.lib import figures, periods, replica
from minqing.regions import jurisdiction

from . import metrics

router = Router(tags=["metrics"])



class MetricsQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    basic_weight: float = 1.0


def _figure_region(request, raw: str | None) -> str:
    """The region asked for (default: one's own), full code; outside one's figures: 404."""
    return jurisdiction.figure_region(request.user, raw)


@router.get("", response=dict[str, Any], summary="Metrics of a region subtree and period")
def get_metrics(request, q: Query[MetricsQuery]):
    """响应率, 办结率, 解决率, 满意率, 按期办结率, 立行立改/限期整改, 积案存量 and the escalation
    funnel, each with numerator and denominator. Outside one's figure jurisdiction: 404.
    The other parts' figures: /metrics/<part> (fieldwork, checklists, liaison, disputes)."""
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period, q.from_, q.to)
    if not 0 <= q.basic_weight <= 1:
        raise ValidationError("基本满意权重应在 0 到 1 之间")
    with replica.figures():
        summary = metrics.county_summary(code, start, end, user=request.user, basic_weight=q.basic_weight)
    return summary.as_dict()


class PartQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None


@router.get("/{part}", response={200: dict[str, Any], 503: Error},
            summary="One part's figures of a region subtree and period")
def metrics_part(request, part: str, q: Query[PartQuery]):
    """The section a part registers (minqing.lib.figures): `fieldwork` (coverage, quotas, visit rounds),
    `checklists` (两不愁三保障: households checked, failing and cleared, per item and per round),
    `liaison` (一张表、心连心: leaders' monthly visits to key enterprises), `disputes` (矛盾纠纷排查化解:
    found, solved, referred, open, by kind, village and month). Unknown part: 404; a part that cannot
    be computed now: 503 with "此项暂时无法计算"."""
    if figures.section(part) is None:
        raise Http404
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period, q.from_, q.to)
    with replica.figures():
        data = figures.compute(part, code, start, end, user=request.user)
    if isinstance(data, figures.Unavailable):
        return Status(503, {"detail": data.message})
    return {"region": code, "from": start, "to": end, **data}
