"""JSON API of household checklists, mounted at /api/v1/checklists/. Thin: parse → service or query.

- GET  /forms?region=            the active checklists (current version and items) a phone downloads
- POST ""                        define a checklist (county leaders); POST /versions a new version
- POST /visits/{visit_id}/answers  answer a checklist on a visit made online (offline: /api/v1/sync,
                                 a visit record's data.checklist = {"version": id, "answers": {code: value}})
- GET  /visits/{visit_id}/answers  the answers given on a visit
- POST /answers/{answer_id}/appeal open an appeal from a failed item (one step; again → the same appeal)
- GET  /counts?region=&from=&to=   per item: households checked, failing, cleared, by village
- GET  /clearance?region=&year=    found → cleared after each visit round
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from minqing.lib import periods, regioncode
from minqing.regions import jurisdiction

from . import metrics, services
from .models import Checklist, ChecklistAnswer, ChecklistItem, ChecklistResponse, ChecklistVersion

router = Router(tags=["checklists"])


def _figure_region(request, raw: str | None) -> str:
    return jurisdiction.figure_region(request.user, raw)


def item_out(i: ChecklistItem) -> dict[str, Any]:
    return {"code": i.code, "label": i.label, "group": i.group, "answer_type": i.answer_type,
            "pass_value": i.pass_value, "comparison": i.comparison or None,
            "threshold": str(i.threshold) if i.threshold is not None else None, "unit": i.unit,
            "choices": i.choices, "passing_choices": i.passing_choices}


def version_out(v: ChecklistVersion) -> dict[str, Any]:
    c = v.checklist
    return {"checklist": c.pk, "code": c.code, "name": c.name, "tags": c.tags, "version": v.pk, "number": v.number,
            "frozen": services.is_frozen(v), "items": [item_out(i) for i in v.items.all()]}


class FormsQuery(Schema):
    region: str | None = None


@router.get("/forms", response=dict[str, Any], summary="Active checklists and their current version")
def checklist_forms(request, q: Query[FormsQuery]):
    qs = jurisdiction.visible(request.user, Checklist).filter(is_active=True)
    if q.region:
        try:
            county = regioncode.normalize(regioncode.county_of(regioncode.normalize(q.region)))
        except (regioncode.RegionCodeError, ValueError):
            raise Http404 from None
        qs = qs.filter(region_id=county)  # the 12-digit code: county_of gives the 6-digit prefix
    out = []
    for c in qs.order_by("region_id", "code"):
        v = services.current_version(c)
        if v is not None:
            out.append(version_out(v))
    return {"items": out, "count": len(out)}


class ItemIn(Schema):
    code: str
    label: str
    answer_type: str
    group: str = ""
    unit: str = ""
    pass_value: bool | None = None
    comparison: str | None = None
    threshold: str | float | None = None
    choices: list[str] = []
    passing_choices: list[str] = []


class ChecklistIn(Schema):
    county: str
    code: str
    name: str
    tags: list[str] = []
    description: str = ""
    items: list[ItemIn]


class VersionIn(Schema):
    checklist: int
    note: str = ""
    items: list[ItemIn]


def _items(items: list[ItemIn]) -> list[dict[str, Any]]:
    return [{k: v for k, v in i.dict().items() if v is not None} for i in items]


@router.post("", response={201: dict[str, Any]}, summary="Define a checklist (county leaders)")
def checklist_create(request, payload: ChecklistIn):
    c = services.create_checklist(actor=request.user, county=payload.county, code=payload.code, name=payload.name,
                                  items=_items(payload.items), tags=payload.tags, description=payload.description)
    return Status(201, version_out(services.current_version(c)))


@router.post("/versions", response={201: dict[str, Any]}, summary="A new version of a checklist")
def checklist_new_version(request, payload: VersionIn):
    c = jurisdiction.visible(request.user, Checklist).filter(pk=payload.checklist).first()
    if c is None:
        raise Http404
    v = services.new_version(c, actor=request.user, items=_items(payload.items), note=payload.note)
    return Status(201, version_out(v))


def response_out(r: ChecklistResponse) -> dict[str, Any]:
    v = r.version
    answers = []
    for a in r.answers.select_related("item").order_by("item__position"):
        value = a.value
        answers.append({"id": a.pk, "item": a.item.code, "label": a.item.label,
                        "value": str(value) if value is not None and not isinstance(value, bool | str) else value,
                        "passed": a.passed, "appeal": getattr(getattr(a, "appeal_link", None), "appeal_id", None)})
    return {"id": r.pk, "visit": r.visit_id, "household": r.household_id, "region": r.region_id,
            "checklist": v.checklist.code, "checklist_name": v.checklist.name, "version": v.pk,
            "number": v.number, "answered_at": r.answered_at, "failed": r.failed, "answers": answers}


class AnswersIn(Schema):
    version: int | None = None  # checked by the service, after the visit is found (else 404 first)
    answers: dict[str, Any] = {}


@router.post("/visits/{visit_id}/answers", response={201: dict[str, Any]},
             summary="Answer a checklist on a visit")
def checklist_answer_visit(request, visit_id: int, payload: AnswersIn):
    from minqing.fieldwork.models import Visit

    visit = jurisdiction.get_visible_or_404(request.user, Visit, pk=visit_id)
    r = services.apply_visit_answers(visit, payload.dict(), actor=request.user)
    return Status(201, response_out(r))


@router.get("/visits/{visit_id}/answers", response=dict[str, Any], summary="Checklists answered on a visit")
def checklist_visit_answers(request, visit_id: int):
    from minqing.fieldwork.models import Visit

    visit = jurisdiction.get_visible_or_404(request.user, Visit, pk=visit_id)
    rows = jurisdiction.visible(request.user, ChecklistResponse).filter(visit=visit).select_related(
        "version__checklist")
    items = [response_out(r) for r in rows]
    return {"items": items, "count": len(items)}


class ChecklistAppealIn(Schema):
    text: str = ""


@router.post("/answers/{answer_id}/appeal", response={201: dict[str, Any], 200: dict[str, Any]},
             summary="Open an appeal from a failed item")
def checklist_raise_appeal(request, answer_id: int, payload: ChecklistAppealIn):
    answer = jurisdiction.get_visible_or_404(request.user, ChecklistAnswer.objects.select_related(
        "item__version__checklist", "household", "response"), pk=answer_id)
    if answer.response.deleted_at is not None:
        raise Http404
    appeal, created = services.raise_item_appeal(answer, actor=request.user, text=payload.text)
    body = {"appeal": appeal.pk, "number": appeal.number, "title": appeal.title, "created": created}
    return Status(201 if created else 200, body)


class CountsQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None


@router.get("/counts", response=dict[str, Any], summary="Households failing each item, and cleared")
def checklist_counts(request, q: Query[CountsQuery]):
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period, q.from_, q.to)
    return {"region": code, "from": start, "to": end,
            "households": metrics.household_totals(code, start, end, user=request.user),
            "items": metrics.item_counts(code, start, end, user=request.user)}


class ClearanceQuery(Schema):
    region: str | None = None
    year: int | None = None


@router.get("/clearance", response=dict[str, Any], summary="Found → cleared after each visit round")
def checklist_clearance(request, q: Query[ClearanceQuery]):
    code = _figure_region(request, q.region)
    year = q.year or timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise ValidationError("年份无效")
    return {"region": code, "year": year, "rounds": metrics.clearance_by_round(code, year, user=request.user)}
