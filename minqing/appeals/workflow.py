"""The appeal (诉求) lifecycle as a pure state machine: no Django, no I/O, no clock.

``apply(state, action)`` returns ``(new_state, event)`` or raises ``TransitionError`` (Chinese
message). The services layer persists the state and writes the event in one transaction. The
``ACTIONS`` table (name, label, from-states, payload fields) drives both ``apply`` and
``available_actions`` so the web and API layers can list "what can I do now".

Invariants (checked by tests/test_workflow.py over random action sequences):
- an assigned case is never closed without a verification by someone other than the handler AND
  either an answered return visit or a recorded reason (anonymous / unreachable / declined);
- event timestamps never go backwards;
- a merged case accepts nothing but ``unmerge`` and never counts in rates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from . import dispatch_flow as dispatch
from .states import (  # noqa: F401 - re-exported: callers import these from workflow
    _NEXT_LEVEL,
    BAD_LEVELS,
    CLOSE_REASON_LABELS,
    CLOSED_STATUSES,
    DEFAULT_POLICY,
    KIND_LABELS,
    LEVEL_LABELS,
    OPEN_STATUSES,
    PETITION_EXTENSION_MAX_DAYS,
    PETITION_MAX_EXTENSIONS,
    SATISFACTION_ERROR,
    SATISFACTION_ZH,
    SATISFIED_LEVELS,
    STATUS_GROUP,
    STATUS_LABELS,
    Action,
    AppealState,
    CloseReason,
    CoPart,
    Event,
    Group,
    Kind,
    Level,
    Review,
    Satisfaction,
    Status,
    TransitionError,
    WorkflowPolicy,
    counts_in_rates,
    group_of,
    is_closed,
    is_solved,
)
from .states import evolve as replace  # a fast dataclasses.replace for AppealState

# ---------------------------------------------------------------------------------------------
# Helpers


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value).strip()


def _positive_int(payload: Mapping[str, Any], key: str, label: str) -> int:
    value = payload.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TransitionError(f"{label}必须是正整数")
    return value


def _aware(value: Any, label: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TransitionError(f"{label}必须是带时区的时间")
    return value


def _extension_limits(state: AppealState, policy: WorkflowPolicy) -> tuple[int, int]:
    if state.kind is Kind.PETITION:  # the statute caps whatever the county sets
        return (min(policy.extension_max_count, PETITION_MAX_EXTENSIONS),
                min(policy.extension_max_days, PETITION_EXTENSION_MAX_DAYS))  # fmt: skip
    return policy.extension_max_count, policy.extension_max_days


def _close_pause(state: AppealState, at: datetime) -> tuple[tuple[datetime, datetime | None], ...]:
    if state.pauses and state.pauses[-1][1] is None:
        return (*state.pauses[:-1], (state.pauses[-1][0], at))
    return state.pauses


def _new_round(state: AppealState, status: Status) -> AppealState:
    """Back to handling: this round's verification and return visit no longer count."""
    return replace(state, status=status, submitted_by=None, verified_by=None, visit_answer=None,
                   visit_failures=0)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Action handlers: (state, action, policy) -> (new state, flags). Table checks ran before.

Result = tuple[AppealState, tuple[str, ...]]


def _register(_s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    try:
        kind, level = Kind(a.payload.get("kind")), Level(a.payload.get("level", Level.VILLAGE))
    except ValueError as exc:
        raise TransitionError("诉求类型或登记层级无效") from exc
    anonymous = bool(a.payload.get("anonymous", False))
    return AppealState(kind=kind, status=Status.REGISTERED, level=level, last_at=a.at,
                       anonymous=anonymous), ()  # fmt: skip


def _with_review(s: AppealState, a: Action, decision: str) -> AppealState:
    review = Review(s.level, a.actor, a.at, decision, _text(a.payload, "opinion"))
    return replace(s, reviews=(*s.reviews, review))


def _solve_on_spot(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    s = _with_review(s, a, "solve_on_spot")
    answer = a.payload.get("satisfaction")
    if answer is None:
        return replace(s, status=Status.SOLVED_ON_SPOT), ()
    try:
        sat = Satisfaction(answer)
    except ValueError as exc:
        raise TransitionError(SATISFACTION_ERROR) from exc
    return replace(s, status=Status.SOLVED_ON_SPOT, visit_answer=sat, visits=(*s.visits, sat)), ()


def _assign(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    due = _aware(a.payload.get("due"), "办理期限")
    if due <= a.at:
        raise TransitionError("办理期限必须晚于交办时间")
    if s.status in (Status.REGISTERED, Status.ESCALATED):
        s = _with_review(s, a, "assign")
    s = _new_round(s, Status.ASSIGNED)
    unit = _text(a.payload, "unit")
    if any(p.unit == unit for p in s.co_parts):
        raise TransitionError("该单位已是本件的协办单位，不能同时主办")
    return replace(s, unit=unit, handler=_text(a.payload, "person"), received_at=a.at,
                   measures=_text(a.payload, "measures"), due=due, ever_assigned=True), ()  # fmt: skip


def _explain_policy(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(_with_review(s, a, "explain"), status=Status.EXPLAINED), ()


def _escalate(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    s = _with_review(s, a, "escalate")
    return replace(s, status=Status.ESCALATED, level=_NEXT_LEVEL[s.level]), ()


_REVIEW_DECISIONS: dict[str, str] = {
    "solve_on_spot": "solve_on_spot", "assign": "assign", "explain": "explain_policy",
    "escalate": "escalate",
}  # fmt: skip


def _review(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    """研判: the decision's own action runs with the same payload; the review is recorded."""
    decision = a.payload.get("decision")
    if decision not in _REVIEW_DECISIONS:
        raise TransitionError("研判结论只能是现场解决、限期办理、政策解答或上报")
    spec = ACTIONS[_REVIEW_DECISIONS[decision]]
    return _run(spec, s, a, p)


def _add_progress(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return (replace(s, status=Status.IN_PROGRESS) if s.status is Status.ASSIGNED else s), ()


def _remind(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, remind_count=s.remind_count + 1), ()


def _supervise(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    try:
        level = Level(a.payload.get("level"))
    except ValueError as exc:
        raise TransitionError("督办层级无效") from exc
    return replace(s, supervisor=(_text(a.payload, "leader"), level)), ()


def _request_extension(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    assert s is not None
    days = _positive_int(a.payload, "days", "延期天数")
    _count, max_days = _extension_limits(s, p)
    if days > max_days:
        raise TransitionError(f"延期不得超过{max_days}日")
    return replace(s, status=Status.EXTENSION_REQUESTED, resume_status=s.status,
                   extension_pending_days=days, extension_requested_by=a.actor), ()  # fmt: skip


def _approve_extension(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None and s.extension_pending_days is not None and s.due is not None
    if a.actor in (s.extension_requested_by, s.handler):
        raise TransitionError("延期须由单位负责人审批，申请人或承办人不能自己批准")
    days = a.payload.get("days", s.extension_pending_days)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= s.extension_pending_days:
        raise TransitionError("批准的延期天数必须是正整数且不超过申请天数")
    # The services pass the new due counted in working days on the 调休 calendar (appeals/clock.py).
    due = _aware(a.payload["due"], "新的办理期限") if "due" in a.payload else s.due + timedelta(days=days)
    if due < s.due:
        raise TransitionError("延期后的期限不能早于原期限")
    return replace(s, status=s.resume_status or Status.IN_PROGRESS, resume_status=None,
                   due=due, extension_count=s.extension_count + 1,
                   extension_pending_days=None, extension_requested_by=None), ()  # fmt: skip


def _reject_extension(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, status=s.resume_status or Status.IN_PROGRESS, resume_status=None,
                   extension_pending_days=None, extension_requested_by=None), ()  # fmt: skip


def _suspend(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, status=Status.SUSPENDED, resume_status=s.status,
                   pauses=(*s.pauses, (a.at, None))), ()  # fmt: skip


def _resume(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """The due moves by the elapsed pause, unless the caller passes one computed on the
    working-day calendar (workdays.compute_due_paused with state.pauses)."""
    assert s is not None
    pauses = _close_pause(s, a.at)
    due = s.due
    if "due" in a.payload:
        due = _aware(a.payload["due"], "新的办理期限")
    elif due is not None and s.pauses:
        due = due + (a.at - s.pauses[-1][0])
    return replace(s, status=s.resume_status or Status.IN_PROGRESS, resume_status=None,
                   pauses=pauses, due=due), ()  # fmt: skip


def _submit_result(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, status=Status.AWAITING_VERIFICATION, submitted_by=a.actor), ()


def _verify(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    if a.actor in (s.handler, s.submitted_by):
        raise TransitionError("核查人不能是承办人本人")
    passed = a.payload.get("passed")
    if not isinstance(passed, bool):
        raise TransitionError("请填写核查结论（通过或不通过）")
    if passed:
        return replace(s, status=Status.AWAITING_RETURN_VISIT, verified_by=a.actor), ()
    return replace(_new_round(s, Status.IN_PROGRESS), referral=""), ()


def _return_visit(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    try:
        answer = Satisfaction(a.payload.get("satisfaction"))
    except ValueError as exc:
        raise TransitionError(SATISFACTION_ERROR) from exc
    s = replace(s, visits=(*s.visits, answer))
    # 差评 (不满意 / 非常不满意) → 重办, unless the reviewer records that it is not to be re-handled
    # (e.g. the demand is beyond policy after a re-handling); closing then flags accountability.
    if answer in BAD_LEVELS and a.payload.get("reopen", True):
        return replace(_new_round(s, Status.IN_PROGRESS), reopen_count=s.reopen_count + 1), ()
    return replace(s, status=Status.AWAITING_CLOSURE, visit_answer=answer), ()


def _return_visit_failed(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    return replace(s, visit_failures=s.visit_failures + 1), ()


def _close(s: AppealState | None, a: Action, p: WorkflowPolicy) -> Result:
    """办结. From awaiting_closure (verified + answered visit), or from awaiting_return_visit
    (verified) with a reason from the fixed list."""
    assert s is not None
    outcome = a.payload.get("outcome")
    if outcome not in ("solved", "unsolved"):
        raise TransitionError("请选择办结结果：已解决或未解决")
    reason: CloseReason | None = None
    if s.status is Status.AWAITING_RETURN_VISIT:
        try:
            reason = CloseReason(a.payload.get("reason"))
        except ValueError as exc:
            raise TransitionError("未回访办结须选择原因：匿名、多次联系不上或群众拒绝回访") from exc
        if reason is CloseReason.ANONYMOUS and not s.anonymous:
            raise TransitionError("该诉求不是匿名登记，不能以匿名为由办结")
        if reason is CloseReason.UNREACHABLE and s.visit_failures < p.return_visit_tries:
            raise TransitionError(f"回访联系不上须至少尝试{p.return_visit_tries}次后才能办结")
    note = _text(a.payload, "note")
    if outcome == "unsolved" and not note:
        raise TransitionError("未解决办结须说明原因")
    flags = []
    if outcome == "unsolved":
        flags.append("unsolved")
    if s.visit_answer in BAD_LEVELS:
        flags.append("unsatisfied")
    if s.due is not None and a.at > s.due:
        flags.append("overdue")
    status = Status.CLOSED_SOLVED if outcome == "solved" else Status.CLOSED_UNSOLVED
    if s.referral:  # a confirmed and verified 导入法定途径: closed, not ours to solve
        status = Status.REFERRED
    return replace(s, status=status, close_reason=reason, close_note=note,
                   accountability=(*s.accountability, *flags)), tuple(flags)  # fmt: skip


def _merge_into(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    target = a.payload.get("target")
    if target is None or str(target).strip() == "":
        raise TransitionError("请指定合并到的诉求")
    # Reporters move to the target in the services layer; we only record the link.
    return replace(s, status=Status.MERGED, merged_into=str(target), status_before_merge=s.status,
                   pauses=_close_pause(s, a.at)), ()  # fmt: skip


def _unmerge(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """Undo a wrong merge: the case comes back as it was (a suspended one with a new pause)."""
    assert s is not None and s.status_before_merge is not None
    back = s.status_before_merge
    pauses = (*s.pauses, (a.at, None)) if back is Status.SUSPENDED else s.pauses
    return replace(s, status=back, merged_into=None, status_before_merge=None, pauses=pauses), ()


def _reopen(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    """重新办理 (a repeat appeal after closure, the dispatcher's choice): the handled case goes back to
    its unit for a new round — a new verification and return visit before it closes again."""
    assert s is not None
    if s.unit is None:
        raise TransitionError("该诉求未曾交办，不能重新办理，请按新诉求办理")
    due = _aware(a.payload["due"], "新的办理期限") if "due" in a.payload else s.due
    return replace(_new_round(s, Status.IN_PROGRESS), reopen_count=s.reopen_count + 1, close_reason=None,
                   close_note="", due=due), ()


def _flag_accountability(s: AppealState | None, a: Action, _p: WorkflowPolicy) -> Result:
    assert s is not None
    reason = _text(a.payload, "reason")
    return replace(s, accountability=(*s.accountability, reason)), (reason,)


# ---------------------------------------------------------------------------------------------
# The table. `guard` checks what depends on the state only (shown in available_actions);
# payload and actor checks live in the handlers.

Guard = Callable[[AppealState, WorkflowPolicy], str | None]
Handler = Callable[[AppealState | None, Action, WorkflowPolicy], Result]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    label: str  # Chinese, for buttons
    from_statuses: frozenset[Status]  # empty for register (applies to no state)
    required: tuple[str, ...]
    optional: tuple[str, ...]
    handler: Handler
    guard: Guard | None = None


_TRIAGE = frozenset({Status.REGISTERED, Status.ESCALATED})
_HANDLING = frozenset({Status.ASSIGNED, Status.IN_PROGRESS})
_ACTIVE = OPEN_STATUSES  # open or paused


def _guard_escalate(s: AppealState, _p: WorkflowPolicy) -> str | None:
    return "已在县级，不能再上报" if s.level is Level.COUNTY else None


def _guard_extension(s: AppealState, p: WorkflowPolicy) -> str | None:
    count, _days = _extension_limits(s, p)
    if s.due is None:
        return "未设办理期限，无需延期"
    if s.extension_count >= count:
        return "信访事项只能延期一次" if s.kind is Kind.PETITION else f"延期次数已达上限（{count}次）"
    return None


def _guard_close(s: AppealState, _p: WorkflowPolicy) -> str | None:
    if s.verified_by is None:  # belt and braces: both from-states imply a verification
        return "未经核查不能办结"
    return dispatch.guard_co_answered(s, _p)


_SPECS = [
    ActionSpec("register", "登记", frozenset(), ("kind",),
               ("level", "channel", "text", "anonymous", "category", "urgency"), _register),
    ActionSpec("review", "研判", _TRIAGE, ("decision",), ("opinion",), _review),
    ActionSpec("solve_on_spot", "现场解决", _TRIAGE, ("what",), ("satisfaction", "opinion"), _solve_on_spot),
    ActionSpec("assign", "限期办理", _TRIAGE | _HANDLING, ("unit", "person", "measures", "due"),
               ("opinion", "co_units"), _assign),
    ActionSpec("explain_policy", "政策解答", _TRIAGE, ("text",), ("opinion",), _explain_policy),
    ActionSpec("escalate", "上报", _TRIAGE, ("reason",), ("opinion",), _escalate, _guard_escalate),
    ActionSpec("add_progress", "办理进展", _HANDLING | {Status.EXTENSION_REQUESTED}, ("note",),
               ("cost", "fund_source", "evidence"), _add_progress),
    ActionSpec("remind", "催办", _HANDLING | {Status.EXTENSION_REQUESTED, Status.SUSPENDED,
               Status.AWAITING_VERIFICATION}, (), ("note",), _remind),
    ActionSpec("supervise", "挂牌督办", _ACTIVE, ("leader", "level"), ("note",), _supervise),
    ActionSpec("request_extension", "申请延期", _HANDLING, ("days", "reason"), (),
               _request_extension, _guard_extension),
    ActionSpec("approve_extension", "批准延期", frozenset({Status.EXTENSION_REQUESTED}), (),
               ("days", "note"), _approve_extension),
    ActionSpec("reject_extension", "驳回延期", frozenset({Status.EXTENSION_REQUESTED}), ("reason",), (),
               _reject_extension),
    ActionSpec("suspend", "中止办理", _HANDLING, ("reason",), (), _suspend),
    ActionSpec("refer", "导入法定途径", _TRIAGE | _HANDLING | {Status.SUSPENDED},
               ("body", "reason"), ("note",), dispatch.refer),
    ActionSpec("confirm_refer", "确认导入法定途径", frozenset({Status.REFER_PROPOSED}), (), ("note",),
               dispatch.confirm_refer, dispatch.guard_co_answered),
    ActionSpec("reject_refer", "不同意导入法定途径", frozenset({Status.REFER_PROPOSED}), ("reason",), (),
               dispatch.reject_refer),
    ActionSpec("add_co_unit", "协办", _HANDLING, ("unit", "part"), ("due",), dispatch.add_co_unit),
    ActionSpec("co_reply", "协办答复", _HANDLING | {Status.EXTENSION_REQUESTED, Status.SUSPENDED,
               Status.RETURN_REQUESTED, Status.REFER_PROPOSED}, ("unit", "reply"), (), dispatch.co_reply,
               dispatch.guard_co_open),
    ActionSpec("return", "退单", _HANDLING, ("reason",), ("unit",), dispatch.return_case),
    ActionSpec("approve_return", "同意退单（改派）", _HANDLING | {Status.RETURN_REQUESTED, Status.EXTENSION_REQUESTED,
               Status.SUSPENDED}, (), ("returned_unit", "unit", "person", "measures", "due", "opinion"),
               dispatch.approve_return, dispatch.guard_return_pending),
    ActionSpec("reject_return", "驳回退单", _HANDLING | {Status.RETURN_REQUESTED, Status.EXTENSION_REQUESTED,
               Status.SUSPENDED}, ("reason",), ("returned_unit",), dispatch.reject_return,
               dispatch.guard_return_pending),
    ActionSpec("transfer", "转办", _HANDLING, ("unit", "person", "reason"), ("due",), dispatch.transfer),
    ActionSpec("request_recheck", "申请复查", frozenset(CLOSED_STATUSES) - {Status.REFERRED, Status.SOLVED_ON_SPOT},
               ("reason",), (), dispatch.request_recheck, dispatch.guard_recheck),
    ActionSpec("recheck", "复查意见", frozenset({Status.RECHECKING}), ("outcome", "opinion"), (),
               dispatch.review_decision),
    ActionSpec("request_reexamine", "申请复核", frozenset(CLOSED_STATUSES) - {Status.REFERRED, Status.SOLVED_ON_SPOT},
               ("reason",), (), dispatch.request_reexamine, dispatch.guard_reexamine),
    ActionSpec("reexamine", "复核意见", frozenset({Status.REEXAMINING}), ("outcome", "opinion"), (),
               dispatch.review_decision),
    ActionSpec("resume", "恢复办理", frozenset({Status.SUSPENDED}), (), ("due", "note"), _resume),
    ActionSpec("submit_result", "报结", _HANDLING, ("result",), ("evidence",), _submit_result,
               dispatch.guard_co_answered),
    ActionSpec("verify", "核查", frozenset({Status.AWAITING_VERIFICATION}), ("passed",), ("note",), _verify),
    ActionSpec("return_visit", "回访", frozenset({Status.AWAITING_RETURN_VISIT}), ("satisfaction",),
               ("method", "note", "reopen", "cadre_rating"), _return_visit),
    ActionSpec("return_visit_failed", "回访未联系上", frozenset({Status.AWAITING_RETURN_VISIT}), (),
               ("method", "note"), _return_visit_failed),
    ActionSpec("close", "办结", frozenset({Status.AWAITING_RETURN_VISIT, Status.AWAITING_CLOSURE}),
               ("outcome",), ("reason", "note", "told"), _close, _guard_close),
    ActionSpec("merge_into", "合并", _ACTIVE, ("target",), ("note",), _merge_into),
    ActionSpec("unmerge", "取消合并", frozenset({Status.MERGED}), ("reason",), (), _unmerge),
    ActionSpec("reopen", "重新办理", frozenset({Status.CLOSED_SOLVED, Status.CLOSED_UNSOLVED}), ("reason",),
               ("due",), _reopen),
    ActionSpec("flag_accountability", "追责问责", frozenset(STATUS_GROUP) - {Status.MERGED}, ("reason",),
               ("persons",), _flag_accountability),
]  # fmt: skip
ACTIONS: Mapping[str, ActionSpec] = MappingProxyType({spec.name: spec for spec in _SPECS})


# Chinese names of payload fields, for error messages and form labels.
FIELD_LABELS: Mapping[str, str] = MappingProxyType({
    "kind": "诉求类型", "level": "层级", "channel": "来源渠道", "text": "内容", "anonymous": "匿名",
    "category": "类别", "urgency": "紧急程度", "decision": "研判结论", "opinion": "研判意见",
    "what": "现场处理情况", "satisfaction": "满意度", "unit": "承办单位", "person": "责任人",
    "measures": "办理措施", "due": "办理期限", "reason": "理由", "note": "说明", "cost": "费用",
    "fund_source": "资金来源", "evidence": "佐证材料", "leader": "督办领导", "days": "延期天数",
    "result": "办理结果", "passed": "核查结论", "method": "回访方式", "reopen": "是否重办",
    "cadre_rating": "对承办干部的评价",
    "outcome": "办结结果", "target": "合并到的诉求", "persons": "责任人员", "told": "告知结果方式",
    "body": "导入途径（接收机关）",
    "part": "协办事项", "reply": "协办答复", "returned_unit": "退单单位", "co_units": "协办单位",
})  # fmt: skip


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _run(spec: ActionSpec, state: AppealState | None, action: Action, policy: WorkflowPolicy) -> Result:
    if spec.name == "register":
        if state is not None:
            raise TransitionError("诉求已登记")
    elif state is None:
        raise TransitionError("诉求尚未登记")
    elif state.status not in spec.from_statuses:
        raise TransitionError(f"当前状态“{STATUS_LABELS[state.status]}”下不能{spec.label}")
    elif spec.guard is not None and (msg := spec.guard(state, policy)) is not None:
        raise TransitionError(msg)
    missing = [f for f in spec.required if _missing(action.payload.get(f))]
    if missing:
        raise TransitionError(f"{spec.label}缺少必填项：{'、'.join(FIELD_LABELS.get(f, f) for f in missing)}")
    return spec.handler(state, action, policy)


def apply(
    state: AppealState | None, action: Action, policy: WorkflowPolicy = DEFAULT_POLICY
) -> tuple[AppealState, Event]:
    """Apply one action; returns the new state and the event to record, or raises TransitionError."""
    spec = ACTIONS.get(action.name)
    if spec is None:
        raise TransitionError(f"未知操作：{action.name}")
    at = _aware(action.at, "操作时间")
    if not action.actor or not str(action.actor).strip():
        raise TransitionError("缺少操作人")
    if state is not None and at < state.last_at:
        raise TransitionError("操作时间不能早于上一条记录")
    new, flags = _run(spec, state, action, policy)
    new = replace(new, last_at=at, closed_at=dispatch.closed_at_of(state, new, at))
    event = Event(action.name, action.actor, at, state.status if state else None, new.status,
                  MappingProxyType(dict(action.payload)), flags)  # fmt: skip
    return new, event


def available_actions(state: AppealState | None, policy: WorkflowPolicy = DEFAULT_POLICY) -> list[str]:
    """Names of the actions the state allows now (payload and actor checks still apply)."""
    if state is None:
        return ["register"]
    return [
        spec.name
        for spec in _SPECS
        if state.status in spec.from_statuses and (spec.guard is None or spec.guard(state, policy) is None)
    ]
