"""Registering many cases at once (the ledger import): the same rules as ``services``, written in bulk.

A case to create is a ``NewCase``: what ``register_appeal`` takes, plus the workflow steps a paper
ledger records after registration (assign, progress, result, verification, return visit, close).
``plan`` replays those steps through ``workflow.apply`` — the one state machine, with every check it
makes (a closure needs a verification by someone other than the handler and an answered return visit
or a recorded reason) — and derives the columns with ``services.sync_columns``, exactly as a service
call would; a step the workflow refuses is a TransitionError the caller reports against its row.
``write`` then stores planned cases with a few bulk inserts: appeals, reports, events, progress notes,
one audit event per case (its whole history). The caller indexes them for search after commit
(appeals does not import the search part, which imports appeals).

A case whose ledger row names no category gets the model's suggestion as registration gives it on
every other channel (``intake._confident_suggestion`` through ``hooks.suggester``), marked as
suggested (``category_source="model"``, the suggestion in the case's audit event); a category the
ledger names is the person's (``"person"``).
"""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models.base import ModelState

from minqing.audit.log import record_many
from minqing.lib import regioncode, rows, workdays
from minqing.regions.models import Region

from . import deadlines, rollup_store
from . import workflow as wf
from .intake import _confident_suggestion
from .models import Appeal, AppealEvent, Category, Progress, Report, Urgency
from .services import (
    REGION_LEVEL,
    actor_key,
    appeal_number,
    event_values,
    sensitivity_of,
    state_to_json,
    sync_columns,
)


@dataclass(frozen=True)
class Step:
    """One workflow action after registration. ``by`` is the workflow's actor key when it is not the
    importing person (the handler named in a ledger reports the result; the importer verifies it)."""

    action: str
    at: dt.datetime
    payload: Mapping[str, Any]
    by: str | None = None
    note: str = ""  # add_progress: also kept as a Progress row


@dataclass
class NewCase:
    region: Region
    kind: str
    channel: str
    title: str
    text: str
    received_at: dt.datetime
    source_ref: str
    category: Category | None = None
    anonymous: bool = False
    reporters: Sequence[str] = ()
    handler_name: str = ""  # the person an assign step names (by this text, not a user key)
    measures: str = ""  # what was done, when no assign step names it (a platform's reply)
    steps: Sequence[Step] = ()


@dataclass
class Planned:
    case: NewCase
    appeal: Appeal
    events: list[tuple[wf.Event, wf.AppealState]] = field(default_factory=list)
    suggested: tuple[str, float, str] | None = None  # (category code, confidence, model) when applied


class Blank:
    """``Appeal(**values)`` without ``Model.__init__`` (its per-field default lookups were ~5 % of an
    import's CPU): one instance made the ordinary way gives every field's default; each new appeal copies
    its values (a default list or dict copied, not shared) and sets the given ones through the model's
    attributes (a relation sets its ``_id`` and its cached object, as ``__init__`` does). Appeal has
    no ``pre_init``/``post_init`` receivers (tests/ledgers_metrics pins the equality)."""

    def __init__(self) -> None:
        proto = Appeal()
        self.values = {k: v for k, v in proto.__dict__.items() if k != "_state"}
        self.mutable = [k for k, v in self.values.items() if isinstance(v, dict | list)]

    def new(self, **values: Any) -> Appeal:
        a = Appeal.__new__(Appeal)
        d = a.__dict__
        d.update(self.values)
        for k in self.mutable:
            d[k] = copy.deepcopy(d[k])
        d["_state"] = ModelState()
        for k, v in values.items():
            setattr(a, k, v)
        return a


class Deadlines:
    """``deadlines.due_for`` for many cases: each county rule and the calendar looked up once (and the
    categories a suggestion names, once each)."""

    def __init__(self) -> None:
        self.calendar = deadlines.calendar()
        self.rules: dict[tuple[str, str, int | None], workdays.DeadlinePolicy] = {}
        self.categories: dict[str, Category | None] = {}
        self.blank = Blank()
        self.days: dict[tuple[workdays.DeadlinePolicy, dt.date], workdays.Deadline] = {}

    def suggestion(self, title: str, text: str, region_code: str) -> tuple[Category, float, str] | None:
        """``intake._confident_suggestion`` with the category read once per code."""
        return _confident_suggestion(title, text, region_code, categories=self.categories)

    def due(self, stage: str, kind: str, category_id: int | None, start: dt.datetime) -> workdays.Deadline:
        key = (stage, kind, category_id)
        rule = self.rules.get(key)
        if rule is None:
            rule = self.rules[key] = deadlines.rule_for(stage, kind=kind, category_id=category_id,
                                                        urgency=Urgency.NORMAL)
        if rule.unit == "hours":  # counted from the instant
            return workdays.compute_due(start, rule, self.calendar)
        # A count of days or working days depends on the start's local date alone: computed once per
        # (rule, date) instead of walking the calendar for every case (a file has ~365 dates).
        day = (rule, workdays.to_local(start).date())
        found = self.days.get(day)
        if found is None:
            found = self.days[day] = workdays.compute_due(start, rule, self.calendar)
        return found


def plan(case: NewCase, *, actor: Any, now: dt.datetime, rules: Deadlines | None = None) -> Planned:
    """Replay the case's history through the workflow; raises wf.TransitionError (Chinese). Pass one
    ``Deadlines`` for a whole file."""
    depth = regioncode.level_of(case.region.code)
    if depth not in REGION_LEVEL:
        raise wf.TransitionError("诉求须登记到县、乡镇或村（社区）")
    if case.received_at > now + dt.timedelta(minutes=5):
        raise wf.TransitionError("受理时间不能晚于当前时间")
    suggestion = None
    rules = rules or Deadlines()
    if case.category is None:  # the category suggestion, as on every other channel (intake.register_appeal)
        found = rules.suggestion(case.title, case.text, case.region.code)
        if found is not None:
            case.category, suggestion = found[0], (found[0].code, found[1], found[2])
    cat_id = case.category.pk if case.category else None
    response = rules.due(deadlines.RESPONSE, case.kind, cat_id, case.received_at)
    resolve = rules.due(deadlines.RESOLVE, case.kind, cat_id, case.received_at)
    me = actor_key(actor)
    payload = {"kind": case.kind, "level": REGION_LEVEL[depth].value, "channel": case.channel,
               "anonymous": case.anonymous, "urgency": Urgency.NORMAL.value,
               **({"category": case.category.code} if case.category else {})}
    state, event = wf.apply(None, wf.Action("register", me, case.received_at, payload))
    a = rules.blank.new(number=f"~{uuid.uuid4().hex[:30]}", kind=case.kind, region=case.region, channel=case.channel,
                        category=case.category,
                        category_source=("model" if suggestion else "person") if case.category else "",
                        urgency=Urgency.NORMAL, sensitivity=sensitivity_of(case.kind, case.category),
                        title=case.title[:200], text=case.text, anonymous=case.anonymous, received_at=case.received_at,
                        registered_by=actor if getattr(actor, "pk", None) else None, response_due_at=response.due,
                        due_at=resolve.due, due_estimated=response.estimated or resolve.estimated,
                        source_ref=case.source_ref, updated_at=now)
    sync_columns(a, state, event, snapshot=False)
    planned = Planned(case, a, [(event, state)], suggestion)
    names = {}
    for step in case.steps:
        if step.action == "assign":
            names = {str(step.payload.get("person", "")): case.handler_name}
        state, event = wf.apply(state, wf.Action(step.action, step.by or me, step.at, dict(step.payload)))
        sync_columns(a, state, event, names, snapshot=False)
        planned.events.append((event, state))
    a.state = state_to_json(state)  # the last step's snapshot (the columns followed every step)
    a.measures = a.measures or case.measures
    a.updated_at = now
    return planned


_REPORT = ("appeal_id", "region_id", "channel", "reporter_name", "anonymous", "text", "received_at", "received_by_id")
_EVENT = ("appeal_id", "region_id", "action", "from_status", "to_status", "level", "at", "actor_id", "payload",
          "reason")
_PROGRESS = ("appeal_id", "at", "by_id", "note")


@dataclass
class Written:
    """What ``write`` stored, for the caller's search documents: the appeals, and each progress note as
    (key, appeal, at, note, by_id)."""

    appeals: list[Appeal]
    notes: list[tuple[int, Appeal, dt.datetime, str, int | None]]


def write(planned: Sequence[Planned], *, actor: Any, reason: str, batch: str,
          figures: rollup_store.Pending | None = None) -> Written:
    """Store planned cases (call inside a transaction). The rows beside the appeals (reports, events,
    progress notes, audit entries) go as plain tuples; the figures' counters are computed from the
    cases in hand and added to ``figures`` (written by its ``flush``; without it, at once)."""
    appeals = [p.appeal for p in planned]
    rows.insert(appeals, returning=True)  # bulk inserts without the ORM's per-value compiling (lib/rows)
    for a in appeals:
        a.number = appeal_number(a.region_id, a.received_at, a.pk)
    with connection.cursor() as cur:  # the numbers follow the keys: one statement for the batch
        cur.executemany(f"UPDATE {Appeal._meta.db_table} SET number = %s WHERE id = %s",
                        [(a.number, a.pk) for a in appeals])
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    pending = figures if figures is not None else rollup_store.Pending()
    reports, events, notes, entries = [], [], [], []
    for p in planned:
        a, case = p.appeal, p.case
        for name in case.reporters or [""]:
            reports.append((a.pk, a.region_id, case.channel, name[:50], case.anonymous, "", case.received_at,
                            actor_id))
        stored, steps = [], []
        for event, state in p.events:
            row, changes = event_values(event, state)
            events.append((a.pk, a.region_id, *row[:5], actor_id, *row[5:]))
            stored.append((event.action, event.at, row[5]))
            steps.append({"action": event.action, "at": event.at.isoformat(), **changes})
            if event.action == "add_progress":
                notes.append((a.pk, event.at, actor_id, str(event.payload.get("note"))))
        pending.add(rollup_store.facts_new(a, stored))  # the figures count the imported cases at once
        entries.append({"action": "appeal.import", "actor": actor, "obj": a, "reason": reason, "at": a.updated_at,
                        "changes": {"batch": batch, "source_ref": case.source_ref, "steps": steps,
                                    "state": p.events[-1][1].status.value,
                                    **({"category_suggested": {"category": p.suggested[0],
                                                               "confidence": p.suggested[1],
                                                               "model": p.suggested[2]}} if p.suggested else {})}})
    rows.insert_rows(Report, _REPORT, reports)
    rows.insert_rows(AppealEvent, _EVENT, events)
    keys = rows.insert_rows(Progress, _PROGRESS, notes, returning=True)
    by_pk = {a.pk: a for a in appeals}
    if figures is None:
        pending.flush()
    else:
        pending.batch()  # the batch's own counters now; the wider places' when the caller flushes
    record_many(entries)
    _repeats(planned, actor)
    return Written(appeals, [(k, by_pk[n[0]], n[1], n[3], n[2]) for k, n in zip(keys, notes, strict=True)])


def _repeats(planned: Sequence[Planned], actor: Any) -> None:
    """重复件 for the imported cases still open, as registration finds them (repeats.detect: the same
    place, similar text; a ledger names no household or phone), against cases received before each
    one, the file's earlier rows included (those of earlier batches and of this one: a later batch's
    rows are not written yet). Cases a ledger records as finished are history, not intake: nobody would
    decide on them, so they are not matched (decision 0042). A few statements a batch (repeats.detect_places)."""
    from . import repeats  # repeats imports transition; bulk is imported by the ledger part early

    open_groups = (wf.Group.OPEN.value, wf.Group.PAUSED.value)
    cases = sorted((p.appeal for p in planned if p.appeal.group in open_groups),
                   key=lambda a: (a.received_at, a.pk))
    repeats.detect_places(cases, actor=actor)
