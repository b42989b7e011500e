"""The home page: what each role must do today. The sections shown follow the user's posts (a
person may hold several): a village cadre's visits, cases and warnings; a department's queue by
deadline; a leader's overdue and supervised cases, escalations awaiting review and the week's
numbers. Every list is read through the jurisdiction filter; every number links to its list."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.accounts.roles import LEADER_ROLES, UNIT_ROLES, VILLAGE_CADRE_ROLES, Role
from minqing.appeals import metrics
from minqing.appeals import workflow as wf
from minqing.appeals.models import STATUS_NAMES, Appeal
from minqing.households.models import Household
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region
from minqing.web import integrations

OPEN = (wf.Group.OPEN.value, wf.Group.PAUSED.value)
LIST_SIZE = 8


def _list_url(**params: Any) -> str:
    return f"{reverse('web:appeals')}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


def _fraction(rate: metrics.Rate) -> str:
    """737/972: leaders want the counts behind a rate."""
    if not rate.denominator:
        return _("No data this week")
    num = rate.numerator if float(rate.numerator).is_integer() else round(rate.numerator, 2)
    return f"{int(num) if float(num).is_integer() else num}/{rate.denominator}"


def _by_deadline(qs):
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def _rows(qs, now: dt.datetime) -> list[dict[str, Any]]:
    out = []
    for a in qs[:LIST_SIZE]:
        out.append({"appeal": a, "status_label": STATUS_NAMES.get(wf.Status(a.status), a.status),
                    "overdue": a.group == wf.Group.OPEN and a.due_at is not None and a.due_at < now})
    return out


def _section(key: str, title: str, qs, now: dt.datetime, link: str, empty: str) -> dict[str, Any]:
    return {"key": key, "title": title, "rows": _rows(qs, now), "count": qs.count(), "link": link, "empty": empty}


def _cadre(user, scope, now: dt.datetime, today: dt.date, appeals) -> dict[str, Any]:
    village_codes = [p.region_code for p in scope.posts if p.role in VILLAGE_CADRE_ROLES]
    here = jurisdiction.region_q(village_codes)
    mine = _by_deadline(appeals.filter(group__in=OPEN).filter(Q(handler=user) | (here & Q(
        status=wf.Status.REGISTERED.value, level=wf.Level.VILLAGE.value))))
    return_visits = appeals.filter(here, status=wf.Status.AWAITING_RETURN_VISIT.value).order_by("updated_at")
    warnings = appeals.filter(here, group=wf.Group.OPEN.value, warning__in=("red", "yellow")).annotate(
        red=Case(When(warning="red", then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("red", F("due_at").asc(nulls_last=True))
    due = integrations.due_visits(user, today)
    due_rows = None
    if due is not None:
        due_rows = []
        for item in due[:LIST_SIZE]:
            household = item if isinstance(item, Household) else getattr(item, "household", None)
            due_rows.append({"household": household, "item": item,
                             "reason": getattr(item, "reason", "") or "",
                             "overdue": bool(getattr(item, "overdue", False)),
                             "last": getattr(item, "last_visit", None) or getattr(item, "last_visited_at", None),
                             "due_on": getattr(item, "due_on", None) or getattr(item, "due", None)})
    return {
        "due_visits": due_rows, "due_count": len(due) if due is not None else 0,
        "sections": [
            _section("mine", _("My cases and cases to review"), mine, now, _list_url(group="open,paused", mine="1"),
                     _("Nothing to do")),
            _section("return_visits", _("Awaiting a return visit"), return_visits, now,
                     _list_url(status=wf.Status.AWAITING_RETURN_VISIT.value), _("No case awaits a return visit")),
            _section("warnings", _("Red and yellow warnings"), warnings, now, _list_url(group="open", warning="red"),
                     _("No warning")),
        ],
    }


def _unit(user, scope, now: dt.datetime, appeals) -> dict[str, Any]:
    unit_ids = sorted(p.unit_id for p in scope.posts if p.role in UNIT_ROLES or p.role == Role.TOWNSHIP_STAFF)
    queue = _by_deadline(appeals.filter(unit_id__in=unit_ids, group__in=OPEN))
    soon = now + dt.timedelta(days=3)
    return {
        "sections": [_section("queue", _("My unit's queue (by deadline)"), queue, now,
                              _list_url(group="open,paused", unit=unit_ids[0] if len(unit_ids) == 1 else ""),
                              _("My unit has nothing to do"))],
        "numbers": [
            (_("To do"), queue.count(), _list_url(group="open,paused", unit=unit_ids[0] if len(unit_ids) == 1 else "")),
            (_("Overdue"), queue.filter(group=wf.Group.OPEN.value, due_at__lt=now).count(),
             _list_url(overdue="1", unit=unit_ids[0] if len(unit_ids) == 1 else "")),
            (_("Due within 3 days"),
             queue.filter(group=wf.Group.OPEN.value, due_at__gte=now, due_at__lt=soon).count(), ""),
            (_("Awaiting verification"), queue.filter(status=wf.Status.AWAITING_VERIFICATION.value).count(),
             _list_url(status=wf.Status.AWAITING_VERIFICATION.value)),
        ],
    }


def _leader(user, scope, now: dt.datetime, today: dt.date, appeals) -> dict[str, Any]:
    posts = [p for p in scope.posts if p.role in LEADER_ROLES]
    codes = [p.region_code for p in posts] or list(scope.figure_codes)
    here = jurisdiction.region_q(codes) if not scope.is_superuser else Q()
    depths = {regioncode.level_of(p.region_code) for p in posts}
    levels = [lv for lv, depth in (("county", regioncode.COUNTY), ("township", regioncode.TOWNSHIP),
                                   ("village", regioncode.VILLAGE)) if depth in depths] or ["county", "township"]
    overdue = _by_deadline(appeals.filter(here, group=wf.Group.OPEN.value, due_at__lt=now))
    supervised = _by_deadline(appeals.filter(here, group__in=OPEN, supervised_by__isnull=False))
    escalations = appeals.filter(here, status=wf.Status.ESCALATED.value, level__in=levels).order_by("updated_at")
    monday = today - dt.timedelta(days=today.weekday())
    home = scope.home_code()
    week = None
    if home:
        s = metrics.county_summary(home, monday, today, user=user)
        iso = {"from": monday.isoformat(), "to": today.isoformat()}
        week = {
            "start": monday, "end": today, "region": Region.objects.filter(code=home).first(),
            "cells": [  # label, value, the figures behind it, the list behind it
                (_("Received this week"), str(s.received), "", _list_url(**iso)),
                (_("Solved on the spot"), str(s.on_spot), "", _list_url(**iso)),
                (_("Assigned with a deadline"), str(s.assigned), _("closed: %(n)s") % {"n": s.assigned_done},
                 _list_url(**iso)),
                (_("Response rate"), s.response.percent or "—", _fraction(s.response), ""),
                (_("On-time rate"), s.on_time.percent or "—", _fraction(s.on_time), ""),
                (_("Resolution rate"), s.resolution.percent or "—", _fraction(s.resolution), ""),
                (_("Satisfaction rate"), s.satisfaction.percent or "—", _fraction(s.satisfaction), ""),
                (_("Petition backlog"), str(s.backlog.at_end),
                 _("a year ago: %(n)s") % {"n": s.backlog.year_before}, ""),
            ],
            "funnel": s.funnel,
        }
    return {
        "sections": [
            _section("overdue", _("Overdue"), overdue, now, _list_url(overdue="1"), _("No overdue case")),
            _section("supervised", _("Supervised"), supervised, now, _list_url(group="open,paused", supervised="1"),
                     _("No supervised case")),
            _section("escalations", _("Escalations to review"), escalations, now,
                     _list_url(status=wf.Status.ESCALATED.value),
                     _("No escalation to review")),
        ],
        "week": week,
    }


def _discipline(user, scope, now: dt.datetime, appeals) -> dict[str, Any]:
    reports = _by_deadline(appeals.filter(kind=wf.Kind.MISCONDUCT.value, group__in=OPEN))
    link = _list_url(kind=wf.Kind.MISCONDUCT.value, group="open,paused")
    return {"sections": [_section("misconduct", _("Misconduct reports to handle"), reports, now, link,
                                  _("No misconduct report to handle"))]}


@login_required
def home(request):
    user = request.user
    scope = jurisdiction.scope_of(user)
    now = timezone.now()
    today = timezone.localdate()
    appeals = jurisdiction.visible(user, Appeal).select_related("region", "category", "unit")
    code = scope.home_code()
    roles = scope.roles
    context: dict[str, Any] = {
        "region": Region.objects.filter(code=code).first() if code else None,
        "posts": user.posts.select_related("unit", "region").filter(ended_on__isnull=True),
        "today": today,
    }
    if roles & VILLAGE_CADRE_ROLES:
        context["cadre"] = _cadre(user, scope, now, today, appeals)
    if roles & {Role.DEPT_HANDLER, Role.DEPT_HEAD, Role.TOWNSHIP_STAFF}:
        context["unit"] = _unit(user, scope, now, appeals)
    if roles & LEADER_ROLES or scope.is_superuser:
        context["leader"] = _leader(user, scope, now, today, appeals)
    if Role.DISCIPLINE in roles:
        context["discipline"] = _discipline(user, scope, now, appeals)
    if not any(k in context for k in ("cadre", "unit", "leader", "discipline")):
        open_here = _by_deadline(appeals.filter(group__in=OPEN))
        context["other"] = {"sections": [_section("open", _("Open cases in my jurisdiction"), open_here, now,
                                                  _list_url(group="open,paused"), _("No open case"))]}
        context["household_count"] = jurisdiction.visible(user, Household).count()
    return render(request, "web/home.html", context)
