"""The figures the seeds print about disputes: "共排查矛盾纠纷23件，解决19件，其余4件均已明确时限和责任人".

Definitions (one cohort: the disputes found in the period, in the region's subtree):
- found: disputes registered (排查登记) between `start` and `end`, both days included, and
  before the cut-off;
- solved: of those, the ones with an agreement reached (调解成功) by the cut-off and not broken
  since (a broken term takes a dispute back to open);
- referred: those sent to a court, an arbitration board or another body by the cut-off;
- open: found − solved − referred; open_with_deadline_and_owner: the open ones with both a
  deadline and a named responsible person (the current mediation stage's);
- the cut-off is the end of `end` or now, whichever is earlier. A dispute whose agreement
  was broken after the cut-off counts as open (its solved time is gone): figures of a past
  period can move a little; the seeds' sentences are written about the current year anyway.
Merged appeals and removed rows never count. Aggregates are visible to anyone whose
jurisdiction holds the region (figure_q), family disputes included, as numbers only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.utils import timezone

from minqing.appeals import workflow as wf
from minqing.lib import regioncode
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import Dispute, DisputeKind


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), TZ)


def _row() -> dict[str, int]:
    return {"found": 0, "solved": 0, "referred": 0, "open": 0, "open_with_deadline_and_owner": 0}


def summary(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
            now: dt.datetime | None = None) -> dict[str, Any]:
    """Figures for the disputes found in [start, end] under region_code (2/4/6/9/12 digits)."""
    code = regioncode.normalize(region_code)
    now = now or timezone.now()
    cutoff = min(now, _start(end + dt.timedelta(days=1)))
    qs = (Dispute.objects.alive()
          .filter(appeal__deleted_at__isnull=True, found_at__gte=_start(start),
                  found_at__lt=cutoff)
          .exclude(appeal__status=wf.Status.MERGED.value)
          .filter(jurisdiction.region_q([code], "appeal__region")))
    if user is not None:
        qs = qs.filter(jurisdiction.figure_q(user, "appeal__region"))
    rows = qs.values_list("kind_id", "appeal__region_id", "found_at", "solved_at", "referred_at", "due_at",
                          "owner_id", "owner_name")
    total = _row()
    by_kind: dict[int, dict[str, int]] = defaultdict(_row)
    by_village: dict[str, dict[str, int]] = defaultdict(_row)
    by_month: dict[str, dict[str, int]] = defaultdict(_row)
    for kind_id, village, found_at, solved_at, referred_at, due_at, owner_id, owner_name in rows:
        if solved_at is not None and solved_at < cutoff:
            state = "solved"
        elif referred_at is not None and referred_at < cutoff:
            state = "referred"
        else:
            state = "open"
        month = found_at.astimezone(TZ).strftime("%Y-%m")
        for bucket in (total, by_kind[kind_id], by_village[village], by_month[month]):
            bucket["found"] += 1
            bucket[state] += 1
            if state == "open" and due_at is not None and (owner_id or owner_name):
                bucket["open_with_deadline_and_owner"] += 1
    kinds = {k.pk: k for k in DisputeKind.objects.filter(pk__in=list(by_kind))}
    names = dict(Region.objects.filter(code__in=list(by_village)).values_list("code", "name"))
    result: dict[str, Any] = {
        "region": code, "from": start, "to": end, **total,
        "by_kind": [{"code": kinds[k].code, "name": kinds[k].name, **v}
                    for k, v in sorted(by_kind.items(), key=lambda kv: (kinds[kv[0]].order, kinds[kv[0]].code))],
        "by_village": [{"code": c, "name": names.get(c, c), **v} for c, v in sorted(by_village.items())],
        "by_month": [{"month": m, **v} for m, v in sorted(by_month.items())],
    }
    result["sentence"] = sentence(result)
    return result


def sentence(s: dict[str, Any]) -> str:
    """The seeds' sentence: 共排查矛盾纠纷23件，解决19件，其余4件均已明确时限和责任人."""
    text = f"共排查矛盾纠纷{s['found']}件，解决{s['solved']}件"
    if s.get("referred"):
        text += f"，依法导入诉讼、仲裁等程序{s['referred']}件"
    if s["open"]:
        done = s["open_with_deadline_and_owner"]
        if done == s["open"]:
            text += f"，其余{s['open']}件均已明确时限和责任人"
        else:
            text += f"，其余{s['open']}件中{done}件已明确时限和责任人"
    return text
