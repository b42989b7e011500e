"""JSON API of enterprise liaison, mounted at /api/v1/enterprises/. Thin: parse → service or query.

- GET  ""                       key enterprises and projects visible to the user (?region=, ?kind=)
- POST ""                       register one (leaders of the place)
- GET  /{enterprise_id}         detail: pairings, recent visits, appeals (phone masked)
- POST /{enterprise_id}/pairings pair a county leader or department head
- POST /{enterprise_id}/appeals an appeal of the enterprise outside a visit
- GET  /visits                  visits (?enterprise=, ?from=, ?to=)
- POST /visits                  record a visit — also the offline sync route: the phone's client_id
                                makes a resend answer "duplicate" with the first visit's id
- GET  /liaison?region=&period=YYYY-MM  the monthly-visit quota report (green/yellow/red)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from minqing.accounts.models import User
from minqing.lib import idempotent, periods, regioncode
from minqing.regions import jurisdiction

from . import metrics, services
from .models import Enterprise, EnterpriseAppeal, EnterpriseVisit, LiaisonPairing

router = Router(tags=["enterprises"])


def enterprise_out(e: Enterprise, *, detail: bool = False, user: Any = None) -> dict[str, Any]:
    out = {"id": e.pk, "name": e.name, "kind": e.kind, "kind_label": e.get_kind_display(), "region_id": e.region_id,
           "sector": e.sector, "address": e.address, "contact_name": e.contact_name, "phone": e.phone_masked,
           "leaders": [{"id": p.leader_id, "name": str(p.leader), "started_on": p.started_on}
                       for p in e.pairings.all() if p.ended_on is None]}
    if detail:
        visits = jurisdiction.visible(user, EnterpriseVisit).filter(enterprise=e).select_related("visitor")[:50]
        links = jurisdiction.visible(user, EnterpriseAppeal).filter(enterprise=e).select_related("appeal")[:50]
        out["note"] = e.note
        out["visits"] = [visit_out(v) for v in visits]
        out["appeals"] = [{"id": a.appeal_id, "number": a.appeal.number, "title": a.appeal.title,
                           "status": a.appeal.status, "visit": a.visit_id} for a in links]
    return out


def visit_out(v: EnterpriseVisit) -> dict[str, Any]:
    return {"id": v.pk, "enterprise": v.enterprise_id, "visitor": v.visitor_id, "visitor_name": str(v.visitor),
            "visited_at": v.visited_at, "raised": v.raised, "note": v.note, "version": v.version,
            "appeals": [a.appeal_id for a in v.appeals.all()]}


class ListQuery(Schema):
    region: str | None = None
    kind: str | None = None


@router.get("", response=dict[str, Any], summary="Key enterprises and projects")
def enterprise_list(request, q: Query[ListQuery]):
    qs = jurisdiction.visible(request.user, Enterprise).prefetch_related("pairings__leader")
    if q.region:
        try:
            qs = qs.filter(jurisdiction.region_q([regioncode.normalize(q.region)]))
        except (regioncode.RegionCodeError, ValueError):
            raise Http404 from None
    if q.kind:
        qs = qs.filter(kind=q.kind)
    items = [enterprise_out(e) for e in qs]
    return {"items": items, "count": len(items)}


class EnterpriseIn(Schema):
    region: str
    name: str
    kind: str = "enterprise"
    sector: str = ""
    address: str = ""
    contact_name: str = ""
    phone: str = ""
    note: str = ""


@router.post("", response={201: dict[str, Any]}, summary="Register a key enterprise or project")
def enterprise_create(request, payload: EnterpriseIn):
    e = services.register_enterprise(actor=request.user, **payload.dict())
    return Status(201, enterprise_out(e))


class VisitQuery(Schema):
    enterprise: int | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


@router.get("/visits", response=dict[str, Any], summary="Visits to enterprises")
def enterprise_list_visits(request, q: Query[VisitQuery]):
    qs = jurisdiction.visible(request.user, EnterpriseVisit).select_related("visitor").prefetch_related("appeals")
    if q.enterprise:
        qs = qs.filter(enterprise_id=q.enterprise)
    if q.from_:
        qs = qs.filter(visited_at__gte=timezone.make_aware(dt.datetime.combine(q.from_, dt.time())))
    if q.to:
        qs = qs.filter(visited_at__lt=timezone.make_aware(dt.datetime.combine(q.to + dt.timedelta(days=1),
                                                                             dt.time())))
    items = [visit_out(v) for v in qs[:500]]
    return {"items": items, "count": len(items)}


class AppealItem(Schema):
    title: str = ""
    text: str
    category: str | None = None  # a category's code; none: the classifier may suggest one
    client_id: str | None = None


class VisitIn(Schema):
    enterprise: int
    visited_at: dt.datetime
    raised: str = ""
    note: str = ""
    client_id: str | None = None
    device: str = ""
    appeals: list[AppealItem] = []


@router.post("/visits", response={201: dict[str, Any], 200: dict[str, Any]},
             summary="Record a visit (also the offline sync route)")
def enterprise_record_visit(request, payload: VisitIn):
    if payload.client_id is not None and not (0 < len(payload.client_id.strip()) <= 64):
        raise ValidationError("缺少有效的记录编号（client_id）")
    def existing() -> tuple[EnterpriseVisit, bool] | None:  # a resend, or a simultaneous copy
        found = EnterpriseVisit.objects.filter(client_id=payload.client_id).first() if payload.client_id else None
        if found is not None:
            idempotent.check_owner(found.visitor_id, request.user)
        return (found, False) if found else None

    v, created = existing() or idempotent.create_once(lambda: services.record_visit(
        actor=request.user, enterprise=payload.enterprise, visited_at=payload.visited_at, raised=payload.raised,
        note=payload.note, appeals=[a.dict() for a in payload.appeals], client_id=payload.client_id,
        device=payload.device), existing)
    return Status(201 if created else 200, {"status": "applied" if created else "duplicate", **visit_out(v)})


class LiaisonQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None


@router.get("/liaison", response=dict[str, Any], summary="Monthly enterprise visits of paired leaders")
def enterprise_liaison(request, q: Query[LiaisonQuery]):
    code = jurisdiction.figure_region(request.user, q.region)
    start, end = periods.span(q.period, q.from_, q.to)
    return {"region": code, "from": start, "to": end, "rule": metrics.RULE.name,
            "rows": metrics.liaison_report(code, start, end, user=request.user)}


@router.get("/{enterprise_id}", response=dict[str, Any], summary="One enterprise or project")
def enterprise_get(request, enterprise_id: int):
    e = jurisdiction.get_visible_or_404(request.user, Enterprise.objects.prefetch_related("pairings__leader"),
                                        pk=enterprise_id)
    return enterprise_out(e, detail=True, user=request.user)


class PairingIn(Schema):
    leader: int | None = None  # optional in the schema so an unseen enterprise answers 404 first
    started_on: dt.date | None = None


@router.post("/{enterprise_id}/pairings", response={201: dict[str, Any]}, summary="Pair a leader")
def enterprise_pair(request, enterprise_id: int, payload: PairingIn):
    e = jurisdiction.get_visible_or_404(request.user, Enterprise, pk=enterprise_id)
    if payload.leader is None:
        raise ValidationError("请选择联系领导")
    leader = get_object_or_404(User, pk=payload.leader, is_active=True)
    p: LiaisonPairing = services.pair_leader(e, leader, actor=request.user, started_on=payload.started_on)
    return Status(201, {"id": p.pk, "enterprise": e.pk, "leader": leader.pk, "started_on": p.started_on})


class EnterpriseAppealIn(Schema):
    title: str = ""
    text: str = ""
    category: str | None = None
    client_id: str | None = None


@router.post("/{enterprise_id}/appeals", response={201: dict[str, Any], 200: dict[str, Any]},
             summary="An appeal of the enterprise")
def enterprise_raise_appeal(request, enterprise_id: int, payload: EnterpriseAppealIn):
    e = jurisdiction.get_visible_or_404(request.user, Enterprise, pk=enterprise_id)
    appeal, created = services.raise_appeal(e, actor=request.user, title=payload.title, text=payload.text,
                                            category=payload.category, client_id=payload.client_id)
    return Status(201 if created else 200, {"appeal": appeal.pk, "number": appeal.number, "created": created})
