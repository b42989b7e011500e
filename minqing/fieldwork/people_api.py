"""JSON API of work with the people, under /api/v1/field: care files (/care), group petitions
(/petitions), practical things done (/deeds) and a household's members for the phone's visit form
(/households/{id}/members). Thin: parse → one service or query → answer; lists and reads through
jurisdiction.visible (404 outside). The figures are /api/v1/metrics/people (fieldwork.people)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Query, Router, Schema, Status
from pydantic import Field

from minqing.api.schemas import paginate
from minqing.households.models import Household, Resident
from minqing.regions import jurisdiction

from . import care
from .models import CareFile, Deed, GroupPetition

router = Router(tags=["fieldwork"])


class PeopleListQuery(Schema):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    region: str | None = None
    kind: str | None = None
    limit: int = 50
    offset: int = 0


def _dates(qs: Any, field: str, q: PeopleListQuery) -> Any:
    if q.from_:
        qs = qs.filter(**{f"{field}__gte": q.from_})
    if q.to:
        qs = qs.filter(**{f"{field}__lte": q.to})
    if q.region:
        qs = qs.filter(jurisdiction.region_q([q.region]))
    return qs


# --- a household's members (the phone's "residents met") ---------------------------------------------


@router.get("/households/{household_id}/members", response=dict[str, Any],
            summary="The living members of a household, to tick who was met")
def field_household_members(request, household_id: int):
    h = jurisdiction.get_visible_or_404(request.user, Household.objects.alive(), pk=household_id)
    rows = jurisdiction.visible(request.user, Resident).alive().filter(household=h, status="living").order_by("pk")
    return {"household": h.pk, "members": [{"id": r.pk, "name": r.name, "relation": str(r.get_relation_display())}
                                           for r in rows]}


# --- care files --------------------------------------------------------------------------------


def _care_out(c: CareFile) -> dict[str, Any]:
    return {"id": c.pk, "resident": c.resident_id, "name": c.resident.name, "household": c.household_id,
            "region": c.region_id, "kind": c.kind, "kind_label": str(c.get_kind_display()),
            "carer": str(c.carer) if c.carer else None, "opened_on": c.opened_on.isoformat(),
            "closed_on": c.closed_on.isoformat() if c.closed_on else None, "needs": c.needs}


@router.get("/care", response=dict[str, Any], summary="Care files (关爱服务档案) I may see")
def field_list_care(request, q: Query[PeopleListQuery]):
    qs = _dates(jurisdiction.visible(request.user, CareFile).alive(), "opened_on", q)
    if q.kind:
        qs = qs.filter(kind=q.kind)
    page = paginate(qs.select_related("resident", "carer").order_by("region_id", "id"), q.limit, q.offset)
    return {"items": [_care_out(c) for c in page["items"]], "count": page["count"]}


@router.get("/care/{care_id}", response=dict[str, Any], summary="One care file with the help given over time")
def field_get_care(request, care_id: int):
    c = jurisdiction.get_visible_or_404(request.user, CareFile.objects.alive().select_related("resident", "carer"),
                                        pk=care_id)
    history = care.care_history(request.user, c)[:500]
    return _care_out(c) | {"help": [
        {"visit": h.visit_id, "visited_at": h.visit.visited_at.isoformat(), "kind": h.kind,
         "amount": str(h.amount) if h.amount is not None else None, "goods": h.goods, "goods_count": h.goods_count,
         "note": h.note} for h in history]}


class CareIn(Schema):
    resident: int
    kind: str
    opened_on: dt.date | None = None
    carer: int | None = None
    needs: str = ""


@router.post("/care", response={201: dict[str, Any]}, summary="Open a care file")
def field_open_care(request, payload: CareIn):
    c = care.open_care_file(actor=request.user, resident=payload.resident, kind=payload.kind,
                            opened_on=payload.opened_on, carer=payload.carer, needs=payload.needs)
    return Status(201, _care_out(c))


class CloseIn(Schema):
    closed_on: dt.date | None = None
    reason: str


@router.post("/care/{care_id}/close", response=dict[str, Any], summary="End the care (the file is kept)")
def field_close_care(request, care_id: int, payload: CloseIn):
    c = jurisdiction.get_visible_or_404(request.user, CareFile.objects.alive(), pk=care_id)
    c = care.close_care_file(c, actor=request.user, closed_on=payload.closed_on, reason=payload.reason)
    return _care_out(c)


# --- group petitions ------------------------------------------------------------------------------


def _petition_out(g: GroupPetition) -> dict[str, Any]:
    return {"id": g.pk, "appeal": g.appeal_id, "number": g.appeal.number, "region": g.region_id, "level": g.level,
            "level_label": str(g.get_level_display()), "occurred_on": g.occurred_on.isoformat(),
            "headcount": g.headcount, "representatives": g.representative_names()}


@router.get("/petitions", response=dict[str, Any], summary="Group petitions (集访) I may see")
def field_list_petitions(request, q: Query[PeopleListQuery]):
    qs = _dates(jurisdiction.visible(request.user, GroupPetition), "occurred_on", q).filter(
        appeal__deleted_at__isnull=True)
    if q.kind:
        qs = qs.filter(level=q.kind)
    page = paginate(qs.select_related("appeal").order_by("-occurred_on", "-id"), q.limit, q.offset)
    return {"items": [_petition_out(g) for g in page["items"]], "count": page["count"]}


class PetitionIn(Schema):
    level: str
    occurred_on: dt.date
    headcount: int
    representatives: list[str] = []
    appeal: str | None = None  # an existing petition case: id or number
    region: str | None = None  # or a new case: its place, title and text
    title: str = ""
    text: str = ""


@router.post("/petitions", response={201: dict[str, Any]}, summary="Record a group petition")
def field_record_petition(request, payload: PetitionIn):
    g = care.record_group_petition(actor=request.user, level=payload.level, occurred_on=payload.occurred_on,
                                   headcount=payload.headcount, representatives="\n".join(payload.representatives),
                                   appeal=payload.appeal, region=payload.region, title=payload.title,
                                   text=payload.text)
    return Status(201, _petition_out(g))


# --- practical things done ---------------------------------------------------------------------


def _deed_out(d: Deed) -> dict[str, Any]:
    return {"id": d.pk, "region": d.region_id, "title": d.title, "description": d.description,
            "done_on": d.done_on.isoformat(), "beneficiaries": d.beneficiaries,
            "cost": str(d.cost) if d.cost is not None else None, "appeal": d.appeal_id,
            "leader": str(d.leader) if d.leader else None}


@router.get("/deeds", response=dict[str, Any], summary="Practical things done (为民办实事) I may see")
def field_list_deeds(request, q: Query[PeopleListQuery]):
    qs = _dates(jurisdiction.visible(request.user, Deed).alive(), "done_on", q)
    page = paginate(qs.select_related("leader").order_by("-done_on", "-id"), q.limit, q.offset)
    return {"items": [_deed_out(d) for d in page["items"]], "count": page["count"]}


class DeedIn(Schema):
    region: str
    title: str
    done_on: dt.date
    description: str = ""
    beneficiaries: int | None = None
    cost: Decimal | None = None
    appeal: int | None = None
    leader: int | None = None


@router.post("/deeds", response={201: dict[str, Any]}, summary="Record a practical thing done")
def field_record_deed(request, payload: DeedIn):
    d = care.record_deed(actor=request.user, region=payload.region, title=payload.title, done_on=payload.done_on,
                         description=payload.description, beneficiaries=payload.beneficiaries, cost=payload.cost,
                         appeal=payload.appeal, leader=payload.leader)
    return Status(201, _deed_out(d))
