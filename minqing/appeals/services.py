"""Every change to an appeal: one function per workflow action, each atomic, each writing the
AppealEvent (indexed, for metrics and the timeline) and the audit event (hash chain) together.

Pattern of every action: lock the row (select_for_update) → the JSON snapshot becomes a
workflow.AppealState → workflow.apply decides → the denormalised columns follow the new state →
events written. A TransitionError becomes a ValidationError with the workflow's Chinese message;
a post that may not take the action gets PermissionDenied (see access.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from minqing.accounts.models import Unit, User
from minqing.audit.log import record
from minqing.households import crypto
from minqing.households.models import Household, Resident
from minqing.lib import regioncode
from minqing.lib.logfilter import scrub  # free text in events keeps phones and IDs masked
from minqing.lib.masking import mask_phone
from minqing.lib.phone import PhoneError, clean_phone
from minqing.lib.workdays import TZ, end_of_day
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import access, deadlines
from . import workflow as wf
from .models import (
    Appeal,
    AppealEvent,
    Attachment,
    Category,
    Channel,
    Progress,
    Report,
    ReturnVisit,
    Sensitivity,
    Triage,
    Urgency,
)

POLICY = wf.DEFAULT_POLICY
LEVEL_ORDER = {wf.Level.VILLAGE.value: 0, wf.Level.TOWNSHIP.value: 1, wf.Level.COUNTY.value: 2}
REGION_LEVEL = {regioncode.VILLAGE: wf.Level.VILLAGE, regioncode.TOWNSHIP: wf.Level.TOWNSHIP,
                regioncode.COUNTY: wf.Level.COUNTY}
TRIAGE_OF = {"solve_on_spot": Triage.ON_SPOT, "assign": Triage.ASSIGN, "explain": Triage.EXPLAIN,
             "escalate": Triage.ESCALATE}
RESPONDING = frozenset({"review", "solve_on_spot", "assign", "explain_policy", "escalate", "add_progress", "refer"})
FAMILY_CATEGORY = "婚姻家庭"


# --- the workflow snapshot as JSON ----------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def state_to_json(s: wf.AppealState) -> dict[str, Any]:
    return {
        "kind": s.kind.value, "status": s.status.value, "level": s.level.value, "last_at": _iso(s.last_at),
        "anonymous": s.anonymous,
        "reviews": [[r.level.value, r.actor, _iso(r.at), r.decision, r.opinion] for r in s.reviews],
        "unit": s.unit, "handler": s.handler, "measures": s.measures, "due": _iso(s.due),
        "ever_assigned": s.ever_assigned, "submitted_by": s.submitted_by, "verified_by": s.verified_by,
        "visit_answer": s.visit_answer.value if s.visit_answer else None,
        "visits": [v.value for v in s.visits], "visit_failures": s.visit_failures,
        "reopen_count": s.reopen_count, "remind_count": s.remind_count,
        "supervisor": [s.supervisor[0], s.supervisor[1].value] if s.supervisor else None,
        "extension_count": s.extension_count, "extension_pending_days": s.extension_pending_days,
        "extension_requested_by": s.extension_requested_by,
        "resume_status": s.resume_status.value if s.resume_status else None,
        "pauses": [[_iso(a), _iso(b)] for a, b in s.pauses],
        "close_reason": s.close_reason.value if s.close_reason else None, "close_note": s.close_note,
        "accountability": list(s.accountability), "merged_into": s.merged_into,
        "status_before_merge": s.status_before_merge.value if s.status_before_merge else None,
    }  # fmt: skip


def state_from_json(d: Mapping[str, Any]) -> wf.AppealState | None:
    if not d:
        return None

    def opt(enum, key):
        return enum(d[key]) if d.get(key) else None

    sup = d.get("supervisor")
    return wf.AppealState(
        kind=wf.Kind(d["kind"]), status=wf.Status(d["status"]), level=wf.Level(d["level"]),
        last_at=_dt(d["last_at"]), anonymous=bool(d.get("anonymous")),
        reviews=tuple(wf.Review(wf.Level(lv), a, _dt(at), dec, op) for lv, a, at, dec, op in d.get("reviews", [])),
        unit=d.get("unit"), handler=d.get("handler"), measures=d.get("measures"), due=_dt(d.get("due")),
        ever_assigned=bool(d.get("ever_assigned")), submitted_by=d.get("submitted_by"),
        verified_by=d.get("verified_by"), visit_answer=opt(wf.Satisfaction, "visit_answer"),
        visits=tuple(wf.Satisfaction(v) for v in d.get("visits", [])), visit_failures=d.get("visit_failures", 0),
        reopen_count=d.get("reopen_count", 0), remind_count=d.get("remind_count", 0),
        supervisor=(sup[0], wf.Level(sup[1])) if sup else None, extension_count=d.get("extension_count", 0),
        extension_pending_days=d.get("extension_pending_days"),
        extension_requested_by=d.get("extension_requested_by"), resume_status=opt(wf.Status, "resume_status"),
        pauses=tuple((_dt(a), _dt(b)) for a, b in d.get("pauses", [])),
        close_reason=opt(wf.CloseReason, "close_reason"), close_note=d.get("close_note", ""),
        accountability=tuple(d.get("accountability", [])), merged_into=d.get("merged_into"),
        status_before_merge=opt(wf.Status, "status_before_merge"),
    )  # fmt: skip


# --- columns and events (shared with the bulk demo loader) -----------------------------------


def actor_key(actor: Any) -> str:
    """The workflow compares people by this key: a user's pk, or 'system'."""
    return str(actor.pk) if getattr(actor, "pk", None) else "system"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def sync_columns(a: Appeal, s: wf.AppealState, event: wf.Event, names: Mapping[str, str] | None = None) -> None:
    """The denormalised columns follow the workflow state (statistics read these, never the JSON)."""
    a.status, a.group, a.level = s.status.value, s.group.value, s.level.value
    if not a.max_level or LEVEL_ORDER[s.level.value] > LEVEL_ORDER[a.max_level]:
        a.max_level = s.level.value
    if s.reviews:
        a.triage = TRIAGE_OF[s.reviews[-1].decision]
    if event.action == "assign" or (event.action == "review" and event.payload.get("decision") == "assign"):
        a.unit_id = _int_or_none(s.unit)
        a.handler_id = _int_or_none(s.handler)
        a.handler_name = (names or {}).get(s.handler or "", "") or ("" if a.handler_id else (s.handler or ""))
        a.measures = s.measures or ""
    if s.due is not None:
        a.due_at = s.due
    if a.responded_at is None and event.action in RESPONDING:
        a.responded_at = event.at
    if wf.is_closed(s):
        a.closed_at = a.closed_at or event.at
        a.closed_on_time = a.due_at is None or a.closed_at <= a.due_at
        a.warning = ""
    else:
        a.closed_at, a.closed_on_time = None, None
    answer = s.visit_answer or (s.visits[-1] if s.visits else None)
    a.satisfaction = answer.value if answer else ""
    a.reopen_count, a.remind_count = s.reopen_count, s.remind_count
    if s.supervisor:
        a.supervised_by_id, a.supervise_level = _int_or_none(s.supervisor[0]), s.supervisor[1].value
    a.accountability = bool(s.accountability)
    if s.status is not wf.Status.MERGED:
        a.merged_into_id = None
    a.state = state_to_json(s)
    a.updated_at = event.at


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return scrub(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def event_reason(payload: Mapping[str, Any]) -> str:
    for key in ("reason", "opinion", "note", "text", "what", "result"):
        if payload.get(key):
            return scrub(str(payload[key]))
    return ""


def event_row(a: Appeal, event: wf.Event, actor_id: int | None, state: wf.AppealState) -> AppealEvent:
    return AppealEvent(appeal=a, region_id=a.region_id, action=event.action,
                       from_status=event.from_status.value if event.from_status else "",
                       to_status=event.to_status.value, level=state.level.value, at=event.at, actor_id=actor_id,
                       payload=_jsonable({**event.payload, **({"flags": list(event.flags)} if event.flags else {})}),
                       reason=event_reason(event.payload))


def audit_changes(event: wf.Event) -> dict[str, Any]:
    return {"status": [event.from_status.value if event.from_status else None, event.to_status.value],
            **_jsonable(dict(event.payload))}


def _write_events(a: Appeal, event: wf.Event, actor: Any, state: wf.AppealState) -> AppealEvent:
    row = event_row(a, event, getattr(actor, "pk", None), state)
    row.save(force_insert=True)
    record(f"appeal.{event.action}", actor=actor, obj=a, changes=audit_changes(event),
           reason=row.reason, at=event.at)
    return row


# --- the transition -------------------------------------------------------------------------


def _check(actor: Any, appeal: Appeal, action: str) -> None:
    if actor is None:
        return  # system jobs (sweep, import) act with no person
    if not access.may_act(jurisdiction.scope_of(actor), appeal, action):
        raise PermissionDenied(f"您的岗位不能对该诉求执行“{wf.ACTIONS[action].label}”")


def _copy(target: Appeal, source: Appeal) -> Appeal:
    for f in Appeal._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def _transition(appeal: Appeal, name: str, *, actor: Any, payload: Mapping[str, Any], now: dt.datetime | None,
                names: Mapping[str, str] | None = None,
                after: Callable[[Appeal, wf.AppealState], None] | None = None) -> Appeal:
    now = now or timezone.now()
    row = Appeal.objects.select_for_update().get(pk=appeal.pk)
    _check(actor, row, name)
    state = state_from_json(row.state)
    clean = {k: v for k, v in payload.items() if v is not None}
    try:
        new, event = wf.apply(state, wf.Action(name, actor_key(actor), now, clean), POLICY)
    except wf.TransitionError as exc:
        raise ValidationError(str(exc)) from exc
    sync_columns(row, new, event, names)
    row.version += 1
    if after is not None:
        after(row, new)
    row.save()
    _write_events(row, event, actor, new)
    return _copy(appeal, row)


# --- intake ---------------------------------------------------------------------------------


def _region(region: Region | str) -> Region:
    if isinstance(region, Region):
        return region
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise ValidationError(str(exc)) from exc
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(f"区划“{region}”不存在")
    return found


def _category(category: Category | int | str | None) -> Category | None:
    if category is None or category == "":
        return None
    if isinstance(category, Category):
        return category
    found = (Category.objects.filter(pk=category).first() if str(category).isdigit()
             else Category.objects.filter(code=category).first())
    if found is None:
        raise ValidationError(f"类别“{category}”不存在")
    return found


def sensitivity_of(kind: str, category: Category | None) -> str:
    if kind == wf.Kind.MISCONDUCT:
        return Sensitivity.MISCONDUCT
    if kind == wf.Kind.DISPUTE and category is not None:
        node: Category | None = category
        while node is not None:
            if node.name == FAMILY_CATEGORY:
                return Sensitivity.FAMILY
            node = node.parent
    return Sensitivity.NORMAL


def _choice(value: str, choices: Iterable[str], label: str) -> str:
    if value not in set(choices):
        raise ValidationError(f"{label}“{value}”无效")
    return value


def appeal_number(region_code: str, received_at: dt.datetime, pk: int) -> str:
    return f"{region_code[:6]}-{received_at.astimezone(TZ):%Y}-{pk:07d}"


@transaction.atomic
def register_appeal(*, actor, region: Region | str, kind: str, channel: str, title: str, text: str,
                    category: Category | int | str | None = None, urgency: str = Urgency.NORMAL,
                    household: Household | int | None = None, resident: Resident | int | None = None,
                    reporter_name: str = "", phone: str = "", anonymous: bool = False,
                    client_id: str | None = None, received_at: dt.datetime | None = None,
                    reported_users: Iterable[User | int] = (), source_ref: str | None = None,
                    now: dt.datetime | None = None) -> Appeal:
    """登记. An offline client sends a client_id: the same id again returns the appeal it made."""
    if client_id:
        existing = Report.objects.filter(client_id=client_id).select_related("appeal").first()
        if existing is not None:
            return existing.appeal
    now = now or timezone.now()
    received_at = received_at or now
    if received_at > now + dt.timedelta(minutes=5):
        raise ValidationError("受理时间不能晚于当前时间")
    place = _region(region)
    depth = regioncode.level_of(place.code)
    if depth not in REGION_LEVEL:
        raise ValidationError("诉求须登记到县、乡镇或村（社区）")
    if actor is not None and not access.may_register(jurisdiction.scope_of(actor), place.code):
        raise PermissionDenied("不在您的管辖范围内")
    _choice(kind, [k.value for k in wf.Kind], "诉求类型")
    _choice(channel, Channel.values, "来源渠道")
    _choice(urgency, Urgency.values, "紧急程度")
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise ValidationError("请填写诉求标题")
    if not text:
        raise ValidationError("请填写诉求内容")
    cat = _category(category)
    hh = Household.objects.filter(pk=getattr(household, "pk", household)).first() if household else None
    person = Resident.objects.filter(pk=getattr(resident, "pk", resident)).first() if resident else None
    if household and hh is None or resident and person is None:
        raise ValidationError("所选户或群众不存在")
    if person is not None and hh is None:
        hh = person.household
    if hh is not None and not regioncode.contains(place.code, hh.region_id):
        raise ValidationError("所选户不在诉求所在地")
    clean_phone_value = ""
    if phone and not anonymous:
        try:
            clean_phone_value = clean_phone(phone)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc
    if anonymous:
        hh = person = None
        reporter_name = ""
    name = (reporter_name or (person.name if person else "") or (hh.head_name if hh else "")).strip()

    level = REGION_LEVEL[depth]
    response = deadlines.due_for(deadlines.RESPONSE, kind=kind, category_id=cat.pk if cat else None,
                                 urgency=urgency, start=received_at)
    resolve = deadlines.due_for(deadlines.RESOLVE, kind=kind, category_id=cat.pk if cat else None,
                                urgency=urgency, start=received_at)
    payload = {"kind": kind, "level": level.value, "channel": channel, "anonymous": anonymous,
               "category": cat.code if cat else None, "urgency": urgency}
    try:
        state, event = wf.apply(None, wf.Action("register", actor_key(actor), received_at,
                                                {k: v for k, v in payload.items() if v is not None}))
    except wf.TransitionError as exc:
        raise ValidationError(str(exc)) from exc
    a = Appeal(number=f"~{uuid.uuid4().hex[:30]}", kind=kind, region=place, household=hh, channel=channel,
               category=cat, urgency=urgency, sensitivity=sensitivity_of(kind, cat), title=title[:200], text=text,
               anonymous=anonymous, received_at=received_at, registered_by=actor if getattr(actor, "pk", None)
               else None, response_due_at=response.due, due_at=resolve.due,
               due_estimated=response.estimated or resolve.estimated, source_ref=source_ref, updated_at=now)
    sync_columns(a, state, event)
    a.save()
    a.number = appeal_number(place.code, received_at, a.pk)
    a.save(update_fields=["number"])
    if reported_users:
        a.reported_users.set([getattr(u, "pk", u) for u in reported_users])
    Report.objects.create(
        appeal=a, region=place, channel=channel, resident=person, household=hh, reporter_name=name,
        phone_enc=crypto.encrypt(clean_phone_value), phone_hash=crypto.lookup_hash(clean_phone_value),
        phone_masked=mask_phone(clean_phone_value), anonymous=anonymous, text=text, received_at=received_at,
        received_by=actor if getattr(actor, "pk", None) else None, client_id=client_id or None)
    _write_events(a, event, actor, state)
    return a


@transaction.atomic
def add_report(appeal: Appeal, *, actor, channel: str, text: str = "", reporter_name: str = "", phone: str = "",
               household: Household | None = None, resident: Resident | None = None, anonymous: bool = False,
               client_id: str | None = None, now: dt.datetime | None = None) -> Report:
    """One more resident raising the same case (附议): attached, told of the outcome, counted once."""
    if client_id and (found := Report.objects.filter(client_id=client_id).first()):
        return found
    now = now or timezone.now()
    _check(actor, appeal, "merge_into")
    _choice(channel, Channel.values, "来源渠道")
    clean = ""
    if phone and not anonymous:
        try:
            clean = clean_phone(phone)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc
    report = Report.objects.create(
        appeal=appeal, region_id=appeal.region_id, channel=channel, resident=resident, household=household,
        reporter_name="" if anonymous else reporter_name, phone_enc=crypto.encrypt(clean),
        phone_hash=crypto.lookup_hash(clean), phone_masked=mask_phone(clean), anonymous=anonymous, text=text,
        received_at=now, received_by=actor if getattr(actor, "pk", None) else None, client_id=client_id or None)
    record("appeal.report_added", actor=actor, obj=appeal, changes={"report": report.pk, "channel": channel,
                                                                     "phone": mask_phone(clean)}, at=now)
    return report


# --- triage ---------------------------------------------------------------------------------


def _aware(value: Any, label: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, TZ)
    if isinstance(value, dt.date):
        return end_of_day(value)
    if isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, TZ)
        day = parse_date(value)
        if day is not None:
            return end_of_day(day)
    raise ValidationError(f"{label}格式无效，应为日期或日期时间")


def _assign_payload(appeal: Appeal, unit: Unit | int | str, person: User | int | str, measures: str,
                    due: Any, now: dt.datetime) -> tuple[dict[str, Any], dict[str, str]]:
    """Unit and person as the workflow keys them (pks), plus the display names for the columns."""
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
            raise ValidationError("请填写责任人")
    if due in (None, ""):
        due_at = deadlines.due_for(deadlines.RESOLVE, kind=appeal.kind, category_id=appeal.category_id,
                                   urgency=appeal.urgency, start=now).due
    else:
        due_at = _aware(due, "办理期限")
    return {"unit": str(unit_obj.pk), "person": person_key, "measures": measures, "due": due_at}, names


@transaction.atomic
def do_review(appeal: Appeal, *, actor, decision: str, opinion: str = "", now: dt.datetime | None = None,
              **decision_payload: Any) -> Appeal:
    """研判: the decision (solve_on_spot | assign | explain | escalate) with its own fields."""
    now = now or timezone.now()
    payload: dict[str, Any] = {"decision": decision, "opinion": opinion, **decision_payload}
    names = None
    if decision == "assign":
        extra, names = _assign_payload(appeal, decision_payload.get("unit"), decision_payload.get("person"),
                                       decision_payload.get("measures", ""), decision_payload.get("due"), now)
        payload.update(extra)
    return _transition(appeal, "review", actor=actor, payload=payload, now=now, names=names)


@transaction.atomic
def do_solve_on_spot(appeal: Appeal, *, actor, what: str, satisfaction: str | None = None, opinion: str = "",
                     now: dt.datetime | None = None) -> Appeal:
    """现场解决 / 立行立改, with the resident's word on the spot when they give it."""
    return _transition(appeal, "solve_on_spot", actor=actor, now=now,
                       payload={"what": what, "satisfaction": satisfaction or None, "opinion": opinion})


@transaction.atomic
def do_assign(appeal: Appeal, *, actor, unit: Unit | int | str, person: User | int | str, measures: str,
              due: Any = None, opinion: str = "", now: dt.datetime | None = None) -> Appeal:
    """限期办理: unit, named person, measures; the deadline defaults to the county's rule."""
    now = now or timezone.now()
    payload, names = _assign_payload(appeal, unit, person, measures, due, now)
    return _transition(appeal, "assign", actor=actor, payload={**payload, "opinion": opinion}, now=now,
                       names=names)


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
    now = now or timezone.now()
    amount = _money(cost)
    if amount is not None and not fund_source.strip():
        raise ValidationError("填写了金额，请同时填写资金来源")

    def after(row: Appeal, _s: wf.AppealState) -> None:
        if amount is not None:
            row.cost = (row.cost or Decimal(0)) + amount
            row.fund_source = "、".join(dict.fromkeys(filter(None, [*row.fund_source.split("、"),
                                                                   fund_source.strip()])))[:100]

    result = _transition(appeal, "add_progress", actor=actor, now=now, after=after,
                         payload={"note": note, "cost": str(amount) if amount is not None else None,
                                  "fund_source": fund_source or None, "evidence": evidence or None})
    progress = Progress.objects.create(appeal=result, at=now, by=actor if getattr(actor, "pk", None) else None,
                                       note=note, cost=amount, fund_source=fund_source)
    for upload in files:
        add_attachment(result, actor=actor, upload=upload, progress=progress, now=now, check=False)
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
    payload = {"note": note, "days": _int(days, "批准天数") if days is not None else None}
    return _transition(appeal, "approve_extension", actor=actor, payload=payload, now=now)


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
    """导入法定途径: referred to a court, arbitration board or other body; closed, not solved."""
    return _transition(appeal, "refer", actor=actor, payload={"body": body, "reason": reason, "note": note}, now=now)


def do_resume(appeal: Appeal, *, actor, due: Any = None, note: str = "", now: dt.datetime | None = None) -> Appeal:
    payload = {"note": note, "due": _aware(due, "新的办理期限") if due not in (None, "") else None}
    return _transition(appeal, "resume", actor=actor, payload=payload, now=now)


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
                    reopen: bool = True, now: dt.datetime | None = None) -> Appeal:
    """回访: 满意 / 基本满意 / 不满意; 不满意 reopens the case (counted) unless reopen=False."""
    now = now or timezone.now()
    result = _transition(appeal, "return_visit", actor=actor, now=now,
                         payload={"satisfaction": satisfaction, "method": method, "note": note, "reopen": reopen})
    ReturnVisit.objects.create(appeal=result, at=now, by=actor if getattr(actor, "pk", None) else None,
                               reached=True, satisfaction=satisfaction, note=note)
    return result


@transaction.atomic
def do_return_visit_failed(appeal: Appeal, *, actor, method: str = "", note: str = "",
                           now: dt.datetime | None = None) -> Appeal:
    now = now or timezone.now()
    result = _transition(appeal, "return_visit_failed", actor=actor, payload={"method": method, "note": note},
                         now=now)
    ReturnVisit.objects.create(appeal=result, at=now, by=actor if getattr(actor, "pk", None) else None,
                               reached=False, note=note)
    return result


@transaction.atomic
def do_close(appeal: Appeal, *, actor, outcome: str, reason: str | None = None, note: str = "",
             now: dt.datetime | None = None) -> Appeal:
    """办结; every reporter (merged ones included) is marked as told of the outcome."""
    now = now or timezone.now()
    result = _transition(appeal, "close", actor=actor, now=now,
                         payload={"outcome": outcome, "reason": reason or None, "note": note})
    Report.objects.filter(appeal=result, notified_at__isnull=True).update(notified_at=now)
    return result


@transaction.atomic
def do_flag_accountability(appeal: Appeal, *, actor, reason: str, persons: Iterable[str] = (),
                           now: dt.datetime | None = None) -> Appeal:
    """追责问责: flags the case and names the people in the chain."""
    return _transition(appeal, "flag_accountability", actor=actor, now=now,
                       payload={"reason": reason, "persons": list(persons) or None})


# --- merging --------------------------------------------------------------------------------


@transaction.atomic
def merge(appeal: Appeal, into: Appeal, *, actor, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """合并: the duplicate's reports move to the target; the duplicate never counts again."""
    now = now or timezone.now()
    if appeal.pk == into.pk:
        raise ValidationError("不能合并到诉求本身")
    target = Appeal.objects.select_for_update().get(pk=into.pk)
    if target.status == wf.Status.MERGED or target.group not in (wf.Group.OPEN, wf.Group.PAUSED):
        raise ValidationError("只能合并到未办结、未被合并的诉求")
    moved = list(Report.objects.filter(appeal_id=appeal.pk).values_list("pk", flat=True))

    def after(row: Appeal, _s: wf.AppealState) -> None:
        row.merged_into_id = target.pk

    result = _transition(appeal, "merge_into", actor=actor, now=now, after=after,
                         payload={"target": target.number, "note": note, "reports": moved})
    Report.objects.filter(pk__in=moved).update(appeal_id=target.pk)
    Appeal.objects.filter(pk=target.pk).update(version=F("version") + 1, updated_at=now)
    AppealEvent.objects.create(appeal=target, region_id=target.region_id, action="merge_received",
                               from_status=target.status, to_status=target.status, level=target.level, at=now,
                               actor_id=getattr(actor, "pk", None), payload={"source": result.number,
                                                                             "reports": moved})
    record("appeal.merge_received", actor=actor, obj=target, changes={"source": result.number, "reports": moved},
           at=now)
    return result


@transaction.atomic
def do_unmerge(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    """取消合并: the case comes back with the reports it brought."""
    last = appeal.events.filter(action="merge_into").order_by("-at", "-id").first()
    moved = (last.payload or {}).get("reports", []) if last else []
    result = _transition(appeal, "unmerge", actor=actor, payload={"reason": reason}, now=now)
    Report.objects.filter(pk__in=moved).update(appeal_id=result.pk)
    return result


# --- attachments ----------------------------------------------------------------------------

MAX_UPLOAD = 10 * 1024 * 1024
ALLOWED_TYPES = {  # extension → (content type, magic bytes it must start with)
    "jpg": ("image/jpeg", b"\xff\xd8\xff"), "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"), "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}  # fmt: skip


def validate_upload(name: str, size: int, head: bytes) -> str:
    """The content type of an allowed file, or a Chinese error naming what is wrong."""
    ext = PurePath(name or "").suffix.lower().lstrip(".")
    if ext not in ALLOWED_TYPES:
        raise ValidationError(f"文件“{name}”类型不支持：只能上传 jpg、png、pdf、docx、xlsx")
    if size <= 0:
        raise ValidationError(f"文件“{name}”是空文件")
    if size > MAX_UPLOAD:
        raise ValidationError(f"文件“{name}”超过10MB（{size / 1024 / 1024:.1f}MB）")
    content_type, magic = ALLOWED_TYPES[ext]
    if not head.startswith(magic):
        raise ValidationError(f"文件“{name}”的内容与扩展名不符")
    return content_type


def add_attachment(appeal: Appeal, *, actor, upload: Any, progress: Progress | None = None,
                   now: dt.datetime | None = None, check: bool = True) -> Attachment:
    """A photo or file (validated type and size) on the case or one of its progress notes."""
    now = now or timezone.now()
    if check:
        _check(actor, appeal, "add_progress")
    from minqing.lib.uploads import clean_image, read_limited

    content = read_limited(upload, MAX_UPLOAD)  # counted while streaming, never read past the limit
    content_type = validate_upload(getattr(upload, "name", ""), len(content), content[:8])
    if content_type.startswith("image/"):
        content = clean_image(content, getattr(upload, "name", ""))  # no EXIF (GPS) is stored
    size = len(content)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        att = Attachment(appeal=appeal, progress=progress, name=PurePath(upload.name).name[:200],
                         content_type=content_type, size=size, sha256=digest,
                         uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=now)
        ext = PurePath(upload.name).suffix.lower()
        from django.core.files.base import ContentFile

        att.file.save(f"{digest[:16]}{ext}", ContentFile(content), save=False)
        att.save()
        record("appeal.attachment_added", actor=actor, obj=appeal,
               changes={"attachment": att.pk, "name": att.name, "size": size, "sha256": digest}, at=now)
    return att


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


def reveal_phone(report: Report, *, actor, reason: str = "", ip: str | None = None) -> str:
    """A reporter's phone in clear, for the handler and those above them; every reveal is logged."""
    if not jurisdiction.can_reveal(actor, report.appeal):
        raise PermissionDenied("您的岗位无权查看反映人完整电话")
    value = crypto.decrypt(report.phone_enc)
    record("appeal.phone_revealed", actor=actor, obj=report.appeal, changes={"report": report.pk},
           reason=reason, ip=ip)
    return value
