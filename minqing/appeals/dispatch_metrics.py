"""退单率 and each unit's on-time rate by its own part, registered as the "dispatch" section of the
figures registry (minqing.lib.figures): the dashboard, the briefing and /api/v1/metrics/dispatch read it.

退单率 of a unit = the 退单 it filed in the period / the cases and 协办 parts it received in the period
(交办, 转办, 改派, 协办). A case counts once in every other figure: co-units are parts, not cases.
Only cases the reader may count are read (metric_rows.appeals: the subtree, the jurisdiction, 举报 rules).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Q

from minqing.accounts.models import Unit
from minqing.lib.periods import bounds

from . import metric_read, rollups
from .metric_rows import appeals
from .metric_values import Rate
from .models import AppealEvent, CoUnit

RECEIPTS = rollups.RECEIPTS


def _unit_counts(events) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for unit, n in events.values("payload__unit").annotate(n=Count("id")).values_list("payload__unit", "n"):
        if unit not in (None, ""):
            out[str(unit)] += n
    return out


def _from_rollups(code: str, start: dt.date, end: dt.date, user: Any
                  ) -> tuple[dict[str, int], dict[str, int], dict[str, list[int]]]:
    c = metric_read.dispatch(code, start, end, user)
    done: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for unit, n in c["d_led"].items():
        done[unit][0:2] = [c["d_led_ok"].get(unit, 0), n]
    for unit, n in c["d_co"].items():
        done[unit][2:4] = [c["d_co_ok"].get(unit, 0), n]
    return c["d_return"], c["d_received"], done


def section(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    if metric_read.serves(start, end):  # whole months: the roll-ups (the same counts, a few rows)
        returns, received, done = _from_rollups(code, start, end, user)
    else:
        returns, received, done = _raw(code, start, end, user)
    return _section(returns, received, done)


def _raw(code: str, start: dt.date, end: dt.date, user: Any
         ) -> tuple[dict[str, int], dict[str, int], dict[str, list[int]]]:
    """The definition on the events, cases and 协办 parts."""
    low, high = bounds(start, end)
    cases = appeals(code, user=user).values("id")
    events = AppealEvent.objects.filter(appeal_id__in=cases, at__gte=low, at__lt=high)
    returns = _unit_counts(events.filter(action="return"))
    received = _unit_counts(events.filter(action__in=RECEIPTS).exclude(
        Q(action="review") & ~Q(payload__decision="assign")))
    # each unit's on-time rate by its own part: the cases it led that closed in the period, and the 协办
    # parts it answered in the period
    led = (appeals(code, user=user).filter(closed_at__gte=low, closed_at__lt=high, unit__isnull=False)
           .values_list("unit_id").annotate(n=Count("id"), ok=Count("id", filter=Q(closed_on_time=True))))
    parts = (CoUnit.objects.filter(appeal_id__in=cases, answered_at__gte=low, answered_at__lt=high)
             .values_list("unit_id").annotate(n=Count("id"), ok=Count("id", filter=Q(answered_at__lte=F("due_at")))))
    done: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # led ok, led n, parts ok, parts n
    for unit_id, n, ok in led:
        done[str(unit_id)][0:2] = [ok, n]
    for unit_id, n, ok in parts:
        done[str(unit_id)][2:4] = [ok, n]
    return returns, received, done


def _section(returns: dict[str, int], received: dict[str, int], done: dict[str, list[int]]) -> dict[str, Any]:
    keys = sorted(set(returns) | set(received) | set(done), key=lambda k: (-returns.get(k, 0), k))
    names = dict(Unit.objects.filter(pk__in=[int(k) for k in keys if k.isdigit()]).values_list("pk", "name"))
    units = []
    for k in keys:
        if not k.isdigit():
            continue
        d = done[k]
        units.append({"unit_id": int(k), "unit": names.get(int(k), k),
                      "returns": Rate(returns.get(k, 0), received.get(k, 0)),
                      "on_time": Rate(d[0] + d[2], d[1] + d[3]), "co_parts": d[3]})
    total = Rate(sum(returns.values()), sum(received.values()))
    return {"return_rate": total, "units": units}

