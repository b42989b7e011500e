"""The figures of work with the people, for any region subtree and period (dates inclusive, county
time zone), each defined once as a row filter and named aggregates (as minqing.appeals.metric_rows
does), and counted over one subtree or per child place from that same definition:

- 走访群众人次 (visits.people): Σ people_met of the visits in the period (the residents met from the
  register plus those met who are not on it, at least one a visit); beside it the visits and the
  distinct households visited.
- 开展活动场次 / 参与群众人次 (meetings.sessions / meetings.people): the group meetings with residents
  (院坝会, 村民大会, 田坎议事, 坝坝会, 宣讲, 农民夜校, 现场调解 — MEETING_KINDS) held in the period, and
  Σ their attendance (never below the roster of attendees; a meeting with no number counts 0).
- help at the door (help.*): the VisitHelp rows of visits in the period: 慰问金 = Σ amount of kind
  condolence_money (元); 慰问物资 = Σ goods_count of every kind (件); 生存认证 = rows of kind
  survival_check (人次); 临时救助 = rows of kind temporary_relief and Σ their amount (元); the distinct
  households helped.
- 带案下访 (cases_down.*): visits and on-site office days in the period linked to cases, made by a
  county-level leader (a post of role 县委书记/县长/县级领导 in force on the day): the distinct
  leaders, the distinct cases, and of those the cases closed solved after being taken down and by
  the period's end. Place: where the leader went.
- 集访 (group_petitions.<level>.*): batches (one GroupPetition each) and Σ headcount by level (到县,
  到市 …) dated in the period, beside the same span one year earlier; change = (now − before) ÷
  before, in batches. Place: the case's; merged or deleted cases never count.
- 为民办实事 (deeds.*): practical things done in the period: count, Σ beneficiaries, Σ cost, linked to a case.
- 关爱服务档案 (care.*): files open at the period's end, by kind.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Count, DecimalField, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr

from minqing.accounts.models import Post
from minqing.accounts.roles import Role
from minqing.appeals import workflow as wf
from minqing.appeals.metric_groups import _children_of, _per_child
from minqing.appeals.metric_rows import _scoped, _year_before
from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions.models import Region

from .models import (
    MEETING_KINDS,
    Activity,
    ActivityKind,
    CareFile,
    CareKind,
    Deed,
    GroupPetition,
    HelpKind,
    PetitionLevel,
    Visit,
    VisitHelp,
)

COUNTY_LEADER_ROLES = (Role.COUNTY_SECRETARY.value, Role.COUNTY_HEAD.value, Role.COUNTY_LEADER.value)
DOWN_KINDS = (ActivityKind.ONSITE_OFFICE.value,)  # days a leader spends in a village with the cases


@dataclass(frozen=True)
class Definition:
    """A set of figures: the rows they count and the aggregate of each (in the rows' own fields)."""

    rows: Callable[[str, dt.date, dt.date, Any], QuerySet]
    counts: Callable[[], dict[str, Any]]
    field: str = "region"  # the place column the rows are grouped by


def _visit_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    low, high = bounds(start, end)
    return _scoped(Visit.objects.filter(deleted_at__isnull=True, visited_at__gte=low, visited_at__lt=high),
                   code, user, "region")


def _meeting_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    low, high = bounds(start, end)
    return _scoped(Activity.objects.filter(deleted_at__isnull=True, kind__in=sorted(MEETING_KINDS),
                                           held_at__gte=low, held_at__lt=high), code, user, "region")


def _help_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    low, high = bounds(start, end)
    return _scoped(VisitHelp.objects.filter(visit__deleted_at__isnull=True, visit__visited_at__gte=low,
                                            visit__visited_at__lt=high), code, user, "region")


def _petition_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    return _scoped(GroupPetition.objects.filter(occurred_on__gte=start, occurred_on__lte=end,
                                                appeal__deleted_at__isnull=True)
                   .exclude(appeal__group=wf.Group.MERGED.value), code, user, "region")


def _deed_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    return _scoped(Deed.objects.filter(deleted_at__isnull=True, done_on__gte=start, done_on__lte=end),
                   code, user, "region")


def _care_rows(code: str, start: dt.date, end: dt.date, user: Any) -> QuerySet:
    """Files open at the period's end: opened by then, not closed before it ended."""
    return _scoped(CareFile.objects.filter(deleted_at__isnull=True, opened_on__lte=end)
                   .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end)), code, user, "region")


def _sum(name: str, q: Q | None = None, *, money: bool = False) -> Coalesce:
    """Σ of a column, 0 over no rows (so per-child sums add up)."""
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=2)) if money else \
        Value(0, output_field=IntegerField())
    return Coalesce(Sum(name, filter=q), zero)


def _petition_counts() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for level in PetitionLevel.values:
        out[f"{level}_batches"] = Count("pk", filter=Q(level=level))
        out[f"{level}_people"] = _sum("headcount", Q(level=level))
    return out


DEFINITIONS: dict[str, Definition] = {
    "visits": Definition(_visit_rows, lambda: {"visits": Count("pk"), "households": Count("household", distinct=True),
                                               "people": _sum("people_met")}),
    "meetings": Definition(_meeting_rows, lambda: {"sessions": Count("pk"), "people": _sum("attendance")}),
    "help": Definition(_help_rows, lambda: {
        "condolence_money": _sum("amount", Q(kind=HelpKind.CONDOLENCE_MONEY), money=True),
        "goods": _sum("goods_count"),
        "survival_checks": Count("pk", filter=Q(kind=HelpKind.SURVIVAL_CHECK)),
        "relief": Count("pk", filter=Q(kind=HelpKind.TEMPORARY_RELIEF)),
        "relief_amount": _sum("amount", Q(kind=HelpKind.TEMPORARY_RELIEF), money=True),
        "households": Count("visit__household", distinct=True),
    }),
    "group_petitions": Definition(_petition_rows, _petition_counts),
    "deeds": Definition(_deed_rows, lambda: {
        "count": Count("pk"), "beneficiaries": _sum("beneficiaries"), "cost": _sum("cost", money=True),
        "with_case": Count("pk", filter=Q(appeal__isnull=False))}),
    "care": Definition(_care_rows, lambda: {"open": Count("pk"), **{
        k: Count("pk", filter=Q(kind=k)) for k in CareKind.values}}),
}


def _plain(value: Any) -> Any:
    """None → 0; money as a number of yuan with no trailing zeros (2800, 1250.5)."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def totals(name: str, code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    d = DEFINITIONS[name]
    row = d.rows(regioncode.normalize(code), start, end, user).aggregate(**d.counts())
    return {k: _plain(v) for k, v in row.items()}


def by_child(name: str, code: str, start: dt.date, end: dt.date, *, user: Any = None,
             children: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The same figures per child place, one GROUP BY whatever the number of children."""
    d = DEFINITIONS[name]
    kids = _children_of(code, children)
    rows, _whole = _per_child(d.rows(regioncode.normalize(code), start, end, user).order_by(), d.field, kids,
                              d.counts())
    return {c: {k: _plain(v) for k, v in r.items()} for c, r in rows.items()}


def totals_and_children(name: str, code: str, start: dt.date, end: dt.date, *, user: Any = None,
                        children: list[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``totals`` and ``by_child`` in one statement: the per-child GROUP BY and the whole subtree's
    aggregate, UNION ALL (the whole is aggregated over the rows, never summed from the children, so a
    distinct count — households — stays distinct across them)."""
    kids = _children_of(code, children)
    prefixes = {regioncode.prefix(c): c for c in kids}
    if not kids or len({len(p) for p in prefixes}) != 1:
        return totals(name, code, start, end, user=user), by_child(name, code, start, end, user=user,
                                                                   children=kids)
    d = DEFINITIONS[name]
    counts = d.counts()
    qs = d.rows(regioncode.normalize(code), start, end, user).order_by()
    n = len(next(iter(prefixes)))
    per = qs.values(child_key=Substr(F(d.field), 1, n, output_field=CharField())).annotate(**counts)
    whole = qs.values(child_key=Value("*", output_field=CharField())).annotate(**counts)
    out: dict[str, dict[str, Any]] = {c: dict.fromkeys(counts, 0) for c in kids}
    total: dict[str, Any] = dict.fromkeys(counts, 0)
    for row in per.union(whole, all=True):
        key = row.pop("child_key")
        if key == "*":
            total = row
        elif key in prefixes:
            out[prefixes[key]] = row
    plain = {k: _plain(v) for k, v in total.items()}
    return plain, {c: {k: _plain(v) for k, v in r.items()} for c, r in out.items()}


def group_petitions(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """集访 by level: this period and the same span one year earlier, with the change in batches (one
    statement over both spans)."""
    d = DEFINITIONS["group_petitions"]
    first, last = _year_before(start), _year_before(end)
    spans = {"": Q(occurred_on__gte=start, occurred_on__lte=end),
             "before_": Q(occurred_on__gte=first, occurred_on__lte=last)}
    counts: dict[str, Any] = {}
    for prefix, span in spans.items():
        for level in PetitionLevel.values:
            counts[f"{prefix}{level}_batches"] = Count("pk", filter=Q(level=level) & span)
            counts[f"{prefix}{level}_people"] = _sum("headcount", Q(level=level) & span)
    rows = d.rows(regioncode.normalize(code), min(start, first), max(end, last), user)
    row = {k: _plain(v) for k, v in rows.filter(spans[""] | spans["before_"]).aggregate(**counts).items()}
    now = {k: v for k, v in row.items() if not k.startswith("before_")}
    before = {k.removeprefix("before_"): v for k, v in row.items() if k.startswith("before_")}
    out = {}
    for level in PetitionLevel.values:
        b, p = now[f"{level}_batches"], now[f"{level}_people"]
        b0, p0 = before[f"{level}_batches"], before[f"{level}_people"]
        out[level] = {"batches": b, "people": p, "year_before_batches": b0, "year_before_people": p0,
                      "change": (b - b0) / b0 if b0 else None}
    return out


def county_leaders(on: dt.date) -> set[int]:
    """Users holding a county-level leader post on the day."""
    return set(_leader_posts(on).values_list("user_id", flat=True))


def _leader_posts(on: dt.date) -> QuerySet:
    return Post.objects.filter(role__in=COUNTY_LEADER_ROLES).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=on)).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


def _down_links(code: str, start: dt.date, end: dt.date, user: Any) -> list[tuple[str, int, int, str, Any, Any]]:
    """(place, leader, case, case group, case closed at, taken down at) of every case-linked visit and
    on-site office day of the period by a county-level leader (a post in force on the period's last
    day): one statement (UNION ALL), the leaders' posts a subquery."""
    low, high = bounds(start, end)
    leaders = _leader_posts(end).values("user_id")
    visits = _scoped(Visit.cases.through.objects.filter(visit__deleted_at__isnull=True, visit__visited_at__gte=low,
                                                         visit__visited_at__lt=high, appeal__deleted_at__isnull=True,
                                                         visit__visitor_id__in=leaders),
                     code, user, "visit__region")
    days = _scoped(Activity.cases.through.objects.filter(
        activity__deleted_at__isnull=True, activity__kind__in=DOWN_KINDS, activity__held_at__gte=low,
        activity__held_at__lt=high, appeal__deleted_at__isnull=True, activity__leader_id__in=leaders),
        code, user, "activity__region")
    return list(visits.values_list("visit__region_id", "visit__visitor_id", "appeal_id", "appeal__group",
                                   "appeal__closed_at", "visit__visited_at").order_by()
                .union(days.values_list("activity__region_id", "activity__leader_id", "appeal_id", "appeal__group",
                                        "appeal__closed_at", "activity__held_at").order_by(), all=True))


def cases_down(code: str, start: dt.date, end: dt.date, *, user: Any = None,
               children: list[str] | None = None) -> dict[str, Any]:
    """带案下访 by county-level leaders: leaders, cases, cases solved after being taken down."""
    _low, high = bounds(start, end)
    buckets: dict[str | None, dict[str, set]] = defaultdict(lambda: {"leaders": set(), "cases": set(),
                                                                     "solved": set()})
    prefixes = {regioncode.prefix(c): c for c in children or ()}
    for place, leader, case, group, closed_at, at in _down_links(code, start, end, user):
        keys = [None] + [c for p, c in prefixes.items() if place.startswith(p)]
        for key in keys:
            b = buckets[key]
            b["leaders"].add(leader)
            b["cases"].add(case)
            if group == wf.Group.SOLVED.value and closed_at is not None and at <= closed_at < high:
                b["solved"].add(case)
    out = {k: len(v) for k, v in buckets[None].items()}
    if children is not None:
        out["children"] = {c: {k: len(v) for k, v in buckets[c].items()} for c in children}
    return out


def section(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """The part's figures for dashboards, briefings and /api/v1/metrics/people (minqing.lib.figures)."""
    code = regioncode.normalize(code)
    names = dict(Region.objects.filter(parent_id=code, is_active=True).values_list("code", "name"))
    kids = sorted(names)
    help_total, help_children = totals_and_children("help", code, start, end, user=user, children=kids)
    visit_total, visit_children = totals_and_children("visits", code, start, end, user=user, children=kids)
    places = [{"code": c, "name": names.get(c, c), "help": help_children[c], "visits": visit_children[c]}
              for c in sorted(help_children)]
    return {
        "visits": visit_total,
        "meetings": totals("meetings", code, start, end, user=user),
        "help": help_total,
        "cases_down": cases_down(code, start, end, user=user),
        "group_petitions": group_petitions(code, start, end, user=user),
        "deeds": totals("deeds", code, start, end, user=user),
        "care": totals("care", code, start, end, user=user),
        "children": places,
    }
