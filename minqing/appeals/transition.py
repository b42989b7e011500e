"""One workflow step on one appeal: lock the row, read the clock, apply, write, tell the parts above.

The clock is read AFTER the row lock: a request that waited for another one's lock acts later than
that one's event, so the workflow does not refuse it with "操作时间不能早于上一条记录".
Several rows are always locked in one order (by id), so two opposite merges cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.audit.log import record
from minqing.regions import jurisdiction

from . import access, dispatch, hooks, rollup_store
from . import workflow as wf
from .models import Appeal, AppealEvent
from .snapshot import POLICY, actor_key, audit_changes, event_row, state_from_json, sync_columns


def write_events(a: Appeal, event: wf.Event, actor: Any, state: wf.AppealState) -> AppealEvent:
    row = event_row(a, event, getattr(actor, "pk", None), state)
    row.save(force_insert=True)
    record(f"appeal.{event.action}", actor=actor, obj=a, changes=audit_changes(event),
           reason=row.reason, at=event.at)
    return row


def check(actor: Any, appeal: Appeal, action: str) -> None:
    if actor is None:
        return  # system jobs (sweep, import) act with no person
    if not access.may_act(jurisdiction.scope_of(actor), appeal, action):
        raise PermissionDenied(f"您的岗位不能对该诉求执行“{wf.ACTIONS[action].label}”")


def lock(*appeals: Appeal | int) -> dict[int, Appeal]:
    """Lock the rows one by one in id order (callers inside a transaction), fresh from the database."""
    pks = sorted({getattr(a, "pk", a) for a in appeals})
    rows = {pk: Appeal.objects.select_for_update().get(pk=pk) for pk in pks}
    rollup_store.watch(*pks)  # the roll-ups' "before" (settled by notify)
    return rows


def locked_now(appeal: Appeal, now: dt.datetime | None) -> tuple[Appeal, dt.datetime]:
    """The locked row and the action time read after the lock (a caller's explicit time wins)."""
    row = lock(appeal)[appeal.pk]
    return row, now or timezone.now()


def copy_into(target: Appeal, source: Appeal) -> Appeal:
    for f in Appeal._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    return target


def apply(appeal: Appeal, name: str, *, actor: Any, payload: Mapping[str, Any], now: dt.datetime | None,
          names: Mapping[str, str] | None = None, after: Callable[[Appeal, wf.AppealState], None] | None = None,
          row: Appeal | None = None) -> tuple[Appeal, AppealEvent]:
    """The step without telling the parts above (callers that write more rows tell them after)."""
    if row is None:
        row = lock(appeal)[appeal.pk]
    now = now or timezone.now()
    check(actor, row, name)
    state = state_from_json(row.state)
    clean = {k: v for k, v in payload.items() if v is not None}
    try:
        new, event = wf.apply(state, wf.Action(name, actor_key(actor), now, clean),
                              dispatch.policy_for(row, name, POLICY))
    except wf.TransitionError as exc:
        raise ValidationError(str(exc)) from exc
    sync_columns(row, new, event, names)
    row.version += 1
    if after is not None:
        after(row, new)
    row.save()
    if new.co_parts or (state is not None and state.co_parts):
        dispatch.sync_co_units(row, new)
    written = write_events(row, event, actor, new)
    return copy_into(appeal, row), written


def notify(appeal: Appeal, action: str, *, actor: Any, at: dt.datetime, event: AppealEvent | None = None,
           created: bool = False, report: Any = None, progress: Any = None,
           before: Mapping[str, Any] | None = None) -> None:
    if created or rollup_store.tracked(appeal.pk):  # the figures follow in the same transaction; a
        rollup_store.settle(appeal.pk, created=created)  # notice with no lock (附议) changed no column of it
    hooks.changed(hooks.Change(appeal=appeal, action=action, actor=actor, at=at, created=created, event=event,
                               report=report, progress=progress, before=dict(before or {})))


def transition(appeal: Appeal, name: str, *, actor: Any, payload: Mapping[str, Any], now: dt.datetime | None,
               names: Mapping[str, str] | None = None,
               after: Callable[[Appeal, wf.AppealState], None] | None = None, row: Appeal | None = None) -> Appeal:
    result, event = apply(appeal, name, actor=actor, payload=payload, now=now, names=names, after=after, row=row)
    notify(result, name, actor=actor, at=event.at, event=event)
    return result

