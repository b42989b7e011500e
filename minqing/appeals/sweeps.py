"""The deadline sweep (红黄灯预警): run every few minutes by `minqing sweep` (cron or a timer).

Each row is claimed with a conditional UPDATE (…WHERE warning = <what we read>), so two sweeps
running at once never both record the same case turning red (healthchecks' sendalerts pattern).
Only open cases carry a light: a paused case's clock is stopped, a closed case's light is cleared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.lib.workdays import warning_level

from . import hooks
from . import workflow as wf
from .models import Appeal, AppealEvent

LIGHT = {"green": "", "yellow": "yellow", "red": "red"}


@dataclass
class SweepResult:
    yellow: int = 0  # cases that turned yellow
    red: int = 0  # cases that turned red (one 'overdue' event each)
    cleared: int = 0  # lights switched off (closed, or deadline moved later)


def sweep(now: dt.datetime | None = None, batch: int = 2000) -> SweepResult:
    """Set each open case's light from its deadline; record an event when one turns red.
    Steps: 1. clear the lights of cases no longer open; 2. walk open cases with a deadline in
    pk order, batch by batch; 3. claim each change with a conditional UPDATE."""
    now = now or timezone.now()
    result = SweepResult()
    result.cleared += Appeal.objects.exclude(group=wf.Group.OPEN.value).exclude(warning="").update(warning="")
    open_cases = Appeal.objects.filter(group=wf.Group.OPEN.value, due_at__isnull=False, deleted_at__isnull=True)
    last = 0
    while True:
        rows = list(open_cases.filter(pk__gt=last).order_by("pk")
                    .values_list("pk", "due_at", "received_at", "warning")[:batch])
        if not rows:
            break
        last = rows[-1][0]
        for pk, due, started, current in rows:
            wanted = LIGHT[warning_level(now, due, started)]
            if wanted == current:
                continue
            if wanted == "red":
                result.red += _turn_red(pk, current, now)
            elif wanted == "yellow":
                result.yellow += _turn_yellow(pk, current, now)
            elif Appeal.objects.filter(pk=pk, warning=current).update(warning=wanted):
                result.cleared += 1
    return result


@transaction.atomic
def _turn_red(pk: int, current: str, now: dt.datetime) -> int:
    if not Appeal.objects.filter(pk=pk, warning=current, group=wf.Group.OPEN.value).update(warning="red"):
        return 0  # another sweep (or an action) got there first
    a = Appeal.objects.only("pk", "region_id", "status", "level", "due_at", "number").get(pk=pk)
    payload = {"due": a.due_at.isoformat()}
    event = AppealEvent.objects.create(appeal_id=pk, region_id=a.region_id, action="overdue", from_status=a.status,
                               to_status=a.status, level=a.level, at=now, payload=payload, reason="超过办理期限")
    record("appeal.overdue", obj=a, changes=payload, reason="超过办理期限", at=now)
    hooks.changed(hooks.Change(appeal=Appeal.objects.get(pk=pk), action="overdue", actor=None, at=now, event=event))
    return 1


@transaction.atomic
def _turn_yellow(pk: int, current: str, now: dt.datetime) -> int:
    """Yellow is no workflow event; the parts above hear of it (the notices' 黄灯预警)."""
    if not Appeal.objects.filter(pk=pk, warning=current).update(warning="yellow"):
        return 0
    hooks.changed(hooks.Change(appeal=Appeal.objects.get(pk=pk), action=hooks.WARNING_YELLOW, actor=None, at=now))
    return 1


def periodic_sweep() -> str:
    """The sweep as the job runner's periodic task (jobs/periodic.py), with the day's audit checkpoint,
    as `minqing sweep` writes it."""
    from minqing.audit.checkpoint import ensure_today

    r = sweep()
    ensure_today()
    return f"黄灯 {r.yellow} 件，红灯 {r.red} 件，熄灯 {r.cleared} 件"
