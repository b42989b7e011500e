"""The dispatch actions of the pure workflow (国办函〔2025〕66号): 协办 parts, 退单 with review, 转办,
导入法定途径 as a proposal, and 复查/复核 of petitions. No Django, no I/O; workflow.py puts these
handlers in its ACTIONS table and runs the table checks before them.

Invariants these keep (tests/appeals/test_dispatch_stateful.py):
- a case with a co-unit that has not answered is never reported handled, confirmed referred or closed;
- a rejected 退单 leaves the deadline where it was (the clock is never reset by it);
- a referral closes only through verification by someone other than the handler, like every closure;
- a 复查/复核 decision is never taken by the case's handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from minqing.lib import workdays

from .states import (
    _NEXT_LEVEL,
    Action,
    AppealState,
    CoPart,
    Kind,
    Level,
    Status,
    TransitionError,
    WorkflowPolicy,
)

Result = tuple[AppealState, tuple[str, ...]]


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value).strip()


def _due(payload: Mapping[str, Any], key: str, at: datetime, default: datetime | None) -> datetime | None:
    value = payload.get(key)
    if value is None:
        return default
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TransitionError("办理期限必须是带时区的时间")
    if value <= at:
        raise TransitionError("办理期限必须晚于当前时间")
    return value


def _window_end(since: datetime, p: WorkflowPolicy) -> datetime:
    return p.cal().add_workdays(workdays.to_local(since), p.return_days).due


def _part_index(s: AppealState, unit: str) -> int:
    for i, part in enumerate(s.co_parts):
        if part.unit == unit:
            return i
    raise TransitionError("该单位不是本件的协办单位")


def _with_part(s: AppealState, i: int, part: CoPart | None) -> AppealState:
    parts = list(s.co_parts)
    if part is None:
        parts.pop(i)
    else:
        parts[i] = part
    return replace(s, co_parts=tuple(parts))


# --- 协办 ---------------------------------------------------------------------------------------


def add_co_unit(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    unit = _text(a.payload, "unit")
    if unit == s.unit:
        raise TransitionError("主办单位不能同时是协办单位")
    if any(p.unit == unit for p in s.co_parts):
        raise TransitionError("该单位已是本件的协办单位")
    due = _due(a.payload, "due", a.at, s.due)
    if due is None:
        raise TransitionError("请填写协办期限")
    part = CoPart(unit=unit, part=_text(a.payload, "part"), due=due, since=a.at)
    return replace(s, co_parts=(*s.co_parts, part)), ()


def co_reply(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    i = _part_index(s, _text(a.payload, "unit"))
    part = s.co_parts[i]
    if part.answered:
        raise TransitionError("该协办单位已经答复")
    if part.return_reason:
        raise TransitionError("该协办单位的退单正在审核，审核后再答复")
    flags = ("co_overdue",) if a.at > part.due else ()
    return _with_part(s, i, replace(part, reply=_text(a.payload, "reply"), answered_at=a.at)), flags


# --- 退单 / 改派 / 转办 ---------------------------------------------------------------------------


def return_case(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    """退单: the lead unit (no ``unit`` in the payload, or its own) or a co-unit returns its part,
    within ``policy.return_days`` working days of receiving it."""
    assert s is not None
    reason = _text(a.payload, "reason")
    unit = _text(a.payload, "unit") or (s.unit or "")
    if unit == s.unit:
        if s.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
            raise TransitionError("只有限期办理或办理中的诉求可以退单")
        since = s.received_at or s.last_at
        if a.at > _window_end(since, p):
            raise TransitionError(f"已超过退单时限（收到后{p.return_days}个工作日内）")
        return replace(s, status=Status.RETURN_REQUESTED, resume_status=s.status, return_reason=reason), ()
    i = _part_index(s, unit)
    part = s.co_parts[i]
    if part.answered or part.return_reason:
        raise TransitionError("该协办单位已答复或已申请退单")
    if a.at > _window_end(part.since, p):
        raise TransitionError(f"已超过退单时限（收到后{p.return_days}个工作日内）")
    return _with_part(s, i, replace(part, return_reason=reason)), ()


def _pending_unit(s: AppealState, payload: Mapping[str, Any]) -> str:
    """Whose 退单 is decided: the one named, else the lead's, else the only pending co-unit's."""
    named = _text(payload, "returned_unit")
    if named:
        return named
    if s.status is Status.RETURN_REQUESTED:
        return s.unit or ""
    pending = [p.unit for p in s.co_parts if p.return_reason]
    if len(pending) != 1:
        raise TransitionError("没有待审核的退单" if not pending else "请指明审核哪个单位的退单")
    return pending[0]


def approve_return(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """改派: the lead's case goes to the new unit and person (a new deadline only when given), or a
    co-unit's part goes to the new unit (dropped when none is named)."""
    assert s is not None
    unit = _pending_unit(s, a.payload)
    new_unit = _text(a.payload, "unit")
    if unit == s.unit and s.status is Status.RETURN_REQUESTED:
        person = _text(a.payload, "person")
        if not new_unit or not person:
            raise TransitionError("批准退单须改派：请填写新的承办单位和责任人")
        if new_unit == s.unit:
            raise TransitionError("改派须换一个单位")
        if any(cp.unit == new_unit for cp in s.co_parts):
            raise TransitionError("新的承办单位已是本件的协办单位")
        due = _due(a.payload, "due", a.at, s.due)
        return replace(s, status=Status.ASSIGNED, resume_status=None, return_reason="", unit=new_unit,
                       handler=person, due=due, received_at=a.at,
                       measures=_text(a.payload, "measures") or s.measures), ()  # fmt: skip
    i = _part_index(s, unit)
    part = s.co_parts[i]
    if not part.return_reason:
        raise TransitionError("该单位没有待审核的退单")
    if not new_unit:
        return _with_part(s, i, None), ()
    if new_unit == s.unit or any(cp.unit == new_unit for cp in s.co_parts):
        raise TransitionError("改派的单位已是本件的主办或协办单位")
    due = _due(a.payload, "due", a.at, part.due)
    assert due is not None
    return _with_part(s, i, CoPart(unit=new_unit, part=part.part, due=due, since=a.at)), ()


def reject_return(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """Back to the unit: the deadline and the receipt time stay as they were."""
    assert s is not None
    unit = _pending_unit(s, a.payload)
    if unit == s.unit and s.status is Status.RETURN_REQUESTED:
        return replace(s, status=s.resume_status or Status.IN_PROGRESS, resume_status=None, return_reason=""), ()
    i = _part_index(s, unit)
    if not s.co_parts[i].return_reason:
        raise TransitionError("该单位没有待审核的退单")
    return _with_part(s, i, replace(s.co_parts[i], return_reason="")), ()


def transfer(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """转办: the dispatcher moves the case to another unit; the deadline runs on unless a new one is set."""
    assert s is not None
    unit = _text(a.payload, "unit")
    if unit == s.unit:
        raise TransitionError("转办须换一个单位")
    if any(cp.unit == unit for cp in s.co_parts):
        raise TransitionError("该单位已是本件的协办单位")
    due = _due(a.payload, "due", a.at, s.due)
    return replace(s, status=Status.ASSIGNED, unit=unit, handler=_text(a.payload, "person"), due=due,
                   received_at=a.at, submitted_by=None, verified_by=None), ()  # fmt: skip


# --- 导入法定途径 --------------------------------------------------------------------------------


def _close_pause(s: AppealState, at: datetime) -> tuple[tuple[datetime, datetime | None], ...]:
    if s.pauses and s.pauses[-1][1] is None:
        return (*s.pauses[:-1], (s.pauses[-1][0], at))
    return s.pauses


def refer(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """At review the dispatcher's own decision goes straight to verification; a handling unit's is a
    proposal the dispatcher confirms. Either way someone else verifies before it closes."""
    assert s is not None
    body = _text(a.payload, "body")
    if s.status in (Status.REGISTERED, Status.ESCALATED):
        return replace(s, status=Status.AWAITING_VERIFICATION, referral=body, submitted_by=a.actor,
                       verified_by=None), ()  # fmt: skip
    resume = Status.IN_PROGRESS if s.status is Status.SUSPENDED else s.status
    return replace(s, status=Status.REFER_PROPOSED, referral=body, resume_status=resume,
                   pauses=_close_pause(s, a.at), submitted_by=a.actor), ()  # fmt: skip


def confirm_refer(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    if a.actor in (s.submitted_by, s.handler):
        raise TransitionError("导入法定途径须由交办层级确认，提出人或承办人不能自己确认")
    return replace(s, status=Status.AWAITING_VERIFICATION, resume_status=None), ()


def reject_refer(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, status=s.resume_status or Status.IN_PROGRESS, resume_status=None, referral="",
                   submitted_by=None), ()  # fmt: skip


# --- 复查 / 复核 (信访工作条例 §35) -------------------------------------------------------------------


def _request_review(s: AppealState, a: Action, p: WorkflowPolicy, stage: int, ask: workdays.DeadlinePolicy,
                    decide: workdays.DeadlinePolicy, status: Status, name: str) -> Result:
    if s.kind is not Kind.PETITION:
        raise TransitionError(f"只有信访事项可以申请{name}")
    if s.closed_at is not None:
        window = workdays.compute_due(s.closed_at, ask, p.cal()).due
        if a.at > window:
            raise TransitionError(f"已超过申请{name}的期限（收到答复之日起{ask.amount}日内）")
    due = workdays.compute_due(a.at, decide, p.cal()).due
    level = _NEXT_LEVEL.get(s.level, Level.COUNTY)
    return replace(s, status=status, review_stage=stage, level=level, due=due, resume_status=s.status,
                   verified_by=None, visit_answer=None), ()  # fmt: skip


def request_recheck(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    assert s is not None
    return _request_review(s, a, p, 1, workdays.PETITION_REVIEW_REQUEST, workdays.PETITION_REVIEW_DECISION,
                           Status.RECHECKING, "复查")


def request_reexamine(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    assert s is not None
    return _request_review(s, a, p, 2, workdays.PETITION_REREVIEW_REQUEST,
                           workdays.PETITION_REREVIEW_DECISION, Status.REEXAMINING, "复核")


def review_decision(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """复查意见 / 复核意见: the body above decides (never the handler); the case closes again."""
    assert s is not None
    if a.actor in (s.handler, s.submitted_by):
        raise TransitionError("复查、复核意见须由上一级机关作出，承办人不能自己作出")
    outcome = a.payload.get("outcome")
    if outcome not in ("solved", "unsolved"):
        raise TransitionError("请选择结果：已解决或未解决")
    status = Status.CLOSED_SOLVED if outcome == "solved" else Status.CLOSED_UNSOLVED
    flags = ("overdue",) if s.due is not None and a.at > s.due else ()
    return replace(s, status=status, resume_status=None, verified_by=a.actor), flags


def guard_co_answered(s: AppealState, _p: WorkflowPolicy) -> str | None:
    if s.pending_co_parts:
        return f"还有{len(s.pending_co_parts)}个协办单位尚未答复"
    return None


def guard_return_pending(s: AppealState, _p: WorkflowPolicy) -> str | None:
    if s.status is Status.RETURN_REQUESTED or any(p.return_reason for p in s.co_parts):
        return None
    return "没有待审核的退单"


def guard_co_open(s: AppealState, _p: WorkflowPolicy) -> str | None:
    return None if any(not p.answered and not p.return_reason for p in s.co_parts) else "没有待答复的协办事项"


def guard_recheck(s: AppealState, _p: WorkflowPolicy) -> str | None:
    if s.kind is not Kind.PETITION:
        return "只有信访事项可以申请复查"
    return None if s.review_stage == 0 else "已申请过复查"


def guard_reexamine(s: AppealState, _p: WorkflowPolicy) -> str | None:
    if s.kind is not Kind.PETITION:
        return "只有信访事项可以申请复核"
    return None if s.review_stage == 1 else "须先经复查，且复核只能申请一次"


def closed_at_of(old: AppealState | None, new: AppealState, at: datetime) -> datetime | None:
    """When the case (last) closed: the moment it entered a closed status, kept while closed."""
    from .states import CLOSED_STATUSES

    if new.status in CLOSED_STATUSES:
        return old.closed_at if old is not None and old.status in CLOSED_STATUSES and old.closed_at else at
    return new.closed_at

