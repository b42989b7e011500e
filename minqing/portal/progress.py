"""What a tracking code shows: a few public stages (已收到 → 办理中 → 已办结 → 已回访) with dates, a
short public timeline and, once done, the reply — never a name, phone, note or handler.

Internal states map to stages; internal actions (reminders, supervision, accountability, failed
visits, extension requests) do not show. Reply texts pass through scrub() (phones and ID numbers
masked) and lose the names of the staff and reporters the system knows. A misconduct report
(举报) shows only that the discipline commission received and closed it: its result may name the
people reported."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import pgettext

from minqing.accounts.models import User
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent, Report
from minqing.audit import actions
from minqing.lib import regioncode
from minqing.lib.logfilter import scrub
from minqing.lib.workdays import TZ

from .models import Letter, Rating

S = wf.Status
TRIAGE_STATES = {S.REGISTERED.value, S.ESCALATED.value}
DONE_STATES = {S.AWAITING_RETURN_VISIT.value, S.AWAITING_CLOSURE.value, S.CLOSED_SOLVED.value,
               S.SOLVED_ON_SPOT.value, S.EXPLAINED.value, S.CLOSED_UNSOLVED.value, S.REFERRED.value}
TAKEN_UP = {"review", "assign", "solve_on_spot", "explain_policy", "escalate", "add_progress"}
REPLY_FIELDS = {"submit_result": "result", "explain_policy": "text", "solve_on_spot": "what", "refer": "body"}
STAGE_KEYS = ("received", "handling", "done", "visited")


@dataclass
class Stage:
    key: str
    label: str
    done: bool
    at: dt.datetime | None = None


@dataclass
class PublicProgress:
    kind: str
    kind_label: str
    place: str
    addressee: str
    submitted_at: dt.datetime
    stage: str  # the furthest stage reached
    stage_label: str
    stages: list[Stage]
    timeline: list[tuple[dt.datetime, str]] = field(default_factory=list)
    due: dt.date | None = None
    due_estimated: bool = False  # counted across a year whose holidays are not announced yet
    reply: str = ""
    outcome: str = ""  # 已解决 / 未解决 / 政策解答
    can_rate: bool = False
    rating: str = ""  # label of the resident's rating, once given
    rated_at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "kind_label": self.kind_label, "place": self.place, "addressee": self.addressee,
            "submitted_at": self.submitted_at.isoformat(), "stage": self.stage, "stage_label": self.stage_label,
            "stages": [{"key": s.key, "label": s.label, "done": s.done, "at": s.at.isoformat() if s.at else None}
                       for s in self.stages],
            "timeline": [{"at": at.isoformat(), "text": text} for at, text in self.timeline],
            "due": self.due.isoformat() if self.due else None,
            "due_estimated": self.due_estimated, "reply": self.reply, "outcome": self.outcome,
            "can_rate": self.can_rate, "rating": self.rating,
            "rated_at": self.rated_at.isoformat() if self.rated_at else None,
        }  # fmt: skip


def stage_labels() -> dict[str, str]:
    return {"received": pgettext("portal", "Received"), "handling": pgettext("portal", "Being handled"),
            "done": pgettext("portal", "Concluded"), "visited": pgettext("portal", "Followed up")}


def satisfaction_labels() -> dict[str, str]:
    return {wf.Satisfaction.VERY_SATISFIED.value: pgettext("portal", "Very satisfied"),
            wf.Satisfaction.SATISFIED.value: pgettext("portal", "Satisfied"),
            wf.Satisfaction.BASICALLY_SATISFIED.value: pgettext("portal", "Basically satisfied"),
            wf.Satisfaction.UNSATISFIED.value: pgettext("portal", "Unsatisfied"),
            wf.Satisfaction.VERY_UNSATISFIED.value: pgettext("portal", "Very unsatisfied")}


def _kind_label(kind: str) -> str:
    from .services import KINDS

    return str(dict(KINDS).get(kind, wf.KIND_LABELS.get(wf.Kind(kind), kind)))


def _addressee(place_code: str) -> str:
    from .services import ADDRESSEE

    return str(ADDRESSEE.get(regioncode.level_of(place_code), ""))


def _names_to_hide(appeal: Appeal, events: list[AppealEvent]) -> list[str]:
    """Every person's name the system knows on this case: staff who acted, the handler, reporters."""
    ids = {e.actor_id for e in events if e.actor_id} | {i for i in (appeal.handler_id, appeal.registered_by_id,
                                                                   appeal.supervised_by_id) if i}
    names = set(User.objects.filter(pk__in=ids).values_list("display_name", flat=True))
    names |= set(Report.objects.filter(appeal__in=[appeal.pk, *appeal.merged_appeals.values_list("pk", flat=True)])
                 .values_list("reporter_name", flat=True))
    names.add(appeal.handler_name)
    return sorted((n.strip() for n in names if n and len(n.strip()) >= 2), key=len, reverse=True)


_MASKED = re.compile(r"(?<![\d*])(?:1[3-9]\d\*{4}\d{4}|\d{6}\*{8}[\dXx]{4})(?![\d*])")


def public_text(text: str, hide: list[str]) -> str:
    clean = _MASKED.sub("***", scrub(text or ""))  # even a masked number has no place on a public page
    for name in hide:
        clean = clean.replace(name, "**")
        # display names like "村支书 演示A": their person part too
        for part in re.split(r"\s+", name):
            if len(part) >= 2 and part != name:
                clean = clean.replace(part, "**")
    return clean.strip()


# The appeal events the resident sees on the portal; the others (reminders, supervision,
# accountability, failed visits, extension requests) stay inside. PortalConfig.ready() registers
# ``public_text`` for each as its portal text in the action registry (minqing.audit.actions).
PUBLIC_ACTIONS = ("register", "assign", "review", "escalate", "solve_on_spot", "explain_policy", "add_progress",
                  "approve_extension", "suspend", "resume", "submit_result", "verify", "return_visit", "close",
                  "merge_into")


def register_public() -> None:
    for action in PUBLIC_ACTIONS:
        actions.set_public(f"appeal.{action}", public_text_of)


def _event_text(e: AppealEvent) -> str | None:
    return actions.public_text(f"appeal.{e.action}", e)


def public_text_of(e: AppealEvent) -> str | None:
    """What the portal says for one event (None: this occurrence stays inside, e.g. a review that
    only noted an opinion)."""
    level = wf.LEVEL_LABELS.get(wf.Level(e.level)) if e.level in wf.Level._value2member_map_ else ""
    action, payload = e.action, e.payload or {}
    if action == "register":
        return pgettext("portal", "Letter received")
    if action in ("assign",) or (action == "review" and payload.get("decision") == "assign"):
        return pgettext("portal", "Assigned for handling with a deadline")
    if action == "escalate" or (action == "review" and payload.get("decision") == "escalate"):
        return pgettext("portal", "Sent up for review at %(level)s level") % {"level": level}
    if action == "solve_on_spot" or (action == "review" and payload.get("decision") == "solve_on_spot"):
        return pgettext("portal", "Solved on the spot")
    if action == "explain_policy" or (action == "review" and payload.get("decision") == "explain"):
        return pgettext("portal", "Answered with a policy explanation")
    if action == "add_progress":
        return pgettext("portal", "Handling in progress")
    if action == "approve_extension":
        return pgettext("portal", "Deadline extended as the rules allow")
    if action == "suspend":
        return pgettext("portal", "Handling paused")
    if action == "resume":
        return pgettext("portal", "Handling resumed")
    if action == "submit_result":
        return pgettext("portal", "Result reported by the handling unit")
    if action == "verify":
        return pgettext("portal", "Result verified") if payload.get("passed") else pgettext(
            "portal", "Result not accepted on verification; handling continues")
    if action == "return_visit":
        if e.to_status not in DONE_STATES:
            return pgettext("portal", "Follow-up: unsatisfied, handled again")
        return pgettext("portal", "Followed up")
    if action == "close":
        return pgettext("portal", "Concluded")
    if action == "merge_into":
        return pgettext("portal", "Handled together with a similar letter")
    return None


def public_progress(letter: Letter) -> PublicProgress:
    from .services import current_appeal

    appeal = current_appeal(letter)
    own = appeal if appeal.pk == letter.appeal_id else Appeal.objects.get(pk=letter.appeal_id)
    events = list(AppealEvent.objects.filter(appeal__in={own.pk, appeal.pk}).order_by("at", "id"))
    misconduct = own.sensitivity == "misconduct" or appeal.sensitivity == "misconduct"
    labels = stage_labels()
    status = appeal.status
    done_now = status in DONE_STATES

    taken = next((e.at for e in events if e.action in TAKEN_UP or (e.action == "merge_into")), None)
    done_at = None
    for e in events:
        if e.appeal_id == appeal.pk and e.to_status in DONE_STATES and e.from_status not in DONE_STATES:
            done_at = e.at
    rating = Rating.objects.filter(letter=letter, deleted_at__isnull=True).first()
    visited_at = None
    if done_now and done_at is not None:
        for e in events:
            if e.appeal_id != appeal.pk or e.at < done_at:
                continue
            if e.action == "return_visit" and e.to_status in DONE_STATES:
                visited_at = visited_at or e.at
            if e.action == "solve_on_spot" and (e.payload or {}).get("satisfaction"):
                visited_at = visited_at or e.at
        if rating is not None:
            visited_at = visited_at or rating.at
    handling_done = taken is not None or status not in TRIAGE_STATES
    stages = [
        Stage("received", labels["received"], True, letter.submitted_at),
        Stage("handling", labels["handling"], handling_done, taken),
        Stage("done", labels["done"], done_now, done_at if done_now else None),
        Stage("visited", labels["visited"], visited_at is not None, visited_at),
    ]
    reached = [s for s in stages if s.done][-1]

    hide = _names_to_hide(appeal, events) if not misconduct else []
    timeline: list[tuple[dt.datetime, str]] = []
    reply = ""
    for e in events:
        if e.appeal_id == own.pk and e.appeal_id != appeal.pk and e.action not in ("register", "merge_into"):
            continue
        if e.appeal_id == appeal.pk != own.pk and (e.action == "register" or e.at < letter.submitted_at):
            continue  # the target's own story before this letter is not this letter's history
        text = _event_text(e)
        if misconduct and e.action not in ("register", "close", "merge_into"):
            text = (pgettext("portal", "Received by the discipline inspection commission")
                    if e.action in TAKEN_UP else None)
        if text and (not timeline or timeline[-1][1] != text):
            timeline.append((e.at, text))
        action = e.action
        if action == "review":
            action = {"explain": "explain_policy", "solve_on_spot": "solve_on_spot"}.get(
                (e.payload or {}).get("decision", ""), "")
        field_name = REPLY_FIELDS.get(action)
        if field_name and e.appeal_id == appeal.pk and (e.payload or {}).get(field_name):
            reply = str(e.payload[field_name])
    if misconduct:
        reply = pgettext("portal", "Your report has been handled by the discipline inspection commission "
                                   "according to the rules.") if done_now else ""
    else:
        reply = public_text(reply, hide) if done_now else ""
    outcome = ""
    if done_now:
        if status == S.EXPLAINED.value:
            outcome = pgettext("portal", "Policy explanation")
        elif status == S.CLOSED_UNSOLVED.value:
            outcome = pgettext("portal", "Closed, not solved")
        elif status == S.REFERRED.value:
            outcome = pgettext("portal", "Referred to the statutory channel")
        elif status in (S.CLOSED_SOLVED.value, S.SOLVED_ON_SPOT.value):
            outcome = pgettext("portal", "Solved")
    due = None
    if not misconduct and appeal.due_at and not done_now and appeal.triage == "assign":
        due = appeal.due_at.astimezone(TZ).date()  # the county's calendar day, not UTC's
    sat_labels = satisfaction_labels()
    return PublicProgress(
        kind=own.kind, kind_label=_kind_label(own.kind), place=letter.region.full_name(),
        addressee=_addressee(letter.region_id), submitted_at=letter.submitted_at, stage=reached.key,
        stage_label=reached.label, stages=stages, timeline=timeline, due=due,
        due_estimated=bool(due and appeal.due_estimated), reply=reply, outcome=outcome,
        can_rate=done_now and rating is None, rating=sat_labels.get(rating.satisfaction, "") if rating else "",
        rated_at=rating.at if rating else None)
