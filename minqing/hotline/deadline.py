"""A 12345 work order's 办理时限 as the outer deadline of the case it became: the hotline judges the
county's 按时办结率 by it, so the county's own default may not run past it (appeals.deadlines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minqing.appeals.models import Channel

from .models import HotlineOrder

LABEL = "12345工单办理时限"


def order_time_limit(appeal: Any) -> tuple[dt.datetime, str] | None:
    if appeal.channel != Channel.HOTLINE.value:  # no query for the other cases
        return None
    limit = HotlineOrder.objects.filter(appeal_id=appeal.pk).values_list("time_limit", flat=True).first()
    return (limit, LABEL) if limit is not None else None
