"""The liaison quota (一张表、心连心): every county leader and head of a county department is paired
with at least one key enterprise or project and goes there at least once a month.

Counted like the field-work quotas (minqing.fieldwork.quotas, same row shape and colours), per
enterprise-month: for each month of the report (months that begin after `today` are not yet
required) and each enterprise the person was paired with during that month, one visit is
required; done when the person visited that enterprise that month. A person holding a liaison
post in the region with no pairing at all owes one per month and has done none (red): the rule
says everyone is paired. Green when done ≥ required, yellow when done ≥ ⌈yellow_ratio ×
required⌉, red otherwise.

Kept as this part's own rule rather than a fieldwork QuotaRule measure: QuotaMeasure is a
closed choice list of that part's model, and a new measure would need its migration.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from minqing.accounts.models import Post, User
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .models import EnterpriseVisit, LiaisonPairing
from .services import LIAISON_ROLES


@dataclass(frozen=True)
class LiaisonRule:
    code: str = "enterprise_liaison"
    name: str = "县级领导和部门主要负责人每月至少深入联系企业（项目）1次"
    measure: str = "enterprise_visits"
    target: int = 1
    yellow_ratio: Decimal = Decimal("0.5")


RULE = LiaisonRule()


def months_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    first = start.replace(day=1)
    while first <= end:
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        out.append((first, last))
        first = last + dt.timedelta(days=1)
    return out


def status(done: int, required: int, ratio: Decimal = RULE.yellow_ratio) -> str:
    if done >= required:
        return "green"
    if done >= math.ceil(Decimal(required) * ratio):
        return "yellow"
    return "red"


def _overlaps(q_start: str, q_end: str, start: dt.date, end: dt.date) -> Q:
    return ((Q(**{f"{q_start}__isnull": True}) | Q(**{f"{q_start}__lte": end}))
            & (Q(**{f"{q_end}__isnull": True}) | Q(**{f"{q_end}__gte": start})))


def liaison_report(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
                   today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per person bound: user_id, name, rule, rule_name, measure, required, done, status,
    enterprises (paired during the range), missed (months with an enterprise not visited)."""
    code = regioncode.normalize(region_code)
    today = today or timezone.localdate()
    if user is not None and not jurisdiction.scope_of(user).sees_figures(code):
        return []
    months = [m for m in months_between(start, end) if m[0] <= today]
    if not months:
        return []
    low, high = months[0][0], months[-1][1]
    pairings = list(LiaisonPairing.objects.filter(jurisdiction.region_q([code]), enterprise__deleted_at__isnull=True)
                    .filter(_overlaps("started_on", "ended_on", low, high))
                    .values_list("leader_id", "enterprise_id", "started_on", "ended_on"))
    posts = (Post.objects.filter(role__in=[str(r) for r in LIAISON_ROLES]).filter(jurisdiction.region_q([code]))
             .filter(_overlaps("started_on", "ended_on", low, high)).values_list("user_id", "started_on", "ended_on"))
    post_spans: dict[int, list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
    for uid, s, e in posts:
        post_spans[uid].append((s, e))
    by_leader: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for uid, ent, s, e in pairings:
        by_leader[uid].append((ent, s, e))
    b0 = timezone.make_aware(dt.datetime.combine(low, dt.time()))
    b1 = timezone.make_aware(dt.datetime.combine(high + dt.timedelta(days=1), dt.time()))
    seen: set[tuple[int, int, dt.date]] = set()
    visits = (EnterpriseVisit.objects.alive().filter(visited_at__gte=b0, visited_at__lt=b1,
                                                     visitor_id__in=list(by_leader))
              .values_list("visitor_id", "enterprise_id", "visited_at"))
    for uid, ent, at in visits:
        seen.add((uid, ent, timezone.localtime(at).date().replace(day=1)))

    def active(s: dt.date | None, e: dt.date | None, m0: dt.date, m1: dt.date) -> bool:
        return not ((s and s > m1) or (e and e < m0))

    rows = []
    for uid in set(by_leader) | set(post_spans):
        required = done = 0
        missed = []
        for m0, m1 in months:
            due = [ent for ent, s, e in by_leader.get(uid, ()) if active(s, e, m0, m1)]
            if not due:
                if any(active(s, e, m0, m1) for s, e in post_spans.get(uid, ())):
                    required += RULE.target  # bound but paired with nothing: owed, not done
                    missed.append(f"{m0:%Y-%m}")
                continue
            got = sum(1 for ent in set(due) if (uid, ent, m0) in seen)
            required += RULE.target * len(set(due))
            done += got
            if got < len(set(due)):
                missed.append(f"{m0:%Y-%m}")
        if required:
            rows.append((uid, required, done, len({ent for ent, _s, _e in by_leader.get(uid, ())}), missed))
    users = User.objects.in_bulk([r[0] for r in rows])
    out = [{"user_id": uid, "name": str(users[uid]), "rule": RULE.code, "rule_name": RULE.name,
            "measure": RULE.measure, "required": required, "done": done, "status": status(done, required),
            "enterprises": paired, "missed": missed}
           for uid, required, done, paired, missed in rows if uid in users]
    running = {f"{m0:%Y-%m}" for m0, m1 in months if m1 >= today}
    for r in out:  # short only in the month still running: 进行中, no 红牌 on the 2nd of the month
        if r["status"] != "green" and set(r["missed"]) <= running:
            r["status"] = "ongoing"
    order = {"red": 0, "yellow": 1, "ongoing": 2, "green": 3}
    out.sort(key=lambda r: (order[r["status"]], r["name"], r["user_id"]))
    return out


def liaison_extent(code: str, start: dt.date, end: dt.date, user: Any) -> dict[str, int]:
    """What liaison_report does not count: the key enterprises (projects) of the region with a leader
    paired during the period, and the visits paired leaders paid them in it (every visit, not one a
    month). Enterprise rows are not personal data; they still come through the jurisdiction filter."""
    from minqing.lib.periods import bounds

    from .models import Enterprise

    ents = Enterprise.objects.filter(jurisdiction.region_q([code]))
    if user is not None:
        ents = jurisdiction.visible(user, ents)
    pairings = (LiaisonPairing.objects.filter(enterprise__in=ents.values("pk"))
                .filter(Q(started_on__isnull=True) | Q(started_on__lte=end))
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
                .values_list("leader_id", "enterprise_id", "started_on", "ended_on"))
    spans: dict[tuple[int, int], list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
    for leader, ent, s, e in pairings:
        spans[(leader, ent)].append((s, e))
    low, high = bounds(start, end)
    visits = 0
    for leader, ent, at in (EnterpriseVisit.objects.alive()
                            .filter(enterprise_id__in={k[1] for k in spans}, visited_at__gte=low, visited_at__lt=high)
                            .values_list("visitor_id", "enterprise_id", "visited_at")):
        day = timezone.localtime(at).date()
        if any((s is None or s <= day) and (e is None or e >= day) for s, e in spans.get((leader, ent), ())):
            visits += 1
    return {"enterprises": len({k[1] for k in spans}), "visits": visits}


def liaison_section(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """The part's figures for dashboards, briefings and /api/v1/metrics/liaison (minqing.lib.figures)."""
    rows = liaison_report(code, start, end, user=user)
    counts = {k: sum(1 for r in rows if r["status"] == k) for k in ("green", "yellow", "red", "ongoing")}
    return {"rule": RULE.name, "people": len(rows), **counts, "required": sum(r["required"] for r in rows),
            "done": sum(r["done"] for r in rows), **liaison_extent(code, start, end, user), "rows": rows}
