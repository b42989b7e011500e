"""Every change to a dispute. Each function is atomic and writes its audit event; the appeal the
dispute is moves only through minqing.appeals.services (which writes AppealEvent + audit).

How the mediation maps onto the appeal's workflow (appeals/workflow.py has no dispute-specific
actions, and no 'reopen' from a closed state, so the appeal is kept open until the agreement
is performed):
- register_dispute      → register_appeal(kind="dispute"), category from the kind (婚姻家庭 → family)
- start_stage (first)   → review(decision="assign"): the mediating unit, the mediator, the deadline
- start_stage (hand-on) → assign to the next unit (or a progress note when the body — a tribunal —
                          is no unit of ours: the coordinating unit stays responsible)
- add_session           → add_progress (the session's outcome is the note)
- record_agreement      → submit_result (调解成功; the dispute counts as solved from here)
- follow_up             → the first visit by someone other than the mediator verifies; when every
                          term is kept: return_visit(satisfied) + close(solved). A broken term:
                          verify(passed=False) or return_visit(unsatisfied, reopen=True) — the
                          appeal is back in handling (重办, counted), the dispute reopened.
- refer                 → refer (导入法定途径): the appeal closes, not solved, naming the body
                          (court, arbitration board …) and the reason, at any open stage.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minqing.accounts.models import Unit, User
from minqing.appeals import services as appeals
from minqing.appeals import workflow as wf
from minqing.households.models import Household, Resident
from minqing.lib import regioncode
from minqing.lib.workdays import TZ, end_of_day

from .checks import (  # noqa: F401 - parties.py and the views use some of these through services
    RISK_FLAGS,
    _audit,
    _category,
    _choice,
    _date,
    _flags,
    _locked,
    _may,
    _moment,
    _now,
    _status,
    _text,
    _user,
    kind_by_code,
)
from .follow import (  # noqa: F401 - re-exported: callers import these from services
    FAMILY_CATEGORY_CODE,
    _registering,
    adopt,
    on_appeal_changed,
    sync_from_appeal,
)
from .models import (
    STAGE_ORDER,
    Agreement,
    AgreementStatus,
    Dispute,
    FollowUp,
    MediationSession,
    MediationStage,
    Outcome,
    Party,
    PartyKind,
    Referral,
    ReferralTo,
    RiskLevel,
    RiskReview,
    SessionResult,
    Source,
    StageKind,
    StageLevel,
    StageResult,
    Term,
    TermCheck,
    TermStatus,
    Venue,
)

# County policy: days until the next risk review, by level; days a mediation stage may take.
REVIEW_DAYS = {RiskLevel.HIGH: 7, RiskLevel.MEDIUM: 15, RiskLevel.LOW: 30}
STAGE_DAYS = {StageKind.PEOPLE: 30, StageKind.ADMINISTRATIVE: 30, StageKind.JUDICIAL: 30}
SOURCE_CHANNEL = {Source.VISIT: "visit", Source.MEETING: "meeting", Source.REPORT: "reception",
                  Source.TRANSFER: "transfer", Source.OTHER: "visit"}
TRIAGE_STATES = frozenset({wf.Status.REGISTERED, wf.Status.ESCALATED})
HANDLING_STATES = frozenset({wf.Status.ASSIGNED, wf.Status.IN_PROGRESS})



# --- parties --------------------------------------------------------------------------------


def _party(dispute: Dispute, data: Mapping[str, Any], now: dt.datetime) -> Party:
    kind = _choice(data.get("kind") or PartyKind.RESIDENT, PartyKind.values, "当事人类型")
    side = data.get("side", 1)
    if isinstance(side, bool) or not isinstance(side, int) or not 1 <= side <= 9:
        raise ValidationError("当事人所在方必须是1至9的整数（1为甲方，2为乙方…）")
    resident = household = unit = None
    if data.get("resident"):
        resident = Resident.objects.filter(pk=data["resident"]).select_related("household").first()
        if resident is None:
            raise ValidationError("所选群众不存在")
        household = resident.household
    elif data.get("household"):
        household = Household.objects.filter(pk=data["household"]).first()
        if household is None:
            raise ValidationError("所选户不存在")
    if data.get("unit"):
        unit = Unit.objects.filter(pk=data["unit"]).first()
        if unit is None:
            raise ValidationError("所选单位不存在")
    default_name = (resident.name if resident else household.head_name if household
                    else unit.name if unit else "")
    name = _text(data.get("name") or default_name, "当事人姓名或名称", limit=100)
    return Party(dispute=dispute, side=side, kind=kind, name=name, resident=resident, household=household,
                 unit=unit, enterprise_ref=_text(data.get("enterprise_ref"), "企业编号", required=False, limit=40),
                 claim=_text(data.get("claim"), "诉求主张", required=False), created_at=now)


def _check_sides(parties: Iterable[Party]) -> None:
    if len({p.side for p in parties}) < 2:
        raise ValidationError("矛盾纠纷至少要有两方当事人")


# --- registration (排查登记) ----------------------------------------------------------------


@transaction.atomic
def register_dispute(*, actor, region: Any, kind: Any, title: str, text: str, parties: list[Mapping[str, Any]],
                     source: str = Source.VISIT, risk_level: str = RiskLevel.LOW, risks: Iterable[str] = (),
                     source_visit_id: int | None = None, source_meeting_id: int | None = None,
                     family: bool | None = None, next_review_on: Any = None, client_id: str | None = None,
                     found_at: dt.datetime | None = None, now: dt.datetime | None = None) -> Dispute:
    """排查登记: the appeal (kind 矛盾纠纷), the parties (two sides at least) and the risk.
    `family` marks a dispute of a non-family kind (e.g. 赡养) as a family matter."""
    now = _now(now)
    kind_obj = kind_by_code(kind)
    _choice(source, Source.values, "发现途径")
    _choice(risk_level, RiskLevel.values, "风险等级")
    flags = _flags(risks)
    if not parties:
        raise ValidationError("请填写当事人（至少两方）")
    is_family = kind_obj.family if family is None else bool(family)
    household = next((p.get("household") for p in parties if p.get("household")), None)
    resident = next((p.get("resident") for p in parties if p.get("resident")), None)
    first = parties[0]
    token = _registering.set(True)
    try:
        appeal = appeals.register_appeal(
            actor=actor, region=region, kind=wf.Kind.DISPUTE.value, channel=SOURCE_CHANNEL[Source(source)],
            title=title, text=text, category=_category(kind_obj, is_family), household=household,
            resident=None if household else resident, reporter_name=str(first.get("name") or ""),
            client_id=client_id, received_at=found_at, now=now)
    finally:
        _registering.reset(token)
    existing = Dispute.objects.filter(appeal=appeal).first()
    if existing is not None:  # the same client_id again: the dispute it made
        return existing
    found_day = appeal.received_at.astimezone(TZ).date()
    review_on = (_date(next_review_on, "下次研判日期") if next_review_on not in (None, "")
                 else found_day + dt.timedelta(days=REVIEW_DAYS[RiskLevel(risk_level)]))
    d = Dispute.objects.create(appeal=appeal, kind=kind_obj, found_at=appeal.received_at, source=source,
                               source_visit_id=source_visit_id, source_meeting_id=source_meeting_id,
                               risk_level=risk_level, next_review_on=review_on, last_reviewed_at=appeal.received_at,
                               updated_at=now, **flags)
    rows = [_party(d, p, now) for p in parties]
    _check_sides(rows)
    Party.objects.bulk_create(rows)
    _audit("registered", d, actor, {"appeal": appeal.pk, "kind": kind_obj.code, "risk_level": risk_level,
                                    "risks": [k for k in RISK_FLAGS if flags[f"risk_{k}"]],
                                    "parties": len(rows), "family": is_family, "source": source}, now)
    return d


@transaction.atomic
def add_party(dispute: Dispute, *, actor, now: dt.datetime | None = None, **data: Any) -> Party:
    """One more party (a side found later, a household joining the claim)."""
    now = _now(now)
    _may(actor, dispute.appeal, "add_progress")
    party = _party(dispute, data, now)
    party.save()
    _audit("party_added", dispute, actor, {"party": party.pk, "side": party.side, "kind": party.kind}, now)
    return party


# --- screening (排查研判) -------------------------------------------------------------------


@transaction.atomic
def review_risk(dispute: Dispute, *, actor, level: str, risks: Iterable[str] = (), note: str = "",
                next_review_on: Any = None, now: dt.datetime | None = None) -> RiskReview:
    """A scheduled (or early) risk review; sets the date of the next one."""
    now = _now(now)
    _may(actor, dispute.appeal, "add_progress")
    _choice(level, RiskLevel.values, "风险等级")
    flags = _flags(risks)
    next_on = (_date(next_review_on, "下次研判日期") if next_review_on not in (None, "")
               else now.astimezone(TZ).date() + dt.timedelta(days=REVIEW_DAYS[RiskLevel(level)]))
    if next_on <= now.astimezone(TZ).date():
        raise ValidationError("下次研判日期须晚于今天")
    before = dispute.risk_level
    review = RiskReview.objects.create(dispute=dispute, at=now, by=_user(actor), level_before=before, level=level,
                                       risks=[k for k in RISK_FLAGS if flags[f"risk_{k}"]], note=note.strip(),
                                       next_review_on=next_on)
    Dispute.objects.filter(pk=dispute.pk).update(risk_level=level, next_review_on=next_on, last_reviewed_at=now,
                                                 updated_at=now, **flags)
    dispute.refresh_from_db()
    _audit("risk_reviewed", dispute, actor, {"risk_level": [before, level], "risks": review.risks,
                                             "next_review_on": next_on}, now, reason=note)
    return review


# --- mediation stages (三调联动) ------------------------------------------------------------


def current_stage(dispute: Dispute) -> MediationStage | None:
    return dispute.stages.alive().filter(ended_at__isnull=True).order_by("-number").first()


def _default_unit(dispute: Dispute, kind: str) -> Unit | None:
    """People's mediation defaults to the village's mediation committee."""
    if kind != StageKind.PEOPLE:
        return None
    return Unit.objects.filter(region_id=dispute.appeal.region_id, kind="mediation_committee", is_active=True).first()


@transaction.atomic
def start_stage(dispute: Dispute, *, actor, kind: str, body: str = "", level: str | None = None,
                unit: Unit | int | None = None, mediator: User | int | None = None, mediator_name: str = "",
                due: Any = None, reason: str = "", now: dt.datetime | None = None) -> MediationStage:
    """Start people's, administrative or judicial mediation. When a stage is under way it failed:
    `reason` says why, and the dispute is handed on to a later stage (三调联动 runs one way)."""
    dispute, now = _locked(dispute, now)
    appeal = dispute.appeal
    _choice(kind, StageKind.values, "调解类型")
    if dispute.outcome == Outcome.REFERRED:
        raise ValidationError("纠纷已转出，不能再调解")
    status = _status(appeal)
    if status not in TRIAGE_STATES | HANDLING_STATES:
        raise ValidationError(f"纠纷当前状态“{wf.STATUS_LABELS[status]}”下不能开始或移交调解")
    previous = current_stage(dispute)
    last = dispute.stages.alive().order_by("-number").first()
    if previous is not None:
        reason = _text(reason, "移交理由（上一环节调解不成的原因）")
    if last is not None and STAGE_ORDER[StageKind(kind)] <= STAGE_ORDER[StageKind(last.kind)]:
        raise ValidationError(f"已进行过“{StageKind(last.kind).label}”，只能移交到下一环节")
    unit_obj = unit if isinstance(unit, Unit) or unit is None else Unit.objects.filter(
        pk=unit, is_active=True).first()
    if unit is not None and unit_obj is None:
        raise ValidationError("调解单位不存在")
    unit_obj = unit_obj or _default_unit(dispute, kind)
    person = mediator if isinstance(mediator, User) or mediator is None else User.objects.filter(
        pk=mediator, is_active=True).first()
    if mediator is not None and person is None:
        raise ValidationError("调解员账号不存在")
    person_name = _text(mediator_name or (str(person) if person else ""), "调解员", limit=50)
    body = _text(body or (unit_obj.name if unit_obj else ""), "调解组织", limit=100)
    level = level or {StageKind.PEOPLE: StageLevel.VILLAGE, StageKind.ADMINISTRATIVE: StageLevel.TOWNSHIP,
                      StageKind.JUDICIAL: StageLevel.TOWNSHIP}[StageKind(kind)]
    _choice(level, StageLevel.values, "调解层级")
    due_at = (_moment(due, "调解期限", now) if due not in (None, "")
              else end_of_day((now + dt.timedelta(days=STAGE_DAYS[StageKind(kind)])).astimezone(TZ).date()))
    if due_at <= now:
        raise ValidationError("调解期限须晚于当前时间")
    label = StageKind(kind).label
    measures = f"{label}：{body}"
    who = person if person is not None else person_name
    if status in TRIAGE_STATES and unit_obj is None:
        raise ValidationError("首个调解环节须指定调解单位")
    token = _registering.set(True)  # the stage sets the dispute's owner and deadline itself
    try:
        if status in TRIAGE_STATES:
            appeals.do_review(appeal, actor=actor, decision="assign", unit=unit_obj, person=who, measures=measures,
                              due=due_at, opinion=reason or f"启动{label}", now=now)
        elif unit_obj is not None:
            appeals.do_assign(appeal, actor=actor, unit=unit_obj, person=who, measures=measures, due=due_at,
                              opinion=f"移交{label}：{reason}", now=now)
        else:  # a tribunal or another body that is no unit here: the coordinating unit stays responsible
            appeals.do_add_progress(appeal, actor=actor, note=f"移交{label}（{body}，{person_name}）：{reason}",
                                    now=now)
    finally:
        _registering.reset(token)
    if previous is not None:
        previous.ended_at, previous.result, previous.reason = now, StageResult.FAILED, reason
        previous.save(update_fields=["ended_at", "result", "reason"])
    stage = MediationStage.objects.create(
        dispute=dispute, number=(last.number + 1) if last else 1, kind=kind, level=level, body=body, unit=unit_obj,
        mediator=person, mediator_name=person_name, started_at=now, due_at=due_at, started_by=_user(actor))
    Dispute.objects.filter(pk=dispute.pk).update(owner=person, owner_name=person_name, due_at=due_at, updated_at=now)
    _audit("stage_started", dispute, actor, {"stage": stage.pk, "kind": kind, "level": level, "body": body,
                                             "unit": unit_obj.pk if unit_obj else None,
                                             "handed_from": previous.pk if previous else None}, now, reason=reason)
    return stage


# --- sessions -------------------------------------------------------------------------------


@transaction.atomic
def add_session(dispute: Dispute, *, actor, outcome: str, venue: str = Venue.COURTYARD, place: str = "",
                held_at: Any = None, attendees: Iterable[str] = (), statements: Iterable[Mapping[str, Any]] = (),
                result: str = SessionResult.CONTINUE, now: dt.datetime | None = None) -> MediationSession:
    """One mediation session: when, where (院坝, 田间法庭 …), who came, what each side said, the outcome."""
    now = _now(now)
    stage = current_stage(dispute)
    if stage is None:
        raise ValidationError("请先启动调解环节（人民调解、行政调解或司法调解）")
    _choice(venue, Venue.values, "调解形式")
    _choice(result, SessionResult.values, "调解结果")
    outcome = _text(outcome, "调解情况")
    held = _moment(held_at, "调解时间", now)
    if held > now + dt.timedelta(minutes=5):
        raise ValidationError("调解时间不能晚于当前时间")
    parties = {p.pk: p for p in dispute.parties.alive()}
    said = []
    for item in statements or ():
        pid = item.get("party")
        if pid not in parties:
            raise ValidationError("陈述须对应本纠纷的当事人")
        said.append({"party": pid, "name": parties[pid].name, "side": parties[pid].side,
                     "text": _text(item.get("text"), "当事人陈述")})
    names = [_text(n, "参加人员", limit=50) for n in attendees or () if str(n).strip()]
    appeals.do_add_progress(dispute.appeal, actor=actor, now=now,
                            note=f"调解（{Venue(venue).label}{('，' + place) if place else ''}）：{outcome}")
    session = MediationSession.objects.create(dispute=dispute, stage=stage, held_at=held, venue=venue,
                                              place=place.strip()[:100], attendees=names, statements=said,
                                              outcome=outcome, result=result, recorded_by=_user(actor))
    Dispute.objects.filter(pk=dispute.pk).update(updated_at=now)
    _audit("session_added", dispute, actor, {"session": session.pk, "stage": stage.pk, "venue": venue,
                                             "result": result, "attendees": len(names)}, now)
    return session


# --- agreement and its performance ------------------------------------------------------------


@transaction.atomic
def record_agreement(dispute: Dispute, *, actor, summary: str, terms: Iterable[Mapping[str, Any]],
                     signed_on: Any = None, signed_by: Iterable[int] | None = None, session: int | None = None,
                     photo: Any = None, now: dt.datetime | None = None) -> Agreement:
    """调解协议: the terms (each with a deadline), the parties who signed, a photo of the signed
    paper. The appeal goes to verification; the dispute counts as solved from now on."""
    dispute, now = _locked(dispute, now)
    appeal = dispute.appeal
    stage = current_stage(dispute)
    if stage is None:
        raise ValidationError("没有进行中的调解环节，不能登记调解协议")
    summary = _text(summary, "协议内容")
    signed = _date(signed_on, "签订日期") if signed_on not in (None, "") else now.astimezone(TZ).date()
    if signed > now.astimezone(TZ).date():
        raise ValidationError("签订日期不能晚于今天")
    parties = {p.pk: p for p in dispute.parties.alive()}
    signers = list(dict.fromkeys(signed_by)) if signed_by else list(parties)
    if any(pid not in parties for pid in signers):
        raise ValidationError("签字人须是本纠纷的当事人")
    _check_sides(parties[pid] for pid in signers)
    rows = list(terms or ())
    if not rows:
        raise ValidationError("调解协议至少要有一项条款")
    session_obj = None
    if session is not None:
        session_obj = dispute.sessions.alive().filter(pk=session).first()
        if session_obj is None:
            raise ValidationError("所选调解记录不属于本纠纷")
    term_rows = []
    for n, item in enumerate(rows, start=1):
        due_on = _date(item.get("due_on"), f"第{n}项条款的履行期限")
        if due_on < signed:
            raise ValidationError(f"第{n}项条款的履行期限不能早于签订日期")
        owes = item.get("party")
        if owes is not None and owes not in parties:
            raise ValidationError(f"第{n}项条款的履行人须是本纠纷的当事人")
        term_rows.append(Term(number=n, text=_text(item.get("text"), f"第{n}项条款内容"), due_on=due_on,
                              party=parties.get(owes)))
    attachment = None
    if photo is not None:
        attachment = appeals.add_attachment(appeal, actor=actor, upload=photo, now=now)
    appeals.do_submit_result(appeal, actor=actor, now=now, result=f"达成调解协议：{summary}",
                             evidence=f"调解协议（{len(term_rows)}项条款）")
    agreement = Agreement.objects.create(dispute=dispute, stage=stage, session=session_obj, signed_on=signed,
                                         summary=summary, signed_by=signers, photo=attachment,
                                         recorded_by=_user(actor), recorded_at=now)
    for t in term_rows:
        t.agreement = agreement
    Term.objects.bulk_create(term_rows)
    stage.ended_at, stage.result = now, StageResult.AGREED
    stage.save(update_fields=["ended_at", "result"])
    last_due = end_of_day(max(t.due_on for t in term_rows))
    Dispute.objects.filter(pk=dispute.pk).update(outcome=Outcome.AGREED, solved_at=now, due_at=last_due,
                                                 updated_at=now)
    _audit("agreement_recorded", dispute, actor, {"agreement": agreement.pk, "stage": stage.pk,
                                                  "terms": len(term_rows), "signed_by": signers,
                                                  "photo": attachment.pk if attachment else None}, now)
    return agreement


@transaction.atomic
def attach_agreement_photo(agreement: Agreement, *, actor, upload: Any, now: dt.datetime | None = None) -> Agreement:
    """The photo of the signed paper, when it comes after the agreement was recorded."""
    now = _now(now)
    att = appeals.add_attachment(agreement.dispute.appeal, actor=actor, upload=upload, now=now)
    previous = agreement.photo_id
    agreement.photo = att
    agreement.save(update_fields=["photo"])
    _audit("agreement_photo", agreement.dispute, actor, {"agreement": agreement.pk, "photo": [previous, att.pk]}, now)
    return agreement


@transaction.atomic
def follow_up(dispute: Dispute, *, actor, checks: Iterable[Mapping[str, Any]], method: str = "", note: str = "",
              agreement: int | None = None, now: dt.datetime | None = None) -> FollowUp:
    """履行回访: check terms of the agreement. Every term kept → the appeal is closed as solved;
    a broken term → the dispute is reopened (the appeal back in handling, counted as 重办)."""
    dispute, now = _locked(dispute, now)
    appeal = dispute.appeal
    qs = dispute.agreements.alive().filter(status=AgreementStatus.PERFORMING)
    agr = qs.filter(pk=agreement).first() if agreement is not None else qs.order_by("-recorded_at").first()
    if agr is None:
        raise ValidationError("没有履行中的调解协议")
    terms = {t.pk: t for t in agr.terms.alive()}
    items = list(checks or ())
    if not items:
        raise ValidationError("请逐项填写条款履行情况")
    seen: dict[int, tuple[bool, str]] = {}
    for item in items:
        tid, kept = item.get("term"), item.get("kept")
        if tid not in terms:
            raise ValidationError("回访的条款不属于该协议")
        if not isinstance(kept, bool):
            raise ValidationError("请填写条款是否履行")
        seen[tid] = (kept, str(item.get("note") or "").strip())
    broken = [terms[t] for t, (kept, _n) in seen.items() if not kept]
    for tid, (kept, _n) in seen.items():
        terms[tid].status = TermStatus.KEPT if kept else TermStatus.BROKEN
    all_kept = not broken and all(t.status == TermStatus.KEPT for t in terms.values())
    status = _status(appeal)
    summary = "；".join(f"第{terms[t].number}项{'已履行' if k else '未履行'}" for t, (k, _n) in seen.items())
    text = f"履行回访：{summary}{('。' + note.strip()) if note.strip() else ''}"
    # The appeal first (it refuses, e.g., the mediator verifying their own agreement).
    if broken:
        if status is wf.Status.AWAITING_VERIFICATION:
            appeals.do_verify(appeal, actor=actor, passed=False, note=text, now=now)
        elif status is wf.Status.AWAITING_RETURN_VISIT:
            appeals.do_return_visit(appeal, actor=actor, satisfaction=wf.Satisfaction.UNSATISFIED.value,
                                    method=method, note=text, reopen=True, now=now)
        else:
            raise ValidationError(f"纠纷当前状态“{wf.STATUS_LABELS[status]}”下不能登记履行回访")
    else:
        if status is wf.Status.AWAITING_VERIFICATION:
            appeal = appeals.do_verify(appeal, actor=actor, passed=True, note=text, now=now)
            status = _status(appeal)
        if status is not wf.Status.AWAITING_RETURN_VISIT:
            raise ValidationError(f"纠纷当前状态“{wf.STATUS_LABELS[status]}”下不能登记履行回访")
        if all_kept:
            appeal = appeals.do_return_visit(appeal, actor=actor, satisfaction=wf.Satisfaction.SATISFIED.value,
                                             method=method, note=text, now=now)
            appeals.do_close(appeal, actor=actor, outcome="solved", note="调解协议全部履行", now=now)
    visit = FollowUp.objects.create(dispute=dispute, agreement=agr, at=now, by=_user(actor), method=method[:20],
                                    note=note.strip())
    TermCheck.objects.bulk_create([TermCheck(follow_up=visit, term=terms[t], kept=k, note=n)
                                   for t, (k, n) in seen.items()])
    for tid in seen:
        terms[tid].checked_at = now
        terms[tid].save(update_fields=["status", "checked_at"])
    if broken:
        agr.status = AgreementStatus.BROKEN
        agr.save(update_fields=["status"])
        # The stage that reached the agreement takes the dispute up again (or hands it on).
        MediationStage.objects.filter(pk=agr.stage_id).update(ended_at=None, result=StageResult.ONGOING)
        Dispute.objects.filter(pk=dispute.pk).update(outcome=Outcome.NONE, solved_at=None,
                                                     reopen_count=dispute.reopen_count + 1,
                                                     due_at=agr.stage.due_at if agr.stage.due_at and
                                                     agr.stage.due_at > now else appeal.due_at, updated_at=now)
        _audit("reopened", dispute, actor, {"agreement": agr.pk, "broken_terms": [t.number for t in broken]}, now,
               reason=text)
    elif all_kept:
        agr.status = AgreementStatus.FULFILLED
        agr.save(update_fields=["status"])
        Dispute.objects.filter(pk=dispute.pk).update(updated_at=now)
    _audit("followed_up", dispute, actor, {"follow_up": visit.pk, "agreement": agr.pk,
                                           "kept": [terms[t].number for t, (k, _n) in seen.items() if k],
                                           "broken": [t.number for t in broken]}, now)
    return visit


# --- referral -------------------------------------------------------------------------------


@transaction.atomic
def refer(dispute: Dispute, *, actor, to: str, body: str, reason: str, now: dt.datetime | None = None) -> Referral:
    """No agreement: referred to a court, an arbitration board or another body, with the reason."""
    dispute, now = _locked(dispute, now)
    appeal = dispute.appeal
    _choice(to, ReferralTo.values, "转出去向")
    body = _text(body, "接收机关", limit=100)
    reason = _text(reason, "转出理由")
    if dispute.outcome == Outcome.REFERRED:
        raise ValidationError("纠纷已转出")
    status = _status(appeal)
    text = f"调解不成，引导至{body}（{ReferralTo(to).label}）：{reason}"
    if status in TRIAGE_STATES or status in HANDLING_STATES:  # the appeal closes as 导入法定途径
        appeals.do_refer(appeal, actor=actor, body=body, reason=text, now=now)
    else:
        raise ValidationError(f"纠纷当前状态“{wf.STATUS_LABELS[status]}”下不能转出")
    referral = Referral.objects.create(dispute=dispute, to=to, body=body, reason=reason, at=now, by=_user(actor))
    MediationStage.objects.filter(dispute=dispute, ended_at__isnull=True).update(
        ended_at=now, result=StageResult.REFERRED, reason=reason)
    Dispute.objects.filter(pk=dispute.pk).update(outcome=Outcome.REFERRED, referred_at=now, solved_at=None,
                                                 updated_at=now)
    _audit("referred", dispute, actor, {"referral": referral.pk, "to": to, "body": body}, now, reason=reason)
    return referral


def phase(dispute: Dispute) -> str:
    """Where the dispute stands, for lists and pages."""
    if dispute.outcome == Outcome.REFERRED:
        return "referred"
    group = dispute.appeal.group
    if group == wf.Group.SOLVED.value:
        return "solved"
    if group in (wf.Group.CLOSED_UNSOLVED.value, wf.Group.MERGED.value):
        return "closed"
    if dispute.outcome == Outcome.AGREED:
        return "performing"
    if dispute.appeal.status in (wf.Status.REGISTERED.value, wf.Status.ESCALATED.value):
        return "screening"
    return "mediating"


PHASE_LABELS = {"screening": "待调解", "mediating": "调解中", "performing": "协议履行中", "solved": "已化解",
                "referred": "已转出", "closed": "已办结"}


def region_of(code: str) -> str:
    try:
        return regioncode.normalize(code)
    except regioncode.RegionCodeError as exc:
        raise ValidationError(str(exc)) from exc

