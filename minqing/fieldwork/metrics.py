"""Field-work figures for any region subtree and period (dates inclusive, county time zone).

- coverage (走访覆盖率): households visited in the period ÷ households in scope. In scope: the
  households of the subtree registered by the period's end and not removed before its start.
  Visited: those with at least one visit (not deleted) in the period. With a child per
  township (of a county) or village (of a township).
- quota_report: see quotas.py.
- funnel: the visit rounds of the five-person teams started in the period whose team works in
  the subtree, summed: households visited → with problems → sent to the township → the county;
  each round counted from its visits and cases, or its team's correction where one stands
  (funnel_counted: the same rounds, all counted — the two side by side are the reconciliation).

With `user`, figures are restricted to what the user may see as figures (jurisdiction.figure_q).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q

from minqing.households.models import Household
from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import quotas
from .models import Visit, VisitRound


def _rate(visited: int, households: int) -> float | None:
    return visited / households if households else None


def _entry(code: str, name: str, households: int, visited: int) -> dict[str, Any]:
    return {"code": code, "name": name, "households": households, "visited": visited,
            "rate": _rate(visited, households), "children": []}


def coverage(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    code = regioncode.normalize(region_code)
    low, high = bounds(start, end)
    scope_q = jurisdiction.region_q([code])
    if user is not None:
        scope_q &= jurisdiction.figure_q(user)
    households = Household.objects.filter(scope_q, created_at__lt=high).filter(
        Q(deleted_at__isnull=True) | Q(deleted_at__gte=low))
    # Two GROUP BY queries, counted in the database: at county scale (300 000 households, millions of
    # visits) neither the households nor the visited ids may travel to Python (nor into an IN list).
    per_village = dict(households.order_by().values_list("region_id").annotate(n=Count("pk")))
    # The period's visits lead (a set of household ids, bounded by the visits of the period), not the
    # households of the scope each probing the visits (an EXISTS per household: 0.1–0.2 s for a county
    # of 50 000 households with no visit at all).
    visited = Visit.objects.alive().filter(visited_at__gte=low, visited_at__lt=high).values("household_id")
    visited_village = dict(households.filter(pk__in=visited).order_by().values_list("region_id")
                           .annotate(n=Count("pk")))
    region = Region.objects.filter(code=code).first()
    out = _entry(code, region.name if region else "", sum(per_village.values()), sum(visited_village.values()))
    level = regioncode.level_of(code)
    if level < regioncode.VILLAGE:
        children = Region.objects.filter(parent_id=code).order_by("code")
        for child in children:
            p = regioncode.prefix(child.code)
            hh = sum(n for v, n in per_village.items() if v.startswith(p))
            vis = sum(n for v, n in visited_village.items() if v.startswith(p))
            if hh or child.is_active:
                out["children"].append(_entry(child.code, child.name, hh, vis))
    return out


def quota_report(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> list[dict[str, Any]]:
    return quotas.report(region_code, start, end, user=user)


def _rounds_in(region_code: str, start: dt.date, end: dt.date, user: Any):
    q = jurisdiction.region_q([regioncode.normalize(region_code)])
    if user is not None:
        q &= jurisdiction.figure_q(user)
    return VisitRound.objects.alive().filter(q, started_on__gte=start, started_on__lte=end)


FUNNEL_KEYS = {"visited": "households_visited", "found": "households_with_problems", "township": "sent_to_township",
               "county": "sent_to_county"}


def _funnels(region_code: str, start: dt.date, end: dt.date, user: Any) -> tuple[dict[str, int], dict[str, int]]:
    """``funnel`` and ``funnel_counted`` from one read of the rounds (and one count of their visits and
    cases when no round carries a correction: the two are then the same count)."""
    from .rounds import counted_funnel

    rows = list(_rounds_in(region_code, start, end, user).values_list("pk", "correction_reason",
                                                                      *FUNNEL_KEYS.values()))
    plain = [r[0] for r in rows if not r[1]]
    every = [r[0] for r in rows]
    counted_plain = counted_funnel(plain)
    counted_every = counted_plain if len(plain) == len(every) else counted_funnel(every)
    typed = {name: sum(int(r[2 + i] or 0) for r in rows if r[1]) for i, name in enumerate(FUNNEL_KEYS.values())}
    shown = {k: typed[name] + counted_plain[name] for k, name in FUNNEL_KEYS.items()}
    return shown, counted_every


def funnel(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Each round's figure as its page shows it: the team's correction where one stands (with its reason),
    else the count from the round's visits and cases (rounds.reconcile)."""
    return _funnels(region_code, start, end, user)[0]


def funnel_counted(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """The same rounds' funnel counted from their visits and cases (rounds.counted_funnel): beside
    ``funnel`` it shows how far the typed corrections move the figures."""
    return _funnels(region_code, start, end, user)[1]


def section(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """The part's figures for dashboards, briefings and /api/v1/metrics/fieldwork (minqing.lib.figures)."""
    shown, counted = _funnels(code, start, end, user)
    return {"coverage": coverage(code, start, end, user=user),
            "quota_report": quota_report(code, start, end, user=user), "funnel": shown, "funnel_counted": counted}
