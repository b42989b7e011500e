"""Cadres JSON API under /api/v1/cadres: 群众评议 (per unit and cadre, as the reader may see them), the
cadre figures, the 走读 report, the duty roster and the check-in. Thin: parse → one service or query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from minqing.accounts.models import User
from minqing.lib import periods
from minqing.regions import jurisdiction

from . import absence, duty, figures, oversight, ratings
from .models import CheckIn, DutyShift

router = Router(tags=["cadres"])


class CadreFigureQuery(Schema):
    region: str | None = Field(None, description="region code; the user's home region when empty")
    period: str | None = Field(None, description="2025-05, 2025-Q2 or 2025; this month when empty")


def _span(request, q: CadreFigureQuery) -> tuple[str, dt.date, dt.date]:
    if not oversight.reads_any(jurisdiction.scope_of(request.user)):
        raise Http404
    code = jurisdiction.figure_region(request.user, q.region)
    start, end = periods.span(q.period)
    return code, start, end


def _row(r: ratings.Row) -> dict[str, Any]:
    return {"id": r.key, "name": r.name, "unit": r.unit, **r.tally.as_dict()}


@router.get("/review", response=dict[str, Any], summary="群众评议: residents' ratings per unit and cadre")
def cadres_review(request, q: Query[CadreFigureQuery]):
    code, start, end = _span(request, q)
    review = ratings.review(code, start, end, user=request.user)
    return {"region": code, "period": {"start": start.isoformat(), "end": end.isoformat()},
            "units": [_row(r) for r in review.units], "cadres": [_row(r) for r in review.cadres],
            "withheld": review.withheld}


@router.get("/figures", response=dict[str, Any], summary="Cadres with a post: party members, 35 or under, ranks")
def cadres_figures(request, q: Query[CadreFigureQuery]):
    code, start, end = _span(request, q)
    return figures.section(code, start, end, user=request.user)


@router.get("/away", response=dict[str, Any], summary="走读: leaders' working days away from post")
def cadres_away(request, q: Query[CadreFigureQuery]):
    code, start, end = _span(request, q)
    rows = absence.report(code, start, end, user=request.user)
    return {"region": code, "rows": [{"person": r.person_id, "name": r.name, "posts": r.posts,
                                      "working_days": r.expected, "checked_in": r.present,
                                      "days_away": len(r.away), "away": [d.isoformat() for d in r.away],
                                      "estimated": r.estimated} for r in rows]}


def _shift_out(s: DutyShift) -> dict[str, Any]:
    checked = next(iter(s.check_ins.all()), None)
    return {"id": s.pk, "place": s.region_id, "day": s.day.isoformat(), "kind": s.kind, "person": s.person_id,
            "name": str(s.person), "note": s.phone_note,
            "checked_in_at": checked.at.isoformat() if checked else None}


class RosterQuery(Schema):
    place: str = Field(..., description="the township's or county's region code")
    start: dt.date | None = None
    end: dt.date | None = None


@router.get("/roster", response=dict[str, Any], summary="值班带班: the roster of a place")
def cadres_roster(request, q: Query[RosterQuery]):
    code = jurisdiction.figure_region(request.user, q.place)
    start = q.start or timezone.localdate()
    end = q.end or start + dt.timedelta(days=6)
    return {"place": code, "shifts": [_shift_out(s) for s in duty.roster(code, start, end)]}


class ShiftIn(Schema):
    place: str
    day: dt.date
    kind: str = Field(..., description="leading (带班) or on_duty (值班)")
    person: int
    note: str = ""


@router.post("/roster", response={201: dict[str, Any]}, summary="Add a shift to the roster")
def cadres_add_shift(request, body: ShiftIn):
    person = get_object_or_404(User, pk=body.person)
    shift = duty.add_shift(actor=request.user, region=body.place, day=body.day, kind=body.kind, person=person,
                           note=body.note)
    return 201, _shift_out(shift)


class CancelIn(Schema):
    reason: str


@router.post("/roster/{shift_id}/cancel", response=dict[str, Any], summary="Cancel a shift (kept, with reason)")
def cadres_cancel_shift(request, shift_id: int, body: CancelIn):
    shift = jurisdiction.get_visible_or_404(request.user, DutyShift, pk=shift_id)
    if not duty.may_edit_roster(request.user, shift.region_id):
        raise Http404
    row = duty.cancel_shift(shift, actor=request.user, reason=body.reason)
    return {"id": row.pk, "cancelled_at": row.deleted_at.isoformat()}


class CheckInIn(Schema):
    latitude: float | None = None
    longitude: float | None = None
    note: str = ""


def _check_in_out(c: CheckIn) -> dict[str, Any]:
    return {"id": c.pk, "day": c.day.isoformat(), "at": c.at.isoformat(), "place": c.region_id,
            "shift": c.shift_id, "located": c.latitude is not None}


@router.post("/check-in", response={201: dict[str, Any]}, summary="Check in at the post (在岗签到), once a day")
def cadres_check_in(request, body: CheckInIn):
    row = duty.check_in(actor=request.user, latitude=body.latitude, longitude=body.longitude, note=body.note)
    return 201, _check_in_out(row)


@router.get("/check-in", response=dict[str, Any], summary="My shifts and check-in today")
def cadres_my_day(request):
    today = timezone.localdate()
    mine = duty.today_for(request.user, today)
    return {"day": today.isoformat(), "place": mine["place"],
            "shifts": [{"id": s.pk, "place": s.region_id, "kind": s.kind} for s in mine["shifts"]],
            "check_in": _check_in_out(mine["check_in"]) if mine["check_in"] else None}
