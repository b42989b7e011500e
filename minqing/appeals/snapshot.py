"""The appeal's workflow snapshot as JSON, the denormalised columns that follow it, and the event rows
(shared by the services and the bulk demo loader; no writes here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from minqing.lib.logfilter import scrub  # free text in events keeps phones and IDs masked

from . import workflow as wf
from .models import Appeal, AppealEvent, Triage

POLICY = wf.DEFAULT_POLICY
LEVEL_ORDER = {wf.Level.VILLAGE.value: 0, wf.Level.TOWNSHIP.value: 1, wf.Level.COUNTY.value: 2}
TRIAGE_OF = {"solve_on_spot": Triage.ON_SPOT, "assign": Triage.ASSIGN, "explain": Triage.EXPLAIN,
             "escalate": Triage.ESCALATE}
RESPONDING = frozenset({"review", "solve_on_spot", "assign", "explain_policy", "escalate", "add_progress", "refer"})


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
        "received_at": _iso(s.received_at), "return_reason": s.return_reason, "referral": s.referral,
        "closed_at": _iso(s.closed_at), "review_stage": s.review_stage,
        "co_parts": [[p.unit, p.part, _iso(p.due), _iso(p.since), p.reply, _iso(p.answered_at), p.return_reason]
                     for p in s.co_parts],
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
        received_at=_dt(d.get("received_at")), return_reason=d.get("return_reason", ""),
        referral=d.get("referral", ""), closed_at=_dt(d.get("closed_at")), review_stage=d.get("review_stage", 0),
        co_parts=tuple(wf.CoPart(u, part, _dt(due), _dt(since), reply, _dt(ans), ret)
                       for u, part, due, since, reply, ans, ret in d.get("co_parts", [])),
    )  # fmt: skip


# --- columns and events (shared with the bulk demo loader) -----------------------------------


def actor_key(actor: Any) -> str:
    """The workflow compares people by this key: a user's pk, or 'system'."""
    return str(actor.pk) if getattr(actor, "pk", None) else "system"


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def sync_columns(a: Appeal, s: wf.AppealState, event: wf.Event, names: Mapping[str, str] | None = None, *,
                 snapshot: bool = True) -> None:
    """The denormalised columns follow the workflow state (statistics read these, never the JSON).
    ``snapshot=False``: leave ``a.state`` (a bulk replay sets it after its last step only)."""
    a.status, a.group, a.level = s.status.value, s.group.value, s.level.value
    if not a.max_level or LEVEL_ORDER[s.level.value] > LEVEL_ORDER[a.max_level]:
        a.max_level = s.level.value
    if s.reviews:
        a.triage = TRIAGE_OF[s.reviews[-1].decision]
    if event.action in ("assign", "transfer", "approve_return") or (
            event.action == "review" and event.payload.get("decision") == "assign"):
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
    if snapshot:
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


def event_values(event: wf.Event, state: wf.AppealState) -> tuple[tuple, dict[str, Any]]:
    """event_row()'s values without the model, (action, from_status, to_status, level, at, payload, reason),
    and the event's ``audit_changes``: the payload made JSON-safe once for both."""
    payload = _jsonable(dict(event.payload))
    stored = {**payload, "flags": _jsonable(list(event.flags))} if event.flags else payload
    before = event.from_status.value if event.from_status else None
    return ((event.action, before or "", event.to_status.value, state.level.value, event.at, stored,
             event_reason(event.payload)),
            {"status": [before, event.to_status.value], **payload})


def audit_changes(event: wf.Event) -> dict[str, Any]:
    return {"status": [event.from_status.value if event.from_status else None, event.to_status.value],
            **_jsonable(dict(event.payload))}

