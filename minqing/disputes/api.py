"""Disputes JSON API under /api/v1/disputes: list, detail, registration (排查登记), parties, risk
reviews, mediation stages (三调联动), sessions, the agreement and its photo, follow-up visits
(履行回访), referral, the risk list and the figures. Thin: parse → one service or query → answer.

Outside the user's jurisdiction a dispute does not exist (404, checked before the body is read:
every body field is optional here and the services answer 422 in Chinese for what is missing);
a post that may not take the step answers 403."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from minqing.api.schemas import Page, paginate, window
from minqing.appeals import queries as appeal_queries
from minqing.appeals import workflow as wf
from minqing.appeals.models import Report
from minqing.households.models import Household, Resident
from minqing.lib import idempotent
from minqing.lib.workdays import TZ
from minqing.portal import codes
from minqing.regions import jurisdiction

from . import metrics, parties, queries, services
from .models import Dispute, DisputeKind, PartyAccess

router = Router(tags=["disputes"])


class DisputeOut(Schema):
    id: int
    appeal_id: int
    number: str
    title: str
    kind: str
    kind_name: str
    region_id: str
    region_name: str
    found_at: dt.datetime
    source: str
    risk_level: str
    risks: list[str]
    next_review_on: dt.date | None
    review_overdue: bool
    phase: str
    phase_label: str
    appeal_status: str
    sensitivity: str
    owner_name: str
    due_at: dt.datetime | None
    outcome: str
    reopen_count: int


class PartyIn(Schema):
    side: int = Field(1, description="1 甲方, 2 乙方 …")
    kind: str = Field("resident", description="resident|household|enterprise|unit|other")
    name: str = ""
    resident: int | None = None
    household: int | None = None
    unit: int | None = None
    enterprise_ref: str = ""
    claim: str = Field("", description="当事人的主张（原话）")


class DisputeIn(Schema):
    region: str | None = Field(None, description="区划代码（村）")
    kind: str | None = Field(None, description="纠纷类型代码（/kinds）")
    title: str = ""
    text: str = ""
    source: str = Field("visit", description="visit|meeting|report|transfer|other")
    source_visit_id: int | None = None
    source_meeting_id: int | None = None
    risk_level: str = Field("low", description="low|medium|high")
    risks: list[str] = Field(default_factory=list, description="petition|group|violence")
    family: bool | None = Field(None, description="按家事纠纷保密（婚姻家庭类默认是）")
    next_review_on: dt.date | None = None
    parties: list[PartyIn] = Field(default_factory=list)
    client_id: str | None = None
    found_at: dt.datetime | None = None


class RiskIn(Schema):
    level: str | None = Field(None, description="low|medium|high")
    risks: list[str] = Field(default_factory=list)
    note: str = ""
    next_review_on: dt.date | None = None


class StageIn(Schema):
    kind: str | None = Field(None, description="people|administrative|judicial")
    body: str = Field("", description="调解组织：村调委会、镇司法所、人民法庭 …")
    level: str | None = Field(None, description="village|township|county")
    unit: int | None = None
    mediator: int | None = Field(None, description="调解员账号 id")
    mediator_name: str = ""
    due: str | None = Field(None, description="调解期限（日期或日期时间）")
    reason: str = Field("", description="移交时：上一环节调解不成的原因")


class StatementIn(Schema):
    party: int | None = None
    text: str = ""


class SessionIn(Schema):
    held_at: dt.datetime | None = None
    venue: str = Field("courtyard", description="courtyard|reasoning|field_court|night_talk|mediation_room|home|"
                                                "office|other")
    place: str = ""
    attendees: list[str] = Field(default_factory=list)
    statements: list[StatementIn] = Field(default_factory=list)
    outcome: str = ""
    result: str = Field("continue", description="continue|agreed|failed")


class TermIn(Schema):
    text: str = ""
    due_on: dt.date | None = None
    party: int | None = Field(None, description="履行人（当事人 id）")


class AgreementIn(Schema):
    summary: str = ""
    signed_on: dt.date | None = None
    signed_by: list[int] | None = Field(None, description="签字的当事人 id（缺省：全部当事人）")
    session: int | None = None
    terms: list[TermIn] = Field(default_factory=list)


class CheckIn(Schema):
    term: int | None = None
    kept: bool | None = None
    note: str = ""


class FollowUpIn(Schema):
    agreement: int | None = None
    method: str = ""
    note: str = ""
    checks: list[CheckIn] = Field(default_factory=list)


class ReferralIn(Schema):
    to: str | None = Field(None, description="court|arbitration|other")
    body: str = ""
    reason: str = ""


class KindOut(Schema):
    id: int
    code: str
    name: str
    family: bool


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def _row(d: Dispute, today: dt.date) -> dict[str, Any]:
    a = d.appeal
    p = services.phase(d)
    return {
        "id": d.pk, "appeal_id": a.pk, "number": a.number, "title": a.title, "kind": d.kind.code,
        "kind_name": d.kind.name, "region_id": a.region_id, "region_name": a.region.name, "found_at": d.found_at,
        "source": d.source, "risk_level": d.risk_level, "risks": d.risks, "next_review_on": d.next_review_on,
        "review_overdue": bool(d.next_review_on and d.next_review_on < today
                               and p in ("screening", "mediating", "performing")),
        "phase": p, "phase_label": services.PHASE_LABELS[p], "appeal_status": a.status,
        "sensitivity": a.sensitivity, "owner_name": d.owner_name, "due_at": d.due_at, "outcome": d.outcome,
        "reopen_count": d.reopen_count,
    }  # fmt: skip


def detail(user, d: Dispute) -> dict[str, Any]:
    """Everything about one dispute (also used by the pages' JSON-free templates via the models)."""
    a = d.appeal
    issued = {x.party_id: x.issued_at for x in PartyAccess.objects.alive().filter(party__dispute=d,
                                                                                  revoked_at__isnull=True)}
    agreements = []
    for g in d.agreements.alive().prefetch_related("terms"):
        agreements.append({
            "id": g.pk, "stage": g.stage_id, "session": g.session_id, "signed_on": g.signed_on, "summary": g.summary,
            "signed_by": g.signed_by, "photo": g.photo_id, "status": g.status, "recorded_at": g.recorded_at,
            "terms": [{"id": t.pk, "number": t.number, "text": t.text, "party": t.party_id, "due_on": t.due_on,
                       "status": t.status, "checked_at": t.checked_at} for t in g.terms.alive()],
        })  # fmt: skip
    return {
        **_row(d, _today()), "text": a.text, "source_visit_id": d.source_visit_id,
        "source_meeting_id": d.source_meeting_id, "solved_at": d.solved_at, "referred_at": d.referred_at,
        "parties": [{"id": p.pk, "side": p.side, "kind": p.kind, "name": p.name, "resident": p.resident_id,
                     "household": p.household_id, "unit": p.unit_id, "enterprise_ref": p.enterprise_ref,
                     "claim": p.claim, "code_issued_at": issued.get(p.pk)} for p in d.parties.alive()],
        "party_messages": [{"id": m.pk, "party": m.party_id, "term": m.term_id, "at": m.at, "text": m.text,
                            "read_at": m.read_at} for m in d.party_messages.alive()],
        "risk_reviews": [{"id": r.pk, "at": r.at, "by": str(r.by) if r.by_id else "", "level_before": r.level_before,
                          "level": r.level, "risks": r.risks, "note": r.note, "next_review_on": r.next_review_on}
                         for r in d.risk_reviews.alive().select_related("by")],
        "stages": [{"id": s.pk, "number": s.number, "kind": s.kind, "level": s.level, "body": s.body,
                    "unit": s.unit_id, "mediator": s.mediator_id, "mediator_name": s.mediator_name,
                    "started_at": s.started_at, "due_at": s.due_at, "ended_at": s.ended_at, "result": s.result,
                    "reason": s.reason} for s in d.stages.alive()],
        "sessions": [{"id": s.pk, "stage": s.stage_id, "held_at": s.held_at, "venue": s.venue, "place": s.place,
                      "attendees": s.attendees, "statements": s.statements, "outcome": s.outcome,
                      "result": s.result} for s in d.sessions.alive()],
        "agreements": agreements,
        "follow_ups": [{"id": f.pk, "agreement": f.agreement_id, "at": f.at, "by": str(f.by) if f.by_id else "",
                        "method": f.method, "note": f.note,
                        "checks": [{"term": c.term_id, "kept": c.kept, "note": c.note} for c in f.checks.alive()]}
                       for f in d.follow_ups.alive().select_related("by").prefetch_related("checks")],
        "referrals": [{"id": r.pk, "to": r.to, "body": r.body, "reason": r.reason, "at": r.at}
                      for r in d.referrals.alive()],
        "events": [{"action": e.action, "label": wf.ACTIONS[e.action].label if e.action in wf.ACTIONS else e.action,
                    "at": e.at, "from_status": e.from_status, "to_status": e.to_status, "reason": e.reason}
                   for e in appeal_queries.timeline(a)],
    }  # fmt: skip


_FROM = Query(None, alias="from")  # `from` is a Python keyword
_TO = Query(None, alias="to")


@router.get("", response=Page[DisputeOut])
def disputes_list(request, region: str | None = None, kind: str | None = None, risk: str | None = None,
                  phase: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0):
    """矛盾纠纷列表. phase: screening|mediating|performing|solved|referred|closed."""
    page = paginate(queries.disputes_for(request.user, region=region, kind=kind, risk=risk, phase=phase, q=q),
                    limit, offset)
    today = _today()
    page["items"] = [_row(d, today) for d in page["items"]]
    return page


@router.get("/kinds", response=list[KindOut])
def disputes_kinds(request):
    """纠纷类型（县里可在后台配置）."""
    return list(DisputeKind.objects.filter(is_active=True))


@router.get("/summary", response=dict)
def disputes_summary(request, region: str | None = None, date_from: dt.date | None = _FROM,
                     date_to: dt.date | None = _TO):
    """排查化解统计：排查数、解决数、其余件数及已明确时限和责任人的件数，按类型、村、月分列."""
    code = jurisdiction.figure_region(request.user, region)  # outside one's figures: 404, as everywhere
    end = date_to or _today()
    start = date_from or end.replace(month=1, day=1)
    if start > end:
        raise ValidationError("起始日期不能晚于截止日期")
    return metrics.summary(code, start, end, user=request.user)


@router.get("/risks", response=Page[DisputeOut])
def disputes_risks(request, region: str | None = None, overdue: bool = False, limit: int = 100, offset: int = 0):
    """排查风险清单：未化解纠纷按风险高低排列；研判逾期的标出（review_overdue）."""
    rows = queries.risk_list(request.user, region=region, overdue_only=overdue)
    today = _today()
    limit, offset = window(limit, offset)
    return {"items": [_row(r.dispute, today) for r in rows[offset: offset + limit]], "count": len(rows)}


def _check_people(user, parties: list[dict[str, Any]]) -> None:
    for p in parties:
        if p.get("household") and not jurisdiction.visible(user, Household).filter(pk=p["household"]).exists():
            raise ValidationError("所选户不存在或不在您的管辖范围内")
        if p.get("resident") and not jurisdiction.visible(user, Resident).filter(pk=p["resident"]).exists():
            raise ValidationError("所选群众不存在或不在您的管辖范围内")


@router.post("", response={201: dict})
def disputes_create(request, body: DisputeIn):
    """排查登记：纠纷（诉求类型为矛盾纠纷）、两方以上当事人及其主张、风险等级."""
    data = body.model_dump()
    if not data["region"] or not data["kind"]:
        raise ValidationError("请填写区划和纠纷类型")
    _check_people(request.user, data["parties"])
    cid = data.get("client_id")

    def existing() -> Dispute | None:  # the same client_id again, or sent twice at once
        found = Report.objects.filter(client_id=cid).first() if cid else None
        if found is not None:
            idempotent.check_owner(found.received_by_id, request.user)
        return Dispute.objects.filter(appeal_id=found.appeal_id).first() if found else None

    d = existing() or idempotent.create_once(lambda: services.register_dispute(actor=request.user, **data),
                                             existing)
    if not jurisdiction.visible(request.user, Dispute).filter(pk=d.pk).exists():
        # A village cadre may register a family dispute but not read it (mediators and leaders only).
        return Status(201, {"id": d.pk, "number": d.appeal.number, "visible": False,
                            "detail": "已登记。家事纠纷仅本地调解员和领导可查看"})
    return Status(201, {**detail(request.user, queries.dispute_detail(request.user, d.pk)), "visible": True})


@router.get("/{int:dispute_id}", response=dict)
def disputes_get(request, dispute_id: int):
    """纠纷详情：当事人、风险研判、调解环节、调解记录、协议与条款、履行回访、转出、流转记录."""
    return detail(request.user, queries.dispute_detail(request.user, dispute_id))


def _done(request, dispute_id: int) -> Status:
    return Status(201, detail(request.user, queries.dispute_detail(request.user, dispute_id)))


@router.post("/{int:dispute_id}/parties", response={201: dict})
def disputes_add_party(request, dispute_id: int, body: PartyIn):
    """增加当事人."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    _check_people(request.user, [data])
    services.add_party(d, actor=request.user, **data)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/risk", response={201: dict})
def disputes_review_risk(request, dispute_id: int, body: RiskIn):
    """风险研判（定期）：风险等级、风险类型、下次研判日期."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    if not data["level"]:
        raise ValidationError("请选择风险等级")
    services.review_risk(d, actor=request.user, **data)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/stages", response={201: dict})
def disputes_start_stage(request, dispute_id: int, body: StageIn):
    """启动调解或移交下一环节（人民调解 → 行政调解 → 司法调解），移交须写明原因."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    if not data["kind"]:
        raise ValidationError("请选择调解类型")
    services.start_stage(d, actor=request.user, **data)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/sessions", response={201: dict})
def disputes_add_session(request, dispute_id: int, body: SessionIn):
    """登记一次调解（院坝讲理会、田间法庭 …）：参加人员、各方陈述、调解情况."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    services.add_session(d, actor=request.user, **data)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/agreements", response={201: dict})
def disputes_record_agreement(request, dispute_id: int, body: AgreementIn):
    """登记调解协议：条款及各自履行期限、签字当事人；签字协议照片另行上传."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    for n, t in enumerate(data["terms"], start=1):
        if t["due_on"] is None:
            raise ValidationError(f"请填写第{n}项条款的履行期限")
    services.record_agreement(d, actor=request.user, **data)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/agreements/{int:agreement_id}/photo", response={201: dict})
def disputes_agreement_photo(request, dispute_id: int, agreement_id: int,
                             file: UploadedFile = File(None)):  # noqa: B008 - ninja's idiom
    """上传签字协议照片（jpg/png/pdf，≤10 MB）."""
    d = queries.dispute_detail(request.user, dispute_id)
    agreement = d.agreements.alive().filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404
    if file is None:
        raise ValidationError("请选择要上传的文件")
    services.attach_agreement_photo(agreement, actor=request.user, upload=file)
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/follow-ups", response={201: dict})
def disputes_follow_up(request, dispute_id: int, body: FollowUpIn):
    """履行回访：逐项核实条款；全部履行则办结，任一条款未履行则纠纷重新打开."""
    d = queries.dispute_detail(request.user, dispute_id)
    services.follow_up(d, actor=request.user, **body.model_dump())
    return _done(request, dispute_id)


@router.post("/{int:dispute_id}/referral", response={201: dict})
def disputes_refer(request, dispute_id: int, body: ReferralIn):
    """调解不成：引导至法院、仲裁或其他机关，写明理由."""
    d = queries.dispute_detail(request.user, dispute_id)
    data = body.model_dump()
    if not data["to"]:
        raise ValidationError("请选择转出去向")
    services.refer(d, actor=request.user, **data)
    return _done(request, dispute_id)


# --- party codes and messages (parties.py) ------------------------------------------------------


def _party_of(d: Dispute, party_id: int):
    party = d.parties.alive().filter(pk=party_id).first()
    if party is None:
        raise Http404
    return party


@router.post("/{int:dispute_id}/parties/{int:party_id}/code", response={201: dict})
def disputes_party_code(request, dispute_id: int, party_id: int):
    """发放当事人查询码（仅此一次显示；原查询码作废）。当事人凭码在 /portal/mediation/ 查看与本人有关的进展."""
    d = queries.dispute_detail(request.user, dispute_id)
    party = _party_of(d, party_id)
    code = parties.issue_code(d, party, actor=request.user)
    return Status(201, {"party": party.pk, "code": codes.display(code), "issued_at": parties.code_issued_at(party)})


@router.post("/{int:dispute_id}/parties/{int:party_id}/code/revoke", response=dict)
def disputes_party_revoke(request, dispute_id: int, party_id: int):
    """停用当事人查询码（告知单遗失等）."""
    d = queries.dispute_detail(request.user, dispute_id)
    return {"revoked": parties.revoke_codes(d, _party_of(d, party_id), actor=request.user)}


@router.post("/{int:dispute_id}/messages/read", response=dict)
def disputes_messages_read(request, dispute_id: int):
    """当事人留言标为已读."""
    d = queries.dispute_detail(request.user, dispute_id)
    return {"read": parties.mark_read(d, actor=request.user)}
