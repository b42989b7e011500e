"""Demo data of the notices: the county's log-only SMS channel (messages are written to the log, none
sent) and the staff inboxes filled from the last weeks' assignments, 催办 and 督办 of open cases, so a
demo handler sees what is new for them. Through the same trigger code the live site runs."""

from __future__ import annotations

import datetime as dt

from minqing.appeals import hooks
from minqing.appeals.models import AppealEvent

from . import services, triggers

COUNTY = "511722000000"


def load(**context) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
    now = context.get("now")
    sms = services.add_endpoint(actor=None, kind="sms", region_code=COUNTY, provider="log",
                                name="演示短信（仅记录日志）")
    if now is not None:  # dated at the load's moment, not the wall clock (nothing in the demo after it)
        type(sms).objects.filter(pk=sms.pk).update(created_at=now, updated_at=now)
    events = (AppealEvent.objects.filter(action__in=("assign", "remind", "supervise"), appeal__group="open",
                                         appeal__handler__isnull=False)
              .select_related("appeal", "actor", "appeal__region", "appeal__category", "appeal__handler"))
    if now is not None:
        events = events.filter(at__gte=now - dt.timedelta(days=21))
    for event in events.order_by("-at", "-id")[:300]:
        change = hooks.Change(appeal=event.appeal, action=event.action, actor=event.actor, at=event.at, event=event)
        triggers.staff_only(change)
