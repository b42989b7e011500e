"""Field-work JSON API: /api/v1/field (plan, household directory, records), /api/v1/sync (the phone's outbox),
/api/v1/coverage and /api/v1/quotas. Thin: parse → one service or query → answer.

Auth is the API default (Bearer token or the web session). For the session, ninja's
django_auth checks CSRF on POST: the offline pages send the csrftoken cookie back in the
X-CSRFToken header (docs/decisions/0004-field-work.md).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from minqing.api.schemas import paginate
from minqing.lib import periods
from minqing.regions import jurisdiction

from . import directory, metrics, people_api, plans, rounds, services, sync
from .models import Activity, FieldAppeal, ResearchTopic, VillageList, VillageListItem, Visit, VisitRound

router = Router(tags=["fieldwork"])
sync_router = Router(tags=["fieldwork"])
coverage_router = Router(tags=["fieldwork"])
quotas_router = Router(tags=["fieldwork"])


def _day(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).date().isoformat() if value else None


# --- plan -----------------------------------------------------------------------------------


@router.get("/plan", response=dict[str, Any], summary="My households due for a visit")
def field_plan(request, on: dt.date | None = None):
    """Households due or overdue for a visit (within the next week), in visiting order."""
    day = on or timezone.localdate()
    items = []
    for d in plans.due_for(request.user, day):
        h = d.household
        items.append({
            "household": h.pk, "number": h.number, "head_name": h.head_name, "village": h.region.name,
            "group": h.group.name if h.group else "", "address": h.address,
            "tags": sorted(t.code for t in h.tags.all()),
            "last_visit": d.last_visit.isoformat() if d.last_visit else None,
            "due_on": d.due_on.isoformat(), "overdue": d.overdue,
        })
    return {"items": items}


def _etag_matches(header: str, version: str) -> bool:
    """If-None-Match, compared weakly: gzip turns the ETag into W/"…", and either form means the same."""
    tags = [t.strip().removeprefix("W/").strip('"') for t in header.split(",")]
    return "*" in tags or version in tags


@router.get("/households", response=dict[str, Any], summary="My household directory, for the offline picker")
def field_households(request):
    """Every household the user may see (at most 10 000, `truncated` says when cut), with only what the
    phone's picker needs: no address, no phone or ID number. `version` is also the ETag: send it back in
    If-None-Match and an unchanged directory answers 304 with no body (docs/decisions/0005-offline-first.md)."""
    book = directory.directory_for(request.user)
    if _etag_matches(request.headers.get("If-None-Match", ""), book.version):
        response: HttpResponse = HttpResponseNotModified()
    else:
        body = json.dumps(book.as_dict(), ensure_ascii=False, separators=(",", ":"))
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = f'"{book.version}"'
    response["Cache-Control"] = "private, no-cache"  # the phone revalidates every time; no shared cache keeps it
    # ~1.5 MB of JSON for 10 000 households is ~10 times smaller gzipped: it matters on a 2G link.
    return GZipMiddleware(lambda _request: response).process_response(request, response)


# --- records --------------------------------------------------------------------------------


def _visit_out(v: Visit, *, detail: bool = False) -> dict[str, Any]:
    out = {"id": v.pk, "client_id": v.client_id, "household": v.household_id, "head_name": v.household.head_name,
           "region": v.region_id, "visitor": str(v.visitor), "visited_at": v.visited_at.isoformat(),
           "problems_found": v.problems_found, "version": v.version}
    if detail:
        out.update({
            "note": v.note, "lat": float(v.latitude) if v.latitude is not None else None,
            "lng": float(v.longitude) if v.longitude is not None else None,
            "tags_added": v.tags_added, "tags_removed": v.tags_removed,
            "companions": [str(u) for u in v.companions.all()],
            "help": [{"kind": h.kind, "amount": str(h.amount) if h.amount is not None else None, "goods": h.goods,
                      "goods_count": h.goods_count, "resident": h.resident_id, "note": h.note} for h in v.help.all()],
            "people_met": v.people_met, "residents_met": sorted(r.pk for r in v.residents_met.all()),
            "cases": sorted(a.pk for a in v.cases.all()),
        })
    return out


def _appeals_of(links: Any) -> list[dict[str, Any]]:
    return [{"id": link.appeal_id, "number": link.appeal.number, "title": link.appeal.title,
             "status": link.appeal.status, "solved_on_spot": link.solved_on_spot}
            for link in links.select_related("appeal")]


class RangeQuery(Schema):
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    household: int | None = None
    kind: str | None = None
    limit: int = 50
    offset: int = 0


def _range(qs, field: str, q: RangeQuery):
    if q.from_:
        qs = qs.filter(**{f"{field}__gte": timezone.make_aware(dt.datetime.combine(q.from_, dt.time()))})
    if q.to:
        qs = qs.filter(**{f"{field}__lt": timezone.make_aware(dt.datetime.combine(q.to + dt.timedelta(days=1),
                                                                                   dt.time()))})
    return qs


@router.get("/visits", response=dict[str, Any], summary="Visits I may see")
def field_list_visits(request, q: Query[RangeQuery]):
    qs = _range(jurisdiction.visible(request.user, Visit), "visited_at", q).select_related("household", "visitor")
    if q.household:
        qs = qs.filter(household_id=q.household)
    page = paginate(qs, q.limit, q.offset)
    return {"items": [_visit_out(v) for v in page["items"]], "count": page["count"]}


@router.get("/visits/{visit_id}", response=dict[str, Any], summary="One visit")
def field_get_visit(request, visit_id: int):
    v = jurisdiction.get_visible_or_404(request.user, Visit.objects.select_related("household", "visitor"),
                                        pk=visit_id)
    out = _visit_out(v, detail=True)
    out["appeals"] = _appeals_of(jurisdiction.visible(request.user, FieldAppeal).filter(visit=v))
    return out


def _activity_out(a: Activity, *, detail: bool = False) -> dict[str, Any]:
    out = {"id": a.pk, "client_id": a.client_id, "kind": a.kind, "kind_label": str(a.get_kind_display()),
           "region": a.region_id, "held_at": a.held_at.isoformat(), "place": a.place, "topic": a.topic,
           "attendance": a.attendance, "leader": str(a.leader) if a.leader else None, "version": a.version}
    if detail:
        out.update({"documents": a.documents, "note": a.note, "findings": a.findings, "decisions": a.decisions,
                    "subtopic": a.subtopic_id, "participants": [str(u) for u in a.participants.all()],
                    "attendees": sorted(r.pk for r in a.attendees.all()), "cases": sorted(c.pk for c in a.cases.all())})
    return out


@router.get("/activities", response=dict[str, Any], summary="Group activities I may see")
def field_list_activities(request, q: Query[RangeQuery]):
    qs = _range(jurisdiction.visible(request.user, Activity), "held_at", q).select_related("leader")
    if q.kind:
        qs = qs.filter(kind=q.kind)
    page = paginate(qs, q.limit, q.offset)
    return {"items": [_activity_out(a) for a in page["items"]], "count": page["count"]}


@router.get("/activities/{activity_id}", response=dict[str, Any], summary="One activity")
def field_get_activity(request, activity_id: int):
    a = jurisdiction.get_visible_or_404(request.user, Activity.objects.select_related("leader"), pk=activity_id)
    out = _activity_out(a, detail=True)
    out["appeals"] = _appeals_of(jurisdiction.visible(request.user, FieldAppeal).filter(activity=a))
    return out


def _round_out(r: VisitRound) -> dict[str, Any]:
    """The round, with its results as shown (the count, or the standing correction) and reconciled."""
    rec = rounds.reconcile(r)
    shown = {s.name: s.shown for s in rec.stages}
    return {"id": r.pk, "team": r.team.name, "region": r.region_id, "year": r.year, "number": r.number,
            "started_on": r.started_on.isoformat(), "ended_on": r.ended_on.isoformat() if r.ended_on else None,
            "villages": sorted(r.villages.values_list("code", flat=True)),
            "led_by": {"id": r.led_by_id, "name": str(r.led_by)} if r.led_by_id else None,
            **shown, "results": rec.as_dict(), "summary": r.summary}


@router.get("/rounds/{round_id}", response=dict[str, Any], summary="One visit round and its results")
def field_get_round(request, round_id: int):
    r = jurisdiction.get_visible_or_404(request.user, VisitRound.objects.select_related("team", "led_by"),
                                        pk=round_id)
    return _round_out(r)


class RoundLeaderIn(Schema):
    leader: int | None = Field(None, description="the county leader's user id; null clears it")


@router.post("/rounds/{round_id}/leader", response=dict[str, Any], summary="Name who led a visit round")
def field_round_leader(request, round_id: int, payload: RoundLeaderIn):
    r = jurisdiction.get_visible_or_404(request.user, VisitRound, pk=round_id)
    row = rounds.set_round_leader(r, actor=request.user, leader=payload.leader)
    return _round_out(VisitRound.objects.select_related("team", "led_by").get(pk=row.pk))


class RoundResultsIn(Schema):
    count: bool = Field(False, description="true: count the results from the round's visits and cases")
    households_visited: int | None = None
    households_with_problems: int | None = None
    sent_to_township: int | None = None
    sent_to_county: int | None = None
    reason: str = Field("", description="why the typed figures correct the count (required with them)")


@router.post("/rounds/{round_id}/results", response=dict[str, Any],
             summary="Count a round's results, or correct the count with a reason")
def field_round_results(request, round_id: int, payload: RoundResultsIn):
    r = jurisdiction.get_visible_or_404(request.user, VisitRound, pk=round_id)
    typed = None if payload.count else {n: getattr(payload, n) or 0 for n in services.ROUND_RESULTS}
    row = services.set_round_results(r, actor=request.user, results=typed, reason=payload.reason)
    return _round_out(VisitRound.objects.select_related("team", "led_by").get(pk=row.pk))


@router.get("/topics/{topic_id}", response=dict[str, Any], summary="One research topic and its sub-topics")
def field_get_topic(request, topic_id: int):
    t = jurisdiction.get_visible_or_404(request.user, ResearchTopic.objects.select_related("leader"), pk=topic_id)
    subs = t.subtopics.alive().select_related("leader")
    return {"id": t.pk, "title": t.title, "region": t.region_id, "leader": str(t.leader), "year": t.year,
            "plan": t.plan, "conclusions": t.conclusions,
            "subtopics": [{"id": s.pk, "title": s.title, "leader": str(s.leader), "plan": s.plan,
                           "due_on": s.due_on.isoformat() if s.due_on else None, "findings": s.findings,
                           "visits": s.visits.alive().count(), "activities": s.activities.alive().count()}
                          for s in subs]}


def _list_out(lst: VillageList) -> dict[str, Any]:
    return {"id": lst.pk, "title": lst.title, "region": lst.region_id, "round": lst.round_id,
            "prepared_on": lst.prepared_on.isoformat(),
            "items": [{"id": i.pk, "kind": i.kind, "text": i.text, "done": i.done_at is not None,
                       "done_note": i.done_note} for i in lst.items.all()]}


@router.get("/lists/{list_id}", response=dict[str, Any], summary="A village's three lists")
def field_get_lists(request, list_id: int):
    return _list_out(jurisdiction.get_visible_or_404(request.user, VillageList, pk=list_id))


class TickIn(Schema):
    done: bool = True
    note: str = ""


@router.post("/list-items/{item_id}/tick", response=dict[str, Any], summary="Tick off a list item")
def field_tick_item(request, item_id: int, payload: TickIn):
    item = jurisdiction.get_visible_or_404(request.user, VillageListItem, pk=item_id)
    row = services.tick_item(item, actor=request.user, note=payload.note, done=payload.done)
    return {"id": row.pk, "done": row.done_at is not None, "done_note": row.done_note}


# --- figures --------------------------------------------------------------------------------


class FigureQuery(Schema):
    region: str | None = None
    period: str | None = None


def _figure_region(request, raw: str | None) -> str:
    return jurisdiction.figure_region(request.user, raw)


@coverage_router.get("", response=dict[str, Any], summary="Visit coverage of a region and period")
def field_coverage(request, q: Query[FigureQuery]):
    """period: YYYY-MM, YYYY-Qn or YYYY (default: this month so far)."""
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period)
    out = metrics.coverage(code, start, end, user=request.user)
    out["period"] = {"start": start.isoformat(), "end": end.isoformat()}
    return out


@quotas_router.get("", response=dict[str, Any], summary="Quota compliance per person")
def field_quotas(request, q: Query[FigureQuery]):
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period)
    return {"rows": metrics.quota_report(code, start, end, user=request.user),
            "period": {"start": start.isoformat(), "end": end.isoformat()}}


@router.get("/funnel", response=dict[str, int], summary="Visit rounds' funnel")
def field_funnel(request, q: Query[FigureQuery]):
    code = _figure_region(request, q.region)
    start, end = periods.span(q.period)
    return metrics.funnel(code, start, end, user=request.user)


# --- sync -----------------------------------------------------------------------------------


SYNC_EXAMPLE = {
    "device": "phone-1",
    "records": [
        {"client_id": "0b5c…uuid", "type": "visit", "id": None, "base_version": None,
         "data": {"household": 1, "visited_at": "2025-03-05T10:00:00+08:00", "note": "民情日记", "lat": 31.5,
                  "lng": 107.7, "tags_add": [], "tags_remove": [],
                  "help": [{"kind": "temporary_relief", "amount": "500", "goods": "", "note": ""}],
                  "appeals": [{"client_id": "9f1e…uuid", "title": "饮水困难", "text": "自来水经常停水",
                               "kind": "problem", "solved_on_spot": False, "what": ""}]}},
        {"client_id": "77aa…uuid", "type": "visit", "id": 12, "base_version": 1, "data": {"note": "补记"}},
    ],
}


@sync_router.post("", response=dict[str, Any], summary="Apply the phone's outbox",
                  openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                      "schema": {"type": "object"}, "example": SYNC_EXAMPLE}}}})
def field_sync(request):
    """Body: {"device": str, "records": [{"client_id", "type": visit|activity|appeal, "id", "base_version",
    "data"}]}. Each record is applied in its own transaction; the answer lists each one's fate
    (applied | duplicate | rejected | conflict). HTTP 200 even when some are rejected."""
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("请求内容不是有效的 JSON") from exc
    if not isinstance(payload, dict):
        raise ValidationError("请求内容应为对象")
    return sync.apply_batch(payload, user=request.user)


# 关爱服务档案, 集访, 为民办实事 and a household's members: people_api.py, under the same /field prefix.
router.add_router("", people_api.router)
