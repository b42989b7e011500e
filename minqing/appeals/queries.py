"""Reads of appeals (lists, detail, timeline, reports), all starting from the jurisdiction filter.
Metrics live in metrics.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, F, Func, Q, QuerySet
from django.utils import timezone

from minqing.lib import regioncode
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction

from . import access, dispatch
from . import workflow as wf
from .models import Appeal, AppealEvent, Category, CoUnit, Report
from .services import state_from_json
from .snapshot import POLICY, actor_key

OPEN_GROUPS = (wf.Group.OPEN.value, wf.Group.PAUSED.value)


def _day_start(value: dt.date) -> dt.datetime:
    return dt.datetime.combine(value, dt.time(0), TZ)


def _in_place(qs: QuerySet[Appeal], code: str) -> QuerySet[Appeal]:
    """A place's subtree, as the list's indexes read it best: one village is an equality (its rows come
    off the (region, received_at) index in order); on SQLite a wider range is kept off every index, so
    the newest-first index is read in order and the range only filters it — through the region index
    SQLite sorted a township's 27 000 rows for each page (0.3 s at 1 M)."""
    low, high = regioncode.subtree_range(code)
    if low == high:
        return qs.filter(region_id=low)
    if connection.vendor == "sqlite":
        qs = qs.alias(_place=Func(F("region_id"), template="+%(expressions)s", output_field=CharField()))
        return qs.filter(_place__gte=low, _place__lte=high)
    return qs.filter(region_id__gte=low, region_id__lte=high)


def appeals_for(user, *, region: str | None = None, status: str | None = None, group: str | None = None,
                kind: str | None = None, category: int | None = None, unit: int | None = None,
                overdue: bool | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                q: str | None = None, now: dt.datetime | None = None) -> QuerySet[Appeal]:
    """The appeals this user sees, filtered. `region` accepts 2/4/6/9/12-digit codes; dates are
    local days of receipt, both ends included; `overdue` means open (not paused) and past due."""
    qs = jurisdiction.visible(user, Appeal)
    if region:
        try:
            qs = _in_place(qs, regioncode.normalize(region))
        except regioncode.RegionCodeError as exc:
            raise ValidationError(str(exc)) from exc
    for name, value in (("status", status), ("group", group), ("kind", kind)):
        if value:  # one value as an equality: an index on (…, group, received_at) then serves the order
            values = value.split(",")
            qs = qs.filter(**{name: values[0]} if len(values) == 1 else {f"{name}__in": values})
    if category:  # the class and its subtree by the stored path: no join, no OR over the tree
        ids = Category.subtree_of(category)
        qs = qs.filter(category_id=ids[0]) if len(ids) == 1 else qs.filter(category_id__in=ids)
    if unit:  # the unit's cases: those it leads and those it co-handles (协办)
        qs = qs.filter(Q(unit_id=unit) | Q(pk__in=CoUnit.objects.filter(unit_id=unit, active=True).values("appeal_id")))
    if overdue is not None:
        now = now or timezone.now()
        late = Q(group=wf.Group.OPEN.value, due_at__lt=now)
        qs = qs.filter(late) if overdue else qs.exclude(late)
    if date_from:
        qs = qs.filter(received_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(received_at__lt=_day_start(date_to + dt.timedelta(days=1)))
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(Q(number=text) | Q(title__contains=text) | Q(text__contains=text))
    return qs.select_related("region", "category", "unit", "handler").order_by("-received_at", "-id")


def appeal_detail(user, pk) -> Appeal:
    qs = Appeal.objects.select_related("region", "category", "unit", "handler", "supervised_by", "merged_into",
                                       "household")
    return jurisdiction.get_visible_or_404(user, qs, pk=pk)


def merged_into(user, appeal: Appeal) -> list[Appeal]:
    """The cases merged into this one that the user may see, oldest first. Their ids first, by the
    merged_into index, then the jurisdiction filter on those few: asked in one statement, SQLite (with
    ANALYZE statistics) walked the county's whole region range and sorted it — 4.9 s at 1 M cases
    (bench/RESULTS.md, detail21)."""
    ids = list(Appeal.objects.filter(merged_into=appeal).order_by().values_list("pk", flat=True))
    return list(jurisdiction.visible(user, Appeal).filter(pk__in=ids).order_by("id")) if ids else []


def timeline(appeal: Appeal) -> list[AppealEvent]:
    return list(appeal.events.select_related("actor").order_by("at", "id"))


def reports_of(user, appeal: Appeal) -> QuerySet[Report]:
    """Reports of an appeal the user already sees (merged-in reports included)."""
    return Report.objects.filter(appeal=appeal).select_related("household", "resident").order_by("received_at", "id")


# Actions whose outcome depends on whose part the actor acts for (the unit the service infers).
PER_PART = {"return": "reason", "co_reply": "reply"}


def _refused_for_part(user, appeal: Appeal, state: wf.AppealState, name: str) -> bool:
    """Would the workflow refuse this 退单 / 协办答复 for the part the service would act on (a co-unit
    whose own 退单 is pending, or that already answered, or past its 退单 window)? Tried on the pure
    workflow, nothing written."""
    from .cohandling import inferred_unit  # cohandling imports the services' parsers

    payload = {"unit": inferred_unit(user, appeal), PER_PART[name]: "-"}
    now = max(timezone.now(), state.last_at) if state.last_at else timezone.now()  # a step dated ahead
    try:
        wf.apply(state, wf.Action(name, actor_key(user), now, payload),
                 dispatch.policy_for(appeal, name, POLICY))
    except wf.TransitionError:
        return True
    return False


def available_for(user, appeal: Appeal) -> list[str]:
    """What this user may do now: allowed by the state, by their post AND, for the per-part actions,
    by the state of the part they would act on (the lead's or their co-unit's)."""
    state = state_from_json(appeal.state)
    scope = jurisdiction.scope_of(user)
    names = [name for name in wf.available_actions(state) if name != "register"
             and access.may_act(scope, appeal, name)]
    return [n for n in names if n not in PER_PART or state is None or not _refused_for_part(user, appeal, state, n)]


def household_lines(user: Any, household: Any, limit: int) -> list[str]:
    """The household's latest appeals the user may see, one line each (the printed household file)."""
    rows = (jurisdiction.visible(user, Appeal).filter(Q(household=household) | Q(reports__household=household))
            .distinct().order_by("-received_at")[:limit])
    return [f"{a.received_at:%Y-%m-%d} {a.title[:40]}（{wf.STATUS_LABELS.get(wf.Status(a.status), a.status)}）"
            for a in rows]
