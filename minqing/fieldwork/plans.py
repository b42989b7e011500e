"""Visit plans: how often each household is visited, and who is due a visit when.

Frequency: the most frequent of the household's tags (Tag.visits_per_year, set by the county:
monthly for 低保户, 防返贫监测户, 独居老人 …) and the county's default for other households
(VisitPolicy.default_visits_per_year, quarterly when not set). The interval is 365 ÷ visits a
year, rounded to whole days (monthly → 30 days, quarterly → 91).

A household is due `interval` days after its last visit (by anyone, up to the plan's day) and
overdue the day after; a household never visited is due at once. A cadre's list is the
households of the villages they work in (a village post or a village pairing) and the
households paired to them, within what they may see, due within the next DUE_WINDOW days,
in visiting order: village, group, household number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from minqing.accounts.models import Pairing
from minqing.accounts.roles import VILLAGE_CADRE_ROLES
from minqing.households.models import Household
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .models import Visit, VisitPolicy

DEFAULT_VISITS_PER_YEAR = 4
DUE_WINDOW = dt.timedelta(days=7)  # the list shows what falls due this coming week too


@dataclass(frozen=True)
class DueHousehold:
    household: Household
    due_on: dt.date
    last_visit: dt.date | None
    overdue: bool


def interval_days(visits_per_year: int) -> int:
    return max(1, round(365 / max(1, visits_per_year)))


def default_visits_per_year(region_code: str) -> int:
    county = regioncode.normalize(regioncode.county_of(region_code))
    value = VisitPolicy.objects.filter(region_id=county).values_list("default_visits_per_year", flat=True).first()
    return value or DEFAULT_VISITS_PER_YEAR


def _local_date(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def plan_region_q(user: Any, on: dt.date) -> Q:
    """The households a user plans visits for (before the jurisdiction filter)."""
    scope = jurisdiction.scope_of(user)
    village_codes = [p.region_code for p in scope.posts if p.role in VILLAGE_CADRE_ROLES
                     and regioncode.level_of(p.region_code) == regioncode.VILLAGE]
    active = Pairing.objects.filter(cadre_id=scope.user_id).filter(
        Q(started_on__isnull=True) | Q(started_on__lte=on), Q(ended_on__isnull=True) | Q(ended_on__gte=on))
    village_codes += list(active.filter(household__isnull=True).values_list("region_id", flat=True))
    household_ids = list(active.filter(household__isnull=False).values_list("household_id", flat=True))
    q = jurisdiction.region_q(sorted(set(village_codes)))
    if household_ids:
        q |= Q(pk__in=household_ids)
    return q


def schedule(households: Any, on: dt.date) -> list[DueHousehold]:
    """Due date of each household of a queryset, as of `on` (all of them, any due date)."""
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time()))
    rows = (households.annotate(freq=Max("tags__visits_per_year"))
            .select_related("region", "group").order_by("region_id", "group__number", "number", "pk"))
    rows = list(rows)
    last: dict[int, dt.datetime] = dict(
        Visit.objects.alive().filter(household__in=[h.pk for h in rows], visited_at__lt=end)
        .values("household").annotate(at=Max("visited_at")).values_list("household", "at"))
    defaults: dict[str, int] = {}
    out = []
    for h in rows:
        county = regioncode.normalize(regioncode.county_of(h.region_id))
        if county not in defaults:
            defaults[county] = default_visits_per_year(county)
        per_year = max(h.freq or 0, defaults[county])
        last_at = last.get(h.pk)
        last_day = _local_date(last_at) if last_at else None
        due = last_day + dt.timedelta(days=interval_days(per_year)) if last_day else on
        out.append(DueHousehold(household=h, due_on=due, last_visit=last_day, overdue=due < on))
    # Households with no group sort after the numbered groups of their village.
    out.sort(key=lambda d: (d.household.region_id, d.household.group.number if d.household.group else 10**6,
                            d.household.number, d.household.pk))
    return out


def due_for(user: Any, on: dt.date) -> list[DueHousehold]:
    """The user's households due (or overdue) for a visit on `on`, in visiting order."""
    scope = jurisdiction.scope_of(user)
    if scope.is_anonymous:
        return []
    households = jurisdiction.visible(user, Household).filter(plan_region_q(user, on)).prefetch_related("tags")
    return [d for d in schedule(households, on) if d.due_on <= on + DUE_WINDOW]
