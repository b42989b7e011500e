"""Every change to an appeal: one function per workflow action, each atomic, each writing the
AppealEvent (indexed, for metrics and the timeline) and the audit event (hash chain) together, then
telling the parts above through hooks.py (in the same transaction).

Pattern of every action (transition.py): lock the row (select_for_update) → read the clock → the JSON
snapshot becomes a workflow.AppealState → workflow.apply decides → the denormalised columns follow the
new state → events written → hooks. A TransitionError becomes a ValidationError with the workflow's
Chinese message; a post that may not take the action gets PermissionDenied (see access.py).

Intake (register_appeal, add_report, change_category) lives in intake.py, attachments in
attachments.py, the snapshot and columns in snapshot.py; their public names are re-exported here.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from minqing.accounts.models import Unit, User
from minqing.audit.log import record
from minqing.households import crypto
from minqing.lib import regioncode
from minqing.lib.workdays import TZ, end_of_day
from minqing.regions import jurisdiction

from . import clock, cohandling, deadlines, hooks, reclassify, rollup_store
from . import workflow as wf
from .attachments import ALLOWED_TYPES, MAX_UPLOAD, add_attachment, validate_upload
from .intake import (
    FAMILY_CATEGORY,
    REGION_LEVEL,
    add_report,
    appeal_number,
    change_category,
    register_appeal,
    sensitivity_of,
)
from .models import Appeal, AppealEvent, Progress, Report, ReturnVisit
from .snapshot import (
    LEVEL_ORDER,
    POLICY,
    RESPONDING,
    TRIAGE_OF,
    actor_key,
    audit_changes,
    event_reason,
    event_row,
    event_values,
    state_from_json,
    state_to_json,
    sync_columns,
)
from .transition import apply as _apply
from .transition import lock, locked_now, notify
from .transition import transition as _transition
from .transition import write_events as _write_events

__all__ = [  # the names other parts import from here
    "ACTION_FUNCTIONS", "ALLOWED_TYPES", "FAMILY_CATEGORY", "LEVEL_ORDER", "MAX_UPLOAD", "POLICY", "REGION_LEVEL",
    "RESPONDING", "TRIAGE_OF", "actor_key", "add_attachment", "add_report", "appeal_number", "audit_changes",
    "change_category", "do_add_progress", "do_approve_extension", "do_assign", "do_close", "do_escalate",
    "do_explain_policy", "do_flag_accountability", "do_refer", "do_reject_extension", "do_remind",
    "do_reopen", "do_request_extension", "do_resume", "do_return_visit", "do_return_visit_failed", "do_review",
    "do_solve_on_spot", "do_submit_result", "do_supervise", "do_suspend", "do_unmerge", "do_verify",
    "TOLD_METHODS", "mark_told", "event_reason", "event_row", "event_values", "merge", "perform", "register_appeal",
    "reveal_phone", "sensitivity_of",
    "state_from_json", "state_to_json", "sync_columns", "validate_upload", "_write_events",
]  # fmt: skip


# --- triage ---------------------------------------------------------------------------------


def _aware(value: Any, label: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, TZ)
    if isinstance(value, dt.date):
        return end_of_day(value)
    if isinstance(value, str):
        # A date alone is the END of that day; tried first, since parse_datetime (fromisoformat)
        # reads "2026-12-10" as its 00:00 and the day would be lost.
        day = parse_date(value.strip()) if len(value.strip()) <= 10 else None
        if day is not None:
            return end_of_day(day)
        parsed = parse_datetime(value.strip())
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, TZ)
    raise ValidationError(f"{label}格式无效，应为日期或日期时间")


def _assign_payload(appeal: Appeal, unit: Unit | int | str, person: User | int | str, measures: str,
                    due: Any, now: dt.datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Unit and person as the workflow keys them (pks), plus the display names for the columns."""
    if unit in (None, ""):
        raise ValidationError("请选择承办单位")
    unit_obj = unit if isinstance(unit, Unit) else Unit.objects.filter(pk=unit if str(unit).isdigit() else -1,
                                                                       is_active=True).first()
    if unit_obj is None:
        raise ValidationError("责任单位不存在")
    names: dict[str, str] = {}
    if isinstance(person, User) or (str(person).isdigit()):
        user = person if isinstance(person, User) else User.objects.filter(pk=int(person), is_active=True).first()
        if user is None:
            raise ValidationError("责任人不存在")
        person_key = str(user.pk)
        names[person_key] = str(user)
    else:
        person_key = str(person or "").strip()
        if not person_key:
            raise ValidationError("请选择或填写责任人")
    limit = deadlines.ceiling_of(appeal)
    if limit is not None and limit[0] <= now:
        limit = None  # already past when it arrives (late on the platform): the county's rule, not a past date
    if due in (None, ""):
        due_at = deadlines.due_for(deadlines.RESOLVE, kind=appeal.kind, category_id=appeal.category_id,
                                   urgency=appeal.urgency, start=now).due
        if limit is not None and limit[0] < due_at:
            due_at = limit[0]
    else:
        due_at = _aware(due, "办理期限")
        if limit is not None and due_at > limit[0]:
            raise ValidationError(f"办理期限不得晚于{limit[1]}（{timezone.localtime(limit[0]):%Y-%m-%d %H:%M}）")
    return {"unit": str(unit_obj.pk), "person": person_key, "measures": measures, "due": due_at}, names


@transaction.atomic
def do_review(appeal: Appeal, *, actor, decision: str, opinion: str = "", now: dt.datetime | None = None,
              **decision_payload: Any) -> Appeal:
    """研判: the decision (solve_on_spot | assign | explain | escalate) with its own fields."""
    row, now = locked_now(appeal, now)
    payload: dict[str, Any] = {"decision": decision, "opinion": opinion, **decision_payload}
    names = None
    if decision == "assign":
        extra, names = _assign_payload(appeal, decision_payload.get("unit"), decision_payload.get("person"),
                                       decision_payload.get("measures", ""), decision_payload.get("due"), now)
        payload.update(extra)
    return _transition(appeal, "review", actor=actor, payload=payload, now=now, names=names, row=row)


@transaction.atomic
def do_solve_on_spot(appeal: Appeal, *, actor, what: str, satisfaction: str | None = None, opinion: str = "",
                     now: dt.datetime | None = None) -> Appeal:
    """现场解决 / 立行立改, with the resident's word on the spot when they give it."""
    return _transition(appeal, "solve_on_spot", actor=actor, now=now,
                       payload={"what": what, "satisfaction": satisfaction or None, "opinion": opinion})


@transaction.atomic
def do_assign(appeal: Appeal, *, actor, unit: Unit | int | str, person: User | int | str, measures: str,
              due: Any = None, opinion: str = "", co_units: Iterable[Unit | int | str] = (),
              now: dt.datetime | None = None) -> Appeal:
    """限期办理: unit, named person, measures; the deadline defaults to the county's rule. Co-units
    (协办, e.g. the dispatch catalogue's defaults) each get the measures as their part, one event each."""
    row, now = locked_now(appeal, now)
    payload, names = _assign_payload(row, unit, person, measures, due, now)
    result = _transition(appeal, "assign", actor=actor, payload={**payload, "opinion": opinion}, now=now,
                         names=names, row=row)
    for co in co_units:
        if str(getattr(co, "pk", co)) == payload["unit"]:
            continue  # the lead picked among the defaults: it leads, it does not co-handle
        result = cohandling.do_add_co_unit(result, actor=actor, unit=co, part=measures, now=now)
    return result


@transaction.atomic
def do_explain_policy(appeal: Appeal, *, actor, text: str, opinion: str = "",
                      now: dt.datetime | None = None) -> Appeal:
    """政策解答: explained, recorded and counted apart — never 'solved'."""
    return _transition(appeal, "explain_policy", actor=actor, payload={"text": text, "opinion": opinion}, now=now)


@transaction.atomic
def do_escalate(appeal: Appeal, *, actor, reason: str, opinion: str = "", now: dt.datetime | None = None) -> Appeal:
    """上报: village → township → county; the higher level reviews next."""
    return _transition(appeal, "escalate", actor=actor, payload={"reason": reason, "opinion": opinion}, now=now)


# --- handling -------------------------------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError("金额格式无效") from exc
    if amount < 0:
        raise ValidationError("金额不能为负数")
    return amount


@transaction.atomic
def do_add_progress(appeal: Appeal, *, actor, note: str, cost: Any = None, fund_source: str = "",
                    evidence: str = "", files: Iterable[Any] = (), now: dt.datetime | None = None) -> Appeal:
    """办理进展, with the money spent and its source (the seeds' 8万, 70万 …) and files."""
    amount = _money(cost)
    if amount is not None and not fund_source.strip():
        raise ValidationError("填写了金额，请同时填写资金来源")

    def after(row: Appeal, _s: wf.AppealState) -> None:
        if amount is not None:
            row.cost = (row.cost or Decimal(0)) + amount
            row.fund_source = "、".join(dict.fromkeys(filter(None, [*row.fund_source.split("、"),
                                                                   fund_source.strip()])))[:100]

    result, event = _apply(appeal, "add_progress", actor=actor, now=now, after=after,
                           payload={"note": note, "cost": str(amount) if amount is not None else None,
                                    "fund_source": fund_source or None, "evidence": evidence or None})
    progress = Progress.objects.create(appeal=result, at=event.at, by=actor if getattr(actor, "pk", None) else None,
                                       note=note, cost=amount, fund_source=fund_source)
    for upload in files:
        add_attachment(result, actor=actor, upload=upload, progress=progress, now=event.at, check=False)
    notify(result, "add_progress", actor=actor, at=event.at, event=event, progress=progress)
    return result


@transaction.atomic
def do_remind(appeal: Appeal, *, actor, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """催办."""
    return _transition(appeal, "remind", actor=actor, payload={"note": note}, now=now)


@transaction.atomic
def do_supervise(appeal: Appeal, *, actor, leader: User | int | None = None, level: str | None = None,
                 note: str = "", now: dt.datetime | None = None) -> Appeal:
    """挂牌督办: the supervising leader (default: the actor) and the level they supervise at."""
    leader = leader if leader is not None else actor
    user = leader if isinstance(leader, User) else User.objects.filter(pk=leader if str(leader).isdigit()
                                                                       else -1).first()
    if user is None:
        raise ValidationError("督办领导不存在")
    if level is None:
        posts = [p for p in jurisdiction.scope_of(user).posts if regioncode.contains(p.region_code, appeal.region_id)]
        depth = min((regioncode.level_of(p.region_code) for p in posts), default=regioncode.VILLAGE)
        level = REGION_LEVEL.get(depth, wf.Level.COUNTY).value
    return _transition(appeal, "supervise", actor=actor, now=now,
                       payload={"leader": str(user.pk), "level": level, "note": note})


@transaction.atomic
def do_request_extension(appeal: Appeal, *, actor, days: int, reason: str, now: dt.datetime | None = None) -> Appeal:
    """申请延期 (petitions: once, at most 30 days — the statute caps the county)."""
    return _transition(appeal, "request_extension", actor=actor, payload={"days": _int(days, "延期天数"),
                                                                          "reason": reason}, now=now)


@transaction.atomic
def do_approve_extension(appeal: Appeal, *, actor, days: int | None = None, note: str = "",
                         now: dt.datetime | None = None) -> Appeal:
    """批准延期: the deadline moves by the approved days counted as working days (clock.py)."""
    row, now = locked_now(appeal, now)
    payload: dict[str, Any] = {"note": note, "days": _int(days, "批准天数") if days is not None else None}
    state = state_from_json(row.state)
    wanted = payload["days"] if payload["days"] is not None else state.extension_pending_days
    moved = None
    if (state.status is wf.Status.EXTENSION_REQUESTED and state.due is not None and isinstance(wanted, int)
            and 0 < wanted <= (state.extension_pending_days or 0)):
        moved = clock.extended_due(state, wanted)
        payload["due"] = moved.due
    return _transition(appeal, "approve_extension", actor=actor, payload=payload, now=now, row=row,
                       after=_mark_estimated(moved))


def _mark_estimated(moved: Any) -> Callable[[Appeal, wf.AppealState], None] | None:
    """A deadline moved across a year whose holidays are not announced is shown as estimated."""
    if moved is None or not moved.estimated:
        return None

    def after(row: Appeal, _s: wf.AppealState) -> None:
        row.due_estimated = True
    return after


@transaction.atomic
def do_reject_extension(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    return _transition(appeal, "reject_extension", actor=actor, payload={"reason": reason}, now=now)


@transaction.atomic
def do_suspend(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    """中止办理: the clock stops until resumed."""
    return _transition(appeal, "suspend", actor=actor, payload={"reason": reason}, now=now)


@transaction.atomic
def do_refer(appeal: Appeal, *, actor, body: str, reason: str, note: str = "",
             now: dt.datetime | None = None) -> Appeal:
    """导入法定途径: at review the dispatcher's decision, in handling the handler's proposal that the
    dispatcher confirms; either way verified by someone else and visited before it closes (not solved)."""
    return _transition(appeal, "refer", actor=actor, payload={"body": body, "reason": reason, "note": note}, now=now)


@transaction.atomic
def do_resume(appeal: Appeal, *, actor, due: Any = None, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """恢复办理: a deadline not given moves by the working time paused (clock.py)."""
    row, now = locked_now(appeal, now)
    payload = {"note": note, "due": _aware(due, "新的办理期限") if due not in (None, "") else None}
    moved = None
    if payload["due"] is None:
        unit = deadlines.rule_for(deadlines.RESOLVE, kind=row.kind, category_id=row.category_id,
                                  urgency=row.urgency).unit
        moved = clock.resumed_due(state_from_json(row.state), unit=unit, now=now)
        payload["due"] = moved.due if moved else None
    return _transition(appeal, "resume", actor=actor, payload=payload, now=now, row=row,
                       after=_mark_estimated(moved))


@transaction.atomic
def do_submit_result(appeal: Appeal, *, actor, result: str, evidence: str = "",
                     now: dt.datetime | None = None) -> Appeal:
    """报结: the handler reports it done; someone else verifies."""
    return _transition(appeal, "submit_result", actor=actor, payload={"result": result, "evidence": evidence or None},
                       now=now)


@transaction.atomic
def do_verify(appeal: Appeal, *, actor, passed: bool, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """核查 by someone other than the handler (the workflow refuses the handler)."""
    if not isinstance(passed, bool):
        raise ValidationError("请填写核查结论（通过或不通过）")
    return _transition(appeal, "verify", actor=actor, payload={"passed": passed, "note": note}, now=now)


@transaction.atomic
def do_return_visit(appeal: Appeal, *, actor, satisfaction: str, method: str = "", note: str = "",
                    reopen: bool = True, cadre_rating: str = "", now: dt.datetime | None = None) -> Appeal:
    """回访: 满意 / 基本满意 / 不满意; 不满意 reopens the case (counted) unless reopen=False.
    ``cadre_rating``: the resident's rating of the cadre who served them, on the same five levels
    (群众评议; written by the cadres part when it hears of the event, appeals.hooks)."""
    if cadre_rating and cadre_rating not in {s.value for s in wf.Satisfaction}:
        raise ValidationError({"cadre_rating": wf.SATISFACTION_ERROR})
    payload = {"satisfaction": satisfaction, "method": method, "note": note, "reopen": reopen}
    result = _transition(appeal, "return_visit", actor=actor, now=now,
                         payload=payload | ({"cadre_rating": cadre_rating} if cadre_rating else {}))
    ReturnVisit.objects.create(appeal=result, at=result.updated_at, by=actor if getattr(actor, "pk", None) else None,
                               reached=True, satisfaction=satisfaction, note=note)
    rollup_store.refresh(result.pk)  # the visit's answer counts in 满意率
    return result


@transaction.atomic
def do_return_visit_failed(appeal: Appeal, *, actor, method: str = "", note: str = "",
                           now: dt.datetime | None = None) -> Appeal:
    result = _transition(appeal, "return_visit_failed", actor=actor, payload={"method": method, "note": note},
                         now=now)
    ReturnVisit.objects.create(appeal=result, at=result.updated_at, by=actor if getattr(actor, "pk", None) else None,
                               reached=False, note=note)
    rollup_store.refresh(result.pk)  # any visit row ends the on-the-spot answer's count
    return result


# How a resident was told the outcome (已告知结果). Staff pick one when they told them themselves;
# the notices outbox records "短信" when an SMS was actually delivered (mark_told).
TOLD_METHODS = ("电话", "当面", "短信", "门户")


def _told(method: str | None) -> str:
    method = (method or "").strip()
    if method and method not in TOLD_METHODS:
        raise ValidationError(f"告知结果方式只能是{'、'.join(TOLD_METHODS)}")
    return method


@transaction.atomic
def do_close(appeal: Appeal, *, actor, outcome: str, reason: str | None = None, note: str = "",
             told: str = "", now: dt.datetime | None = None) -> Appeal:
    """办结. The reporters are marked as told of the outcome only when staff record how they told
    them (``told``: 电话/当面/短信/门户); otherwise a notice sent later marks them (mark_told)."""
    method = _told(told)
    result = _transition(appeal, "close", actor=actor, now=now,
                         payload={"outcome": outcome, "reason": reason or None, "note": note, "told": method or None})
    if method:
        Report.objects.filter(appeal=result, notified_at__isnull=True).update(
            notified_at=result.updated_at, notified_method=method)
    return result


@transaction.atomic
def do_reopen(appeal: Appeal, *, actor, reason: str, due: Any = None, now: dt.datetime | None = None) -> Appeal:
    """重新办理: a closed case its unit handled goes back to it for a new round (a repeat appeal after
    closure — repeats.decide — or the dispatcher's own finding); a new deadline by the county's rule."""
    row, now = locked_now(appeal, now)
    due_at = _aware(due, "新的办理期限") if due not in (None, "") else deadlines.due_for(
        deadlines.RESOLVE, kind=row.kind, category_id=row.category_id, urgency=row.urgency, start=now).due
    return _transition(appeal, "reopen", actor=actor, payload={"reason": reason, "due": due_at}, now=now, row=row)


@transaction.atomic
def mark_told(appeal: Appeal, *, method: str, actor=None, reports: Iterable[int] | None = None,
              now: dt.datetime | None = None) -> int:
    """已告知结果, recorded after the fact: by the notices outbox when a closure notice was delivered
    (method "短信"), or by staff who told the residents later. Returns how many reports were marked;
    each marking is an audit entry naming the method."""
    method = _told(method)
    if not method:
        raise ValidationError("请选择告知结果方式")
    now = now or timezone.now()
    qs = Report.objects.filter(appeal_id=appeal.pk, notified_at__isnull=True)
    if reports is not None:
        qs = qs.filter(pk__in=list(reports))
    marked = list(qs.values_list("pk", flat=True))
    if marked:
        Report.objects.filter(pk__in=marked).update(notified_at=now, notified_method=method)
        record("appeal.told", actor=actor, obj=appeal, at=now, changes={"reports": marked, "method": method})
    return len(marked)


@transaction.atomic
def do_flag_accountability(appeal: Appeal, *, actor, reason: str, persons: Iterable[str] = (),
                           now: dt.datetime | None = None) -> Appeal:
    """追责问责: flags the case and names the people in the chain."""
    return _transition(appeal, "flag_accountability", actor=actor, now=now,
                       payload={"reason": reason, "persons": list(persons) or None})


# --- merging --------------------------------------------------------------------------------


@transaction.atomic
def merge(appeal: Appeal, into: Appeal, *, actor, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """合并: the duplicate's reports move to the target; the duplicate never counts again.
    Both rows are locked in id order (two opposite merges at once: one waits, then is refused)."""
    if appeal.pk == into.pk:
        raise ValidationError("不能合并到诉求本身")
    rows = lock(appeal, into)
    now = now or timezone.now()
    target = rows[into.pk]
    if target.status == wf.Status.MERGED or target.group not in (wf.Group.OPEN, wf.Group.PAUSED):
        raise ValidationError("只能合并到未办结、未被合并的诉求")
    reclassify.guard_merge(actor, rows[appeal.pk], target)  # both cases the actor's to decide
    moved = list(Report.objects.filter(appeal_id=appeal.pk).values_list("pk", flat=True))

    def after(row: Appeal, _s: wf.AppealState) -> None:
        row.merged_into_id = target.pk

    result = _transition(appeal, "merge_into", actor=actor, now=now, after=after, row=rows[appeal.pk],
                         payload={"target": target.number, "note": note, "reports": moved})
    Report.objects.filter(pk__in=moved).update(appeal_id=target.pk)
    strict = reclassify.after_merge(result, target)  # the stricter sensitivity of the two, and the persons named
    Appeal.objects.filter(pk=target.pk).update(version=F("version") + 1, updated_at=now)
    received = AppealEvent.objects.create(appeal=target, region_id=target.region_id, action="merge_received",
                               from_status=target.status, to_status=target.status, level=target.level, at=now,
                               actor_id=getattr(actor, "pk", None), payload={"source": result.number,
                                                                             "reports": moved})
    record("appeal.merge_received", actor=actor, obj=target, at=now,
           changes={"source": result.number, "reports": moved, "sensitivity": [target.sensitivity, strict]})
    notify(target, hooks.MERGE_RECEIVED, actor=actor, at=now, event=received)
    return result


@transaction.atomic
def do_unmerge(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    """取消合并: the case comes back with the reports it brought (both rows locked in id order)."""
    if appeal.merged_into_id:
        lock(appeal, appeal.merged_into_id)
    last = appeal.events.filter(action="merge_into").order_by("-at", "-id").first()
    moved = (last.payload or {}).get("reports", []) if last else []
    result, event = _apply(appeal, "unmerge", actor=actor, payload={"reason": reason}, now=now)
    Report.objects.filter(pk__in=moved).update(appeal_id=result.pk)
    notify(result, "unmerge", actor=actor, at=event.at, event=event)
    return result


# --- attachments ----------------------------------------------------------------------------
# --- one entry point for the API ------------------------------------------------------------


def _int(value: Any, label: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{label}必须是正整数")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{label}必须是正整数") from exc


def _merge_action(appeal: Appeal, *, actor, target: Any, note: str = "", now: dt.datetime | None = None) -> Appeal:
    qs = jurisdiction.visible(actor, Appeal) if actor is not None else Appeal.objects.all()
    text = str(target).strip()
    into = qs.filter(pk=int(text)).first() if text.isdigit() else qs.filter(number=text).first()
    if into is None:
        raise ValidationError("合并目标不存在或不在您的管辖范围内")
    return merge(appeal, into, actor=actor, note=note, now=now)


ACTION_FUNCTIONS: dict[str, Callable[..., Appeal]] = {
    "review": do_review, "solve_on_spot": do_solve_on_spot, "assign": do_assign,
    "explain_policy": do_explain_policy, "escalate": do_escalate, "add_progress": do_add_progress,
    "remind": do_remind, "supervise": do_supervise, "request_extension": do_request_extension,
    "approve_extension": do_approve_extension, "reject_extension": do_reject_extension, "suspend": do_suspend,
    "resume": do_resume, "submit_result": do_submit_result, "verify": do_verify, "return_visit": do_return_visit,
    "return_visit_failed": do_return_visit_failed, "close": do_close, "merge_into": _merge_action,
    "unmerge": do_unmerge, "flag_accountability": do_flag_accountability, "refer": do_refer,
    **cohandling.ACTIONS,
    "reopen": do_reopen,
}  # fmt: skip


def perform(appeal: Appeal, action: str, *, actor, payload: Mapping[str, Any] | None = None,
            now: dt.datetime | None = None) -> Appeal:
    """Run a named action with a JSON payload (the API's one endpoint per action)."""
    fn = ACTION_FUNCTIONS.get(action)
    if fn is None:
        raise ValidationError(f"未知操作：{action}")
    data = {k: v for k, v in (payload or {}).items() if v is not None}
    params = inspect.signature(fn).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    unknown = sorted(k for k in data if k not in params or k in ("appeal", "actor", "now"))
    if unknown and not takes_any:
        raise ValidationError(f"“{wf.ACTIONS[action].label}”不接受字段：{'、'.join(unknown)}")
    missing = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY
               and p.default is inspect.Parameter.empty and n not in ("actor",) and n not in data]
    if missing:
        raise ValidationError(f"{wf.ACTIONS[action].label}缺少必填项：{'、'.join(missing)}")
    return fn(appeal, actor=actor, now=now, **data)


@transaction.atomic
def reveal_phone(report: Report, *, actor, reason: str = "", ip: str | None = None) -> str:
    """A reporter's phone in clear, for the handler and those above them; every reveal is logged."""
    if not jurisdiction.can_reveal(actor, report.appeal):
        raise PermissionDenied("您的岗位无权查看反映人完整电话")
    value = crypto.decrypt(report.phone_enc)
    record("appeal.phone_revealed", actor=actor, obj=report.appeal, changes={"report": report.pk},
           reason=reason, ip=ip)
    return value
