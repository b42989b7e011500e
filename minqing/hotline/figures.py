"""The county's 12345 figures (三率): 按时办结率, 问题解决率 and 群众满意率 — the appeals metrics'
own definitions (docs/domain.md "Metrics": 按期办结率, 解决率, 满意率) computed on the channel-12345
cases alone (appeals.metric_rows.only_channel), plus how many orders came in. Registered in
minqing.lib.figures as the section "hotline" (/api/v1/metrics/hotline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minqing.appeals import metric_rows, metrics
from minqing.appeals.models import Channel

BASIC_WEIGHT = 1.0  # the metrics API's default weight of 基本满意


def section(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    with metric_rows.only_channel(Channel.HOTLINE.value):
        received = metrics.received(region_code, start, end, user=user)
        on_time = metrics.on_time_rate(region_code, start, end, user=user)
        resolution = metrics.resolution_rate(region_code, start, end, user=user)
        counts = metrics.satisfaction_counts(region_code, start, end, user=user)
        satisfaction = metrics.satisfaction_rate(region_code, start, end, user=user, basic_weight=BASIC_WEIGHT)
    return {"received": received.get("received") or 0, "on_time": on_time, "resolution": resolution,
            "satisfaction": satisfaction, "satisfaction_counts": counts, "basic_weight": BASIC_WEIGHT}
