"""走读: leaders away from their post on working days, counted from check-ins.

A leader (a township or county leader's post, or 包村领导) is expected at the post on every working day
of the 调休 calendar (appeals.deadlines.calendar: the announced years plus the county's own rows);
a working day before today with no check-in is a day away. Days before the post began or after it
ended are not expected. Read by the leader's own leaders only (oversight.py), like 群众评议.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone

from minqing.accounts.models import Post, User
from minqing.accounts.roles import LEADER_ROLES
from minqing.appeals import deadlines
from minqing.lib import regioncode
from minqing.lib.workdays import WorkCalendar
from minqing.regions import jurisdiction

from . import oversight
from .models import CheckIn
from .ratings import current_posts

DAY = dt.timedelta(days=1)


def working_days(start: dt.date, end: dt.date, cal: WorkCalendar) -> list[dt.date]:
    days, day = [], start
    while day <= end:
        if cal.is_workday(day):
            days.append(day)
        day += DAY
    return days


def days_away(expected: Iterable[dt.date], present: Iterable[dt.date]) -> list[dt.date]:
    """The expected working days with no check-in (plain set difference, in date order)."""
    seen = set(present)
    return sorted(d for d in expected if d not in seen)


@dataclass
class AwayRow:
    person_id: int
    name: str
    posts: str
    expected: int
    present: int
    away: list[dt.date]
    estimated: bool  # a day counted in a year whose holidays are not announced


def report(region_code: str, start: dt.date, end: dt.date, *, user: Any, today: dt.date | None = None,
           cal: WorkCalendar | None = None) -> list[AwayRow]:
    """The leaders holding a post inside the place, each with the working days they were away."""
    today = today or timezone.localdate()
    last = min(end, today - DAY)  # today is not over: a morning without a check-in is not yet a day away
    if last < start:
        return []
    cal = cal or deadlines.calendar()
    code = regioncode.normalize(region_code)
    low, high = regioncode.subtree_range(code)
    posts = list(Post.objects.filter(role__in=sorted(LEADER_ROLES), region_id__gte=low, region_id__lte=high)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
                 .filter(Q(started_on__isnull=True) | Q(started_on__lte=last))
                 .filter(jurisdiction.figure_q(user, "region")).select_related("unit"))
    spans: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    names: dict[int, list[str]] = defaultdict(list)
    for p in posts:
        spans[p.user_id].append((max(start, p.started_on or start), min(last, p.ended_on or last)))
        names[p.user_id].append(f"{p.unit.name}{p.get_role_display()}")
    held, _units = current_posts(list(spans))
    scope = jurisdiction.scope_of(user)
    readable = [pk for pk in spans if pk != scope.user_id and oversight.may_read_cadre(scope, pk, held.get(pk, []))]
    checked: dict[int, set[dt.date]] = defaultdict(set)
    for pk, day in CheckIn.objects.filter(person_id__in=readable, day__gte=start, day__lte=last) \
            .values_list("person_id", "day"):
        checked[pk].add(day)
    people = {u.pk: str(u) for u in User.objects.filter(pk__in=readable)}
    rows = []
    for pk in readable:
        expected = sorted({d for a, b in spans[pk] for d in working_days(a, b, cal)})
        away = days_away(expected, checked[pk])
        rows.append(AwayRow(pk, people[pk], "、".join(sorted(set(names[pk]))), len(expected),
                            len(expected) - len(away), away, any(not cal.is_known(d) for d in expected)))
    return sorted(rows, key=lambda r: (-len(r.away), r.name))
