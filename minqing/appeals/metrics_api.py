"""GET /api/v1/metrics?region=CODE&period=YYYY-MM (or &from=YYYY-MM-DD&to=YYYY-MM-DD)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import metrics

router = Router(tags=["metrics"])

_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")


class MetricsQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    basic_weight: float = 1.0


def parse_period(period: str | None, start: str | None, end: str | None,
                 today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """YYYY-MM, or from/to dates (either may be omitted: the month so far / from its start).
    Raises ValidationError with a Chinese message."""
    if period and (start or end):
        raise ValidationError("period 与 from/to 只能选一种")
    if period:
        m = _PERIOD.match(period.strip())
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
            raise ValidationError(f"统计期间“{period}”无效，应为 YYYY-MM，例如 2024-05")
        y, mo = int(m.group(1)), int(m.group(2))
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
    if not start and not end:
        today = today or dt.date.today()
        return today.replace(day=1), today
    try:
        low = dt.date.fromisoformat(start) if start else None
        high = dt.date.fromisoformat(end) if end else None
    except ValueError as exc:
        raise ValidationError("日期无效，应为 YYYY-MM-DD，例如 2024-05-31") from exc
    low = low or (high.replace(day=1) if high else None)
    high = high or (today or dt.date.today())
    assert low is not None
    if high < low:
        raise ValidationError("结束日期不能早于开始日期")
    if (high - low).days > 3700:
        raise ValidationError("统计期间不能超过十年")
    return low, high


@router.get("", response=dict[str, Any], summary="Metrics of a region subtree and period")
def get_metrics(request, q: Query[MetricsQuery]):
    """响应率, 办结率, 解决率, 满意率, 按期办结率, 立行立改/限期整改, 积案存量 and the escalation
    funnel, each with numerator and denominator. Outside one's figure jurisdiction: 404."""
    scope = jurisdiction.scope_of(request.user)
    raw = q.region or scope.home_code()
    if not raw:
        raise Http404
    try:
        code = regioncode.normalize(raw)
    except regioncode.RegionCodeError:
        raise Http404 from None
    if not scope.sees_figures(code):
        raise Http404
    start, end = parse_period(q.period, q.from_, q.to)
    if not 0 <= q.basic_weight <= 1:
        raise ValidationError("基本满意权重应在 0 到 1 之间")
    summary = metrics.county_summary(code, start, end, user=request.user, basic_weight=q.basic_weight)
    return summary.as_dict()
