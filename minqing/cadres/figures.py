"""The cadre figures the seeds report, for leaders: cadres with a post in the place, party members,
35岁以下 (aged 35 or younger in the period's last year, 35岁及以下 as organisation departments count
it), by rank; and the residents' ratings of the place's cadres summed (群众评议).

Registered as the "cadres" section of minqing.lib.figures (dashboards, briefing, /api/v1/metrics/cadres).
Only a leader of the place (Scope.leads) gets the figures; anyone else gets ``{"available": False}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from minqing.accounts.models import Post, User
from minqing.accounts.roles import Rank
from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction

from . import ratings
from .models import CadreRating
from .ratings import Tally

YOUNG_AGE = 35


def _staff(code: str, day: dt.date):
    low, high = regioncode.subtree_range(code)
    holding = Post.objects.filter(region_id__gte=low, region_id__lte=high).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=day)).filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
    return User.objects.filter(is_active=True, pk__in=holding.values("user_id"))


def cadre_counts(code: str, day: dt.date) -> dict[str, Any]:
    staff = _staff(code, day)
    young_from = day.year - YOUNG_AGE
    totals = staff.aggregate(
        total=Count("pk"), party=Count("pk", filter=Q(party_member=True)),
        party_unknown=Count("pk", filter=Q(party_member__isnull=True)),
        young=Count("pk", filter=Q(birth_year__gte=young_from)),
        age_unknown=Count("pk", filter=Q(birth_year__isnull=True)))
    ranks = dict(staff.exclude(rank="").order_by().values_list("rank").annotate(n=Count("pk")))
    return {**{k: int(v or 0) for k, v in totals.items()}, "young_born_from": young_from,
            "by_rank": [{"rank": r.value, "label": str(r.label), "n": ranks.get(r.value, 0)} for r in Rank
                        if ranks.get(r.value)],
            "rank_unknown": int(totals["total"] or 0) - sum(ranks.values())}


def rating_totals(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    low, high = bounds(start, end)
    q = jurisdiction.region_q([code]) & (jurisdiction.figure_q(user) if user is not None else Q())
    tally = Tally()
    for level, n in CadreRating.objects.alive().filter(q, at__gte=low, at__lt=high).order_by() \
            .values_list("satisfaction").annotate(n=Count("pk")):
        tally.add(level, n)
    return tally.as_dict()


def section(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    code = regioncode.normalize(region_code)
    if user is not None and not jurisdiction.scope_of(user).leads(code):
        return {"available": False}
    day = min(end, timezone.localdate())
    out = {"available": True, "staff": cadre_counts(code, day), "ratings": rating_totals(code, start, end, user=user)}
    if user is not None:  # 群众评议 per unit and the number of cadres rated, as this leader may read them
        review = ratings.review(code, start, end, user=user)
        out["units"] = [{"id": r.key, "name": r.name, **r.tally.as_dict()} for r in review.units]
        out["cadres_rated"] = len(review.cadres)
    return out
