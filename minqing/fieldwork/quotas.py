"""Field-work quotas (the seeds' rules) and each person's compliance with them.

A rule (QuotaRule, configurable per county; the seeds' defaults below apply while a county has
none) binds the holders of some posts and counts one thing per period:

- onsite_office_days: distinct days the person led or joined an on-site office day (现场办公);
- frontline_days: distinct days the person was in the field at all (a visit, as visitor or
  companion, or any activity, as leader or participant) — 下基层天数;
- paired_visits: for every household paired to the person (accounts.Pairing) and every month
  the pairing ran, whether the person visited it that month (target visits per household-month);
- reception_days: months in which the person held a reception day (接待日) on their set day
  (days_of_month by post: the county secretary the 10th, the county head the 20th; a set day
  falling on a weekend moves to the Monday after).

A report range is widened to the whole rule periods it touches (a monthly report of a quarterly
rule looks at the quarter); periods (and reception days) that begin after `today` are not yet
required. Per period, done = min(count, target): a busy quarter does not make
up for an empty one. required = Σ target; status green when done ≥ required, yellow when done ≥
yellow_ratio × required, red otherwise. People bound: holders of a post of the rule during the
range, posted inside the report's region (for paired_visits: the cadres with paired households
there). A person with nothing required is not listed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minqing.accounts.models import Pairing, Post, User
from minqing.accounts.roles import VILLAGE_CADRE_ROLES, Role
from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction

from .models import Activity, ActivityKind, QuotaMeasure, QuotaPeriod, QuotaRule, Visit


@dataclass
class Rule:
    """A rule as the report reads it (a QuotaRule row or one of the defaults)."""

    code: str
    name: str
    roles: list[str]
    measure: str
    target: int
    period: str
    days_of_month: dict[str, int] = field(default_factory=dict)
    yellow_ratio: Decimal = Decimal("0.5")


DEFAULT_RULES = [
    Rule("onsite_office", "县级领导每季度至少现场办公1天",
         [Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER], QuotaMeasure.ONSITE_OFFICE_DAYS, 1,
         QuotaPeriod.QUARTER),
    Rule("frontline_days", "部门负责人每年下基层不少于10天", [Role.DEPT_HEAD], QuotaMeasure.FRONTLINE_DAYS, 10,
         QuotaPeriod.YEAR),
    Rule("paired_visits", "村干部每月走访全部包联户", sorted(VILLAGE_CADRE_ROLES), QuotaMeasure.PAIRED_VISITS, 1,
         QuotaPeriod.MONTH, yellow_ratio=Decimal("0.8")),
    Rule("reception_days", "县委书记每月10日、县长每月20日接访", [Role.COUNTY_SECRETARY, Role.COUNTY_HEAD],
         QuotaMeasure.RECEPTION_DAYS, 1, QuotaPeriod.MONTH,
         days_of_month={Role.COUNTY_SECRETARY.value: 10, Role.COUNTY_HEAD.value: 20}),
]


@transaction.atomic
def install_defaults(county_code: str) -> list[QuotaRule]:
    """Write the seeds' rules for a county (so it can edit them); existing codes are kept."""
    out = []
    for r in DEFAULT_RULES:
        row, _ = QuotaRule.objects.get_or_create(
            region_id=county_code, code=r.code,
            defaults={"name": r.name, "roles": [str(x) for x in r.roles], "measure": r.measure, "target": r.target,
                      "period": r.period, "days_of_month": dict(r.days_of_month), "yellow_ratio": r.yellow_ratio})
        out.append(row)
    return out


def rules_for(region_code: str) -> list[Rule]:
    county = regioncode.normalize(regioncode.county_of(region_code))
    rows = list(QuotaRule.objects.filter(region_id=county))
    if not rows:
        return list(DEFAULT_RULES)
    return [Rule(r.code, r.name, list(r.roles), r.measure, r.target, r.period, dict(r.days_of_month or {}),
                 Decimal(r.yellow_ratio)) for r in rows if r.is_active]


# --- periods --------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The rule period (month, quarter, year) containing a day."""
    if period == QuotaPeriod.MONTH:
        return day.replace(day=1), _month_end(day.year, day.month)
    if period == QuotaPeriod.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        return dt.date(day.year, first, 1), _month_end(day.year, first + 2)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def periods_between(start: dt.date, end: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    low, high = period_of(start, period)
    while low <= end:
        out.append((low, high))
        low, high = period_of(high + dt.timedelta(days=1), period)
    return out


def months_between(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    return periods_between(start, end, QuotaPeriod.MONTH)


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _in_post_q(start: dt.date, end: dt.date) -> Q:
    return (Q(started_on__isnull=True) | Q(started_on__lte=end)) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))


# --- counting -------------------------------------------------------------------------------


def field_days(user_ids: Iterable[int], start: dt.date, end: dt.date, *,
               kinds: Iterable[str] | None = None, visits: bool = True) -> dict[int, set[dt.date]]:
    """The days each person was in the field: activities they led or joined (of `kinds` when
    given), and, when `visits`, the visits they made or joined."""
    ids = set(user_ids)
    low, high = bounds(start, end)
    days: dict[int, set[dt.date]] = defaultdict(set)
    acts = Activity.objects.alive().filter(held_at__gte=low, held_at__lt=high)
    if kinds is not None:
        acts = acts.filter(kind__in=list(kinds))
    for uid, at in acts.filter(leader_id__in=ids).values_list("leader_id", "held_at"):
        days[uid].add(_day(at))
    for uid, at in acts.filter(participants__in=ids).values_list("participants", "held_at"):
        days[uid].add(_day(at))
    if visits:
        vs = Visit.objects.alive().filter(visited_at__gte=low, visited_at__lt=high)
        for uid, at in vs.filter(visitor_id__in=ids).values_list("visitor_id", "visited_at"):
            days[uid].add(_day(at))
        for uid, at in vs.filter(companions__in=ids).values_list("companions", "visited_at"):
            days[uid].add(_day(at))
    return days


def reception_day(year: int, month: int, day_of_month: int) -> dt.date:
    d = dt.date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


ONGOING = "ongoing"  # 进行中: the period of the quota runs on; judged when it ends


def _status(done: int, required: int, ratio: Decimal) -> str:
    if done >= required:
        return "green"
    if done >= math.ceil(Decimal(required) * ratio):
        return "yellow"
    return "red"


def _row(user: User, rule: Rule, required: int, done: int) -> dict[str, Any]:
    return {"user_id": user.pk, "name": str(user), "rule": rule.code, "rule_name": rule.name, "measure": rule.measure,
            "required": required, "done": done, "status": _status(done, required, rule.yellow_ratio)}


def _bound_posts(rule: Rule, region_code: str, start: dt.date, end: dt.date) -> dict[int, set[str]]:
    """person → the roles of the rule they held in the region during the range."""
    posts = (Post.objects.filter(role__in=[str(r) for r in rule.roles]).filter(_in_post_q(start, end))
             .filter(jurisdiction.region_q([region_code])).values_list("user_id", "role"))
    out: dict[int, set[str]] = defaultdict(set)
    for uid, role in posts:
        out[uid].add(role)
    return out


def _day_rule(rule: Rule, region_code: str, start: dt.date, end: dt.date,
              today: dt.date) -> list[tuple[int, int, int]]:
    bound = _bound_posts(rule, region_code, start, end)
    periods = [p for p in periods_between(start, end, rule.period) if p[0] <= today]
    if not periods:
        return []
    low, high = periods[0][0], periods[-1][1]
    kinds = [ActivityKind.ONSITE_OFFICE] if rule.measure == QuotaMeasure.ONSITE_OFFICE_DAYS else None
    days = field_days(bound, low, high, kinds=kinds, visits=kinds is None)
    out = []
    for uid in bound:
        done = sum(min(rule.target, sum(1 for d in days.get(uid, ()) if p0 <= d <= p1)) for p0, p1 in periods)
        out.append((uid, rule.target * len(periods), done))
    return out


def _reception_rule(rule: Rule, region_code: str, start: dt.date, end: dt.date,
                    today: dt.date) -> list[tuple[int, int, int]]:
    bound = _bound_posts(rule, region_code, start, end)
    months = [m for m in months_between(start, end) if m[0] <= today]
    if not months:
        return []
    days = field_days(bound, months[0][0], months[-1][1], kinds=[ActivityKind.RECEPTION], visits=False)
    out = []
    for uid, roles in bound.items():
        set_days = sorted({int(rule.days_of_month[r]) for r in roles if r in rule.days_of_month})
        if not set_days:
            continue
        required = done = 0
        for m0, _m1 in months:
            for sd in set_days:
                target = reception_day(m0.year, m0.month, sd)
                if target > today:
                    continue
                required += rule.target
                done += min(rule.target, 1 if target in days.get(uid, ()) else 0)
        out.append((uid, required, done))
    return out


def _paired_rule(rule: Rule, region_code: str, start: dt.date, end: dt.date,
                 today: dt.date) -> list[tuple[int, int, int]]:
    months = [m for m in months_between(start, end) if m[0] <= today]
    if not months:
        return []
    low, high = months[0][0], months[-1][1]
    # Subqueries, not id lists: a county holds ~300 000 paired households (SQLite caps IN lists at 32 766).
    holders = Post.objects.filter(role__in=[str(r) for r in rule.roles]).filter(_in_post_q(low, high))
    paired = (Pairing.objects.filter(household__isnull=False, cadre_id__in=holders.values("user_id"),
                                     household__deleted_at__isnull=True)
              .filter(jurisdiction.region_q([region_code])).filter(_in_post_q(low, high)))
    pairings = paired.values_list("cadre_id", "household_id", "started_on", "ended_on")
    by_cadre: dict[int, list[tuple[int, dt.date | None, dt.date | None]]] = defaultdict(list)
    for cadre, hh, s, e in pairings:
        by_cadre[cadre].append((hh, s, e))
    if not by_cadre:
        return []
    b0, b1 = bounds(low, high)
    seen: Counter[tuple[int, int, dt.date]] = Counter()  # (cadre, household, month start) → visits
    vs = Visit.objects.alive().filter(visited_at__gte=b0, visited_at__lt=b1,
                                      household_id__in=paired.values("household_id")).order_by()
    # The visitor and every companion of those visits in one statement (a LEFT JOIN: one row per
    # companion, or one with none); a companion is kept when paired: a `companions IN (paired cadres)`
    # condition made SQLite probe the companion index once per visit and cadre (1.9 s on the demo
    # county's month).
    counted: set[int] = set()
    for pk, uid, companion, hh, at in vs.values_list("pk", "visitor_id", "companions", "household_id", "visited_at"):
        month = _day(at).replace(day=1)
        if pk not in counted:
            counted.add(pk)
            seen[(uid, hh, month)] += 1
        if companion is not None and companion in by_cadre:
            seen[(companion, hh, month)] += 1
    out = []
    for cadre, rows in by_cadre.items():
        required = done = 0
        for m0, m1 in months:
            for hh, s, e in rows:
                if (s and s > m1) or (e and e < m0):
                    continue
                required += rule.target
                done += min(rule.target, seen[(cadre, hh, m0)])
        out.append((cadre, required, done))
    return out


MEASURES = {
    QuotaMeasure.ONSITE_OFFICE_DAYS: _day_rule,
    QuotaMeasure.FRONTLINE_DAYS: _day_rule,
    QuotaMeasure.RECEPTION_DAYS: _reception_rule,
    QuotaMeasure.PAIRED_VISITS: _paired_rule,
}


def report(region_code: str, start: dt.date, end: dt.date, *, user: Any = None,
           today: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per person and rule, sorted by rule, then worst status first, then name."""
    code = regioncode.normalize(region_code)
    today = today or timezone.localdate()
    if user is not None and not jurisdiction.scope_of(user).sees_figures(code):
        return []
    rows: list[dict[str, Any]] = []
    rules = rules_for(code)
    for rule in rules:
        counted = [(u, r, d) for u, r, d in MEASURES[QuotaMeasure(rule.measure)](rule, code, start, end, today)
                   if r > 0]
        users = User.objects.in_bulk([u for u, _r, _d in counted])
        rows.extend(_row(users[u], rule, r, d) for u, r, d in counted if u in users)
    # A report that lies inside the rule's period still running (this month, for a monthly rule) judges
    # nothing yet: a shortfall is 进行中, not 未达标 (no 红牌 on the 2nd of the month). A report that
    # also covers ended periods (a year seen in February) judges them as before.
    running = {rule.code for rule in rules if end >= today and period_of(today, rule.period)[0] <= start}
    for r in rows:
        if r["rule"] in running and r["status"] != "green":
            r["status"] = ONGOING
    order = {"red": 0, "yellow": 1, ONGOING: 2, "green": 3}
    rows.sort(key=lambda r: (r["rule"], order[r["status"]], r["name"], r["user_id"]))
    return rows
