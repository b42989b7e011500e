"""The appeal's states, kinds, levels and groups, and the snapshot the workflow decides on: plain data,
no Django, no I/O (workflow.py holds the transitions and re-exports every name here)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any

from minqing.lib import workdays


class TransitionError(Exception):
    """An action is not allowed now; the message is Chinese and safe to show to the user."""


class Kind(StrEnum):
    PROBLEM = "problem"  # 问题
    SUGGESTION = "suggestion"  # 意见建议
    PETITION = "petition"  # 信访事项
    DISPUTE = "dispute"  # 矛盾纠纷
    MISCONDUCT = "misconduct"  # 举报
    HELP = "help"  # 求助
    CONSULTATION = "consultation"  # 咨询


KIND_LABELS = {
    Kind.PROBLEM: "问题", Kind.SUGGESTION: "意见建议", Kind.PETITION: "信访事项",
    Kind.DISPUTE: "矛盾纠纷", Kind.MISCONDUCT: "举报", Kind.HELP: "求助", Kind.CONSULTATION: "咨询",
}  # fmt: skip


class Level(StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"


LEVEL_LABELS = {Level.VILLAGE: "村", Level.TOWNSHIP: "乡镇", Level.COUNTY: "县"}
_NEXT_LEVEL = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.COUNTY}


class Group(StrEnum):
    """Fixed groups every status belongs to; statistics work on groups, never on raw statuses."""

    OPEN = "open"  # the clock runs
    PAUSED = "paused"  # the clock stops
    SOLVED = "solved"  # closed and solved
    CLOSED_UNSOLVED = "closed_unsolved"  # closed, not solved (incl. 政策解答, counted apart)
    MERGED = "merged"  # folded into another case: excluded from every count


class Status(StrEnum):
    REGISTERED = "registered"  # 登记, awaiting review at its level
    ESCALATED = "escalated"  # 上报, awaiting review at the (higher) current level
    ASSIGNED = "assigned"  # 限期办理: unit, named person, measures, due
    IN_PROGRESS = "in_progress"  # 办理中
    EXTENSION_REQUESTED = "extension_requested"  # 延期申请中 (clock keeps running)
    SUSPENDED = "suspended"  # 中止/缓办 (approved; clock stopped)
    AWAITING_VERIFICATION = "awaiting_verification"  # 待核查
    AWAITING_RETURN_VISIT = "awaiting_return_visit"  # 已核查, 待回访
    AWAITING_CLOSURE = "awaiting_closure"  # 已回访, 待办结
    CLOSED_SOLVED = "closed_solved"  # 办结(已解决)
    SOLVED_ON_SPOT = "solved_on_spot"  # 现场解决/立行立改
    EXPLAINED = "explained"  # 政策解答: closed, not solved
    CLOSED_UNSOLVED = "closed_unsolved"  # 办结(未解决), reason recorded
    REFERRED = "referred"  # 导入法定途径: court, arbitration, reconsideration … (not ours to solve)
    MERGED = "merged"  # 已合并
    RETURN_REQUESTED = "return_requested"  # 退单待审核 (the lead unit asked; clock keeps running)
    REFER_PROPOSED = "refer_proposed"  # 导入法定途径待确认 (the handler proposed; the dispatcher confirms)
    RECHECKING = "rechecking"  # 复查中 (信访: the level above the handling body reviews its answer)
    REEXAMINING = "reexamining"  # 复核中 (信访: one level further up, final)


STATUS_LABELS = {
    Status.REGISTERED: "已登记", Status.ESCALATED: "已上报待研判", Status.ASSIGNED: "限期办理",
    Status.IN_PROGRESS: "办理中", Status.EXTENSION_REQUESTED: "延期申请中", Status.SUSPENDED: "中止办理",
    Status.AWAITING_VERIFICATION: "待核查", Status.AWAITING_RETURN_VISIT: "待回访",
    Status.AWAITING_CLOSURE: "待办结", Status.CLOSED_SOLVED: "已办结(解决)",
    Status.SOLVED_ON_SPOT: "现场解决", Status.EXPLAINED: "政策解答", Status.CLOSED_UNSOLVED: "已办结(未解决)",
    Status.REFERRED: "已导入法定途径", Status.MERGED: "已合并", Status.RETURN_REQUESTED: "退单待审核",
    Status.REFER_PROPOSED: "导入法定途径待确认", Status.RECHECKING: "复查中", Status.REEXAMINING: "复核中",
}  # fmt: skip

STATUS_GROUP: Mapping[Status, Group] = MappingProxyType(
    {
        **{s: Group.OPEN for s in (
            Status.REGISTERED, Status.ESCALATED, Status.ASSIGNED, Status.IN_PROGRESS,
            Status.EXTENSION_REQUESTED, Status.AWAITING_VERIFICATION, Status.AWAITING_RETURN_VISIT,
            Status.AWAITING_CLOSURE, Status.RETURN_REQUESTED, Status.REFER_PROPOSED, Status.RECHECKING,
            Status.REEXAMINING)},
        Status.SUSPENDED: Group.PAUSED,
        Status.CLOSED_SOLVED: Group.SOLVED,
        Status.SOLVED_ON_SPOT: Group.SOLVED,
        Status.EXPLAINED: Group.CLOSED_UNSOLVED,
        Status.CLOSED_UNSOLVED: Group.CLOSED_UNSOLVED,
        Status.REFERRED: Group.CLOSED_UNSOLVED,
        Status.MERGED: Group.MERGED,
    }
)  # fmt: skip


class Satisfaction(StrEnum):
    """The five levels of 好差评 (国办发〔2019〕51号). Older records hold only the middle three; the
    metrics count 非常满意 with 满意 and 非常不满意 with 不满意 (docs/domain.md "Metrics")."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    UNSATISFIED = "unsatisfied"  # 不满意
    VERY_UNSATISFIED = "very_unsatisfied"  # 非常不满意


SATISFACTION_ZH = {
    Satisfaction.VERY_SATISFIED: "非常满意", Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意", Satisfaction.UNSATISFIED: "不满意",
    Satisfaction.VERY_UNSATISFIED: "非常不满意",
}  # fmt: skip
# 好评 / 差评 as 51号文 counts them; 差评 re-opens a case at its return visit.
SATISFIED_LEVELS = frozenset({Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED})
BAD_LEVELS = frozenset({Satisfaction.UNSATISFIED, Satisfaction.VERY_UNSATISFIED})
SATISFACTION_ERROR = "满意度只能是非常满意、满意、基本满意、不满意或非常不满意"


class CloseReason(StrEnum):
    """Why a case was closed without an answered return visit (fixed list)."""

    ANONYMOUS = "anonymous"  # 匿名, nobody to visit
    UNREACHABLE = "unreachable"  # 多次回访联系不上
    DECLINED = "declined"  # 群众拒绝回访


CLOSE_REASON_LABELS = {
    CloseReason.ANONYMOUS: "匿名诉求", CloseReason.UNREACHABLE: "多次联系不上",
    CloseReason.DECLINED: "群众拒绝回访",
}  # fmt: skip

OPEN_STATUSES = frozenset(s for s, g in STATUS_GROUP.items() if g in (Group.OPEN, Group.PAUSED))
CLOSED_STATUSES = frozenset(s for s, g in STATUS_GROUP.items() if g in (Group.SOLVED, Group.CLOSED_UNSOLVED))


@dataclass(frozen=True)
class WorkflowPolicy:
    """County-tunable parameters. Statutory petition limits always cap what is set here."""

    return_visit_tries: int = 3  # failed attempts before 'unreachable' may close a case
    extension_max_count: int = 1  # non-petition kinds
    extension_max_days: int = 30  # non-petition kinds, per extension
    return_days: int = 1  # 退单: working days after receipt a unit may return a wrongly assigned case
    calendar: workdays.WorkCalendar | None = None  # the county's 调休 calendar (None: the library's)

    def cal(self) -> workdays.WorkCalendar:
        return self.calendar or _library_calendar()


@cache
def _library_calendar() -> workdays.WorkCalendar:
    return workdays.WorkCalendar.default()


# the statute's extension limits (lib/workdays holds every petition limit; docs/domain.md "Deadlines")
PETITION_MAX_EXTENSIONS = workdays.PETITION_MAX_EXTENSIONS
PETITION_EXTENSION_MAX_DAYS = workdays.PETITION_EXTENSION_MAX_DAYS
DEFAULT_POLICY = WorkflowPolicy()


@dataclass(frozen=True)
class Review:
    level: Level
    actor: str
    at: datetime
    decision: str  # solve_on_spot | assign | explain | escalate
    opinion: str = ""


@dataclass(frozen=True)
class CoPart:
    """协办: one co-handling unit's part of a case, with its own deadline and reply."""

    unit: str
    part: str
    due: datetime
    since: datetime  # when this unit received its part (退单 window, its own on-time rate)
    reply: str = ""
    answered_at: datetime | None = None
    return_reason: str = ""  # a pending 退单 of this part ("" when none)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


@dataclass(frozen=True)
class AppealState:
    """A snapshot of one case, enough to decide every transition."""

    kind: Kind
    status: Status
    level: Level
    last_at: datetime
    anonymous: bool = False
    reviews: tuple[Review, ...] = ()
    unit: str | None = None
    handler: str | None = None  # the named person responsible (限期办理)
    measures: str | None = None
    due: datetime | None = None
    ever_assigned: bool = False
    submitted_by: str | None = None
    verified_by: str | None = None  # reset whenever the case is handled again
    visit_answer: Satisfaction | None = None  # answer of the current round's return visit
    visits: tuple[Satisfaction, ...] = ()  # every answered return visit, for 满意率
    visit_failures: int = 0  # failed attempts in the current round
    reopen_count: int = 0  # 重办
    remind_count: int = 0  # 催办
    supervisor: tuple[str, Level] | None = None  # 挂牌督办: leader, level
    extension_count: int = 0
    extension_pending_days: int | None = None
    extension_requested_by: str | None = None
    resume_status: Status | None = None  # where suspend / extension request returns to
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()  # feed to compute_due_paused
    close_reason: CloseReason | None = None
    close_note: str = ""
    accountability: tuple[str, ...] = ()  # 追责问责 flags (reasons)
    merged_into: str | None = None
    status_before_merge: Status | None = None
    received_at: datetime | None = None  # when the lead unit received the case (退单 window)
    co_parts: tuple[CoPart, ...] = ()  # 协办 units, in the order added
    return_reason: str = ""  # the lead unit's pending 退单
    referral: str = ""  # 导入法定途径: the receiving body, once proposed
    closed_at: datetime | None = None  # when it last closed (复查/复核 windows)
    review_stage: int = 0  # 信访: 0 none, 1 复查 asked/decided, 2 复核 asked/decided (final)

    @property
    def pending_co_parts(self) -> tuple[CoPart, ...]:
        return tuple(p for p in self.co_parts if not p.answered)

    @property
    def group(self) -> Group:
        return STATUS_GROUP[self.status]


_STATE_FIELDS = frozenset(AppealState.__dataclass_fields__)


def evolve(obj: Any, /, **changes: Any) -> Any:
    """``dataclasses.replace``; for an AppealState (35 fields, frozen: replace runs the generated
    ``__init__`` with an ``object.__setattr__`` a field) the new state is the old one's fields copied
    with the changes over them — the same object, a fifth of the cost. It has no ``__post_init__``."""
    if type(obj) is not AppealState:
        return replace(obj, **changes)
    if not changes.keys() <= _STATE_FIELDS:
        raise TypeError(f"AppealState has no field {sorted(changes.keys() - _STATE_FIELDS)}")
    new = object.__new__(AppealState)
    values = new.__dict__
    values.update(obj.__dict__)
    values.update(changes)
    return new


@dataclass(frozen=True)
class Action:
    name: str
    actor: str
    at: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    """What the services layer writes to the audit log (action codes = ACTIONS names)."""

    action: str
    actor: str
    at: datetime
    from_status: Status | None
    to_status: Status
    payload: Mapping[str, Any]
    flags: tuple[str, ...] = ()  # accountability flags raised by this action


def group_of(status: Status) -> Group:
    return STATUS_GROUP[status]


def counts_in_rates(state: AppealState) -> bool:
    """Merged cases are counted once, in their target, never in their own right."""
    return state.status is not Status.MERGED


def is_closed(state: AppealState) -> bool:
    return state.status in CLOSED_STATUSES


def is_solved(state: AppealState) -> bool:
    return state.group is Group.SOLVED
