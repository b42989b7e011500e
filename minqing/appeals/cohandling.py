"""The dispatch actions as services (one atomic function each, through transition.py so every one
writes its event and audit entry and calls hooks.changed): 协办, 退单 and its review (改派 / 驳回),
转办, the dispatcher's word on a proposed 导入法定途径, and 复查/复核 of petitions.

Units are keyed in the workflow by their pk (as ``assign`` does). Who a 退单 or a 协办答复 is for is
inferred from the actor's own units when not named: a co-unit's staff act for their part, the lead
unit's for the case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minqing.accounts.models import Unit, User
from minqing.regions import jurisdiction

from . import access, deadlines
from . import workflow as wf
from .models import Appeal
from .snapshot import state_from_json
from .transition import locked_now
from .transition import transition as _transition


def _unit_key(value: Any, label: str = "单位") -> str:
    unit = value if isinstance(value, Unit) else Unit.objects.filter(
        pk=value if str(value).isdigit() else -1, is_active=True).first()
    if unit is None:
        raise ValidationError(f"{label}不存在或已停用")
    return str(unit.pk)


def _person(value: Any) -> tuple[str, dict[str, str]]:
    if isinstance(value, User) or str(value).isdigit():
        user = value if isinstance(value, User) else User.objects.filter(pk=int(value), is_active=True).first()
        if user is None:
            raise ValidationError("责任人不存在")
        return str(user.pk), {str(user.pk): str(user)}
    name = str(value or "").strip()
    if not name:
        raise ValidationError("请填写责任人")
    return name, {}


def _due(value: Any) -> dt.datetime | None:
    from .services import _aware  # the one parser of typed dates (a date alone: end of that day)

    return None if value in (None, "") else _aware(value, "办理期限")


def inferred_unit(actor: Any, row: Appeal) -> str:
    """The unit a 退单 / 协办答复 with no unit named is for: the actor's co-unit part, else the lead
    (the page's forms never name one, so this is also what the page offers the actor)."""
    state = state_from_json(row.state)
    co = [p.unit for p in state.co_parts] if state else []
    mine = jurisdiction.scope_of(actor).unit_ids if actor is not None else frozenset()
    return next((u for u in co if int(u) in mine and int(u) != row.unit_id), str(row.unit_id or ""))


def _acting_unit(actor: Any, row: Appeal, unit: Any) -> str:
    """The unit a 退单 / 协办答复 is for: the one named, else ``inferred_unit``."""
    state = state_from_json(row.state)
    co = [p.unit for p in state.co_parts] if state else []
    key = _unit_key(unit) if unit not in (None, "") else inferred_unit(actor, row)
    if key in co and key != str(row.unit_id) and actor is not None:
        scope = jurisdiction.scope_of(actor)
        if not (scope.is_superuser or int(key) in scope.unit_ids or access.may_act(scope, row, "transfer")):
            raise PermissionDenied("只有该协办单位的人员可以办理其协办事项")
    return key


@transaction.atomic
def do_add_co_unit(appeal: Appeal, *, actor, unit: Unit | int | str, part: str, due: Any = None,
                   now: dt.datetime | None = None) -> Appeal:
    """协办: one more unit with its own part and deadline (default: the lead's)."""
    row, now = locked_now(appeal, now)
    payload = {"unit": _unit_key(unit, "协办单位"), "part": part, "due": _due(due)}
    return _transition(appeal, "add_co_unit", actor=actor, payload=payload, now=now, row=row)


@transaction.atomic
def do_co_reply(appeal: Appeal, *, actor, reply: str, unit: Unit | int | str | None = None,
                now: dt.datetime | None = None) -> Appeal:
    """协办答复: a co-unit answers its part; the lead reports the case handled once all have."""
    row, now = locked_now(appeal, now)
    payload = {"unit": _acting_unit(actor, row, unit), "reply": reply}
    return _transition(appeal, "co_reply", actor=actor, payload=payload, now=now, row=row)


@transaction.atomic
def do_return(appeal: Appeal, *, actor, reason: str, unit: Unit | int | str | None = None,
              now: dt.datetime | None = None) -> Appeal:
    """退单: a unit returns a wrongly assigned case (or its part) within the county's working days."""
    row, now = locked_now(appeal, now)
    payload = {"unit": _acting_unit(actor, row, unit), "reason": reason}
    return _transition(appeal, "return", actor=actor, payload=payload, now=now, row=row)


@transaction.atomic
def do_approve_return(appeal: Appeal, *, actor, unit: Unit | int | str | None = None,
                      person: User | int | str | None = None, measures: str = "", due: Any = None,
                      returned_unit: Unit | int | str | None = None, opinion: str = "",
                      now: dt.datetime | None = None) -> Appeal:
    """同意退单 → 改派: the lead's case to a new unit and person (a new deadline from the county's rule
    when none is given), or a co-unit's part to another unit (dropped when none is named)."""
    row, now = locked_now(appeal, now)
    state = state_from_json(row.state)
    payload: dict[str, Any] = {"opinion": opinion, "measures": measures or None,
                               "returned_unit": _unit_key(returned_unit) if returned_unit not in (None, "") else None}
    names = None
    if unit not in (None, ""):
        payload["unit"] = _unit_key(unit, "改派单位")
    lead = state is not None and state.status is wf.Status.RETURN_REQUESTED and (
        payload["returned_unit"] in (None, state.unit))
    if lead:
        if person in (None, ""):
            raise ValidationError("改派须填写新的责任人")
        payload["person"], names = _person(person)
        payload["due"] = _due(due) or deadlines.due_for(
            deadlines.RESOLVE, kind=row.kind, category_id=row.category_id, urgency=row.urgency, start=now).due
    else:
        payload["due"] = _due(due)
    return _transition(appeal, "approve_return", actor=actor, payload=payload, now=now, names=names, row=row)


@transaction.atomic
def do_reject_return(appeal: Appeal, *, actor, reason: str, returned_unit: Unit | int | str | None = None,
                     now: dt.datetime | None = None) -> Appeal:
    """驳回退单: back to the unit; its deadline stays where it was."""
    row, now = locked_now(appeal, now)
    payload = {"reason": reason,
               "returned_unit": _unit_key(returned_unit) if returned_unit not in (None, "") else None}
    return _transition(appeal, "reject_return", actor=actor, payload=payload, now=now, row=row)


@transaction.atomic
def do_transfer(appeal: Appeal, *, actor, unit: Unit | int | str, person: User | int | str, reason: str,
                due: Any = None, now: dt.datetime | None = None) -> Appeal:
    """转办: the dispatcher moves the case to another unit; the deadline runs on unless a new one is set."""
    row, now = locked_now(appeal, now)
    key, (person_key, names) = _unit_key(unit, "转办单位"), _person(person)
    payload = {"unit": key, "person": person_key, "reason": reason, "due": _due(due)}
    return _transition(appeal, "transfer", actor=actor, payload=payload, now=now, names=names, row=row)


@transaction.atomic
def do_confirm_refer(appeal: Appeal, *, actor, note: str = "", now: dt.datetime | None = None) -> Appeal:
    """The dispatcher confirms a proposed 导入法定途径; it still goes to verification and a return visit."""
    return _transition(appeal, "confirm_refer", actor=actor, payload={"note": note}, now=now)


@transaction.atomic
def do_reject_refer(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    return _transition(appeal, "reject_refer", actor=actor, payload={"reason": reason}, now=now)


@transaction.atomic
def do_request_recheck(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    """申请复查 (信访工作条例 §35): within 30 days of the answer; the level above decides within 30 days."""
    return _transition(appeal, "request_recheck", actor=actor, payload={"reason": reason}, now=now)


@transaction.atomic
def do_recheck(appeal: Appeal, *, actor, outcome: str, opinion: str, now: dt.datetime | None = None) -> Appeal:
    """复查意见."""
    return _transition(appeal, "recheck", actor=actor, payload={"outcome": outcome, "opinion": opinion}, now=now)


@transaction.atomic
def do_request_reexamine(appeal: Appeal, *, actor, reason: str, now: dt.datetime | None = None) -> Appeal:
    """申请复核: within 30 days of the 复查意见, one level further up; its opinion is final."""
    return _transition(appeal, "request_reexamine", actor=actor, payload={"reason": reason}, now=now)


@transaction.atomic
def do_reexamine(appeal: Appeal, *, actor, outcome: str, opinion: str, now: dt.datetime | None = None) -> Appeal:
    """复核意见 (final)."""
    return _transition(appeal, "reexamine", actor=actor, payload={"outcome": outcome, "opinion": opinion}, now=now)


ACTIONS = {
    "add_co_unit": do_add_co_unit, "co_reply": do_co_reply, "return": do_return,
    "approve_return": do_approve_return, "reject_return": do_reject_return, "transfer": do_transfer,
    "confirm_refer": do_confirm_refer, "reject_refer": do_reject_refer, "request_recheck": do_request_recheck,
    "recheck": do_recheck, "request_reexamine": do_request_reexamine, "reexamine": do_reexamine,
}  # fmt: skip
