"""The dispatch actions of the pure workflow (协办, 退单/改派, 转办, 导入法定途径, 复查/复核): hand cases, then
random walks (Hypothesis RuleBasedStateMachine) against the invariants issue 16 asks for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from minqing.appeals.workflow import (
    CLOSED_STATUSES,
    Action,
    AppealState,
    Event,
    Status,
    TransitionError,
    WorkflowPolicy,
    apply,
    available_actions,
)
from minqing.lib.workdays import TZ

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)  # a Monday
POLICY = WorkflowPolicy(return_visit_tries=2, return_days=1)


class Case:
    def __init__(self, kind: str = "problem") -> None:
        self.now, self.state = T0, None
        self.do("register", "clerk", kind=kind)

    def do(self, name: str, actor: str, step: timedelta = timedelta(hours=1), **payload: Any) -> AppealState:
        self.now += step
        self.state, _ = apply(self.state, Action(name, actor, self.now, payload), POLICY)
        return self.state

    def fails(self, name: str, actor: str, match: str, **payload: Any) -> None:
        with pytest.raises(TransitionError, match=match):
            apply(self.state, Action(name, actor, self.now + timedelta(minutes=1), payload), POLICY)


def _assigned() -> Case:
    case = Case()
    case.do("assign", "town", unit="住建局", person="h1", measures="修路", due=T0 + timedelta(days=15))
    return case


def test_a_co_handled_case_waits_for_every_co_unit():
    case = _assigned()
    case.fails("add_co_unit", "town", "主办单位不能同时", unit="住建局", part="x")
    s = case.do("add_co_unit", "town", unit="交通局", part="路面恢复")
    assert s.co_parts[0].due == s.due and "submit_result" not in available_actions(s, POLICY)
    case.fails("submit_result", "h1", "协办单位尚未", result="已修")
    s = case.do("co_reply", "t1", unit="交通局", reply="路面已恢复")
    assert s.co_parts[0].answered and "submit_result" in available_actions(s, POLICY)


def test_a_return_within_one_working_day_approved_goes_to_another_unit():
    case = _assigned()
    case.do("add_co_unit", "town", unit="交通局", part="路面恢复")
    s = case.do("return", "t1", unit="交通局", reason="不属本局职责")
    assert s.co_parts[0].return_reason and s.status is Status.ASSIGNED
    case.fails("co_reply", "t1", "没有待答复", unit="交通局", reply="x")
    s = case.do("approve_return", "town", unit="公路中心")
    assert [p.unit for p in s.co_parts] == ["公路中心"] and not s.co_parts[0].return_reason
    # the lead's own return, then a rejection: the deadline and the receipt stay where they were
    due, received = s.due, s.received_at
    s = case.do("return", "h1", reason="不属本局职责")
    assert s.status is Status.RETURN_REQUESTED
    s = case.do("reject_return", "town", reason="属住建局职责", step=timedelta(days=2))
    assert (s.status, s.due, s.received_at) == (Status.ASSIGNED, due, received)
    # the window has passed now: 1 working day after receipt
    case.fails("return", "h1", "超过退单时限", reason="再退")


def test_return_window_counts_working_days():
    case = Case()
    friday = datetime(2025, 3, 7, 17, 0, tzinfo=TZ)
    case.now = friday - timedelta(hours=1)
    case.do("assign", "town", unit="住建局", person="h1", measures="m", due=friday + timedelta(days=15))
    # Saturday and Sunday are no working days: Monday is still within one working day of Friday
    s = case.do("return", "h1", reason="不属本局", step=timedelta(days=3))
    assert s.status is Status.RETURN_REQUESTED


def test_transfer_keeps_the_deadline_and_approve_return_reassigns():
    case = _assigned()
    due = case.state.due
    s = case.do("transfer", "town", unit="水利局", person="h2", reason="属水利")
    assert (s.unit, s.handler, s.due, s.status) == ("水利局", "h2", due, Status.ASSIGNED)
    case.do("return", "h2", reason="不属本局")
    case.fails("approve_return", "town", "改派", unit="")
    s = case.do("approve_return", "town", unit="住建局", person="h3")
    assert (s.unit, s.handler, s.status) == ("住建局", "h3", Status.ASSIGNED)


def test_recheck_and_reexamine_of_a_petition():
    case = Case(kind="petition")
    case.do("assign", "town", unit="住建局", person="h1", measures="m", due=T0 + timedelta(days=60))
    case.do("submit_result", "h1", result="已答复")
    case.do("verify", "v", passed=True)
    case.do("return_visit", "v", satisfaction="unsatisfied", reopen=False)
    s = case.do("close", "town", outcome="unsolved", note="不予支持")
    assert s.status in CLOSED_STATUSES and s.closed_at == case.now
    case.fails("request_reexamine", "clerk", "须先经复查")
    s = case.do("request_recheck", "clerk", reason="不服", step=timedelta(days=10))
    assert s.status is Status.RECHECKING and s.due.date() == (case.now + timedelta(days=30)).date()
    case.fails("recheck", "h1", "承办人不能", outcome="unsolved", opinion="维持")
    s = case.do("recheck", "county", outcome="unsolved", opinion="维持原处理意见")
    assert s.status is Status.CLOSED_UNSOLVED
    s = case.do("request_reexamine", "clerk", reason="仍不服")
    assert s.status is Status.REEXAMINING
    s = case.do("reexamine", "city", outcome="unsolved", opinion="维持")
    assert "request_recheck" not in available_actions(s, POLICY)
    assert "request_reexamine" not in available_actions(s, POLICY)
    late = Case(kind="petition")
    late.do("explain_policy", "town", text="已解释")
    late.now += timedelta(days=31)
    late.fails("request_recheck", "clerk", "超过申请复查的期限", reason="不服")
    problem = Case()
    problem.do("explain_policy", "town", text="已解释")
    problem.fails("request_recheck", "clerk", "只有信访事项", reason="不服")


# -- random walks -------------------------------------------------------------------------------

UNITS = ["U1", "U2", "U3", "U4"]
PEOPLE = ["a", "b", "c", "d"]
STEPS = [timedelta(hours=-1), timedelta(0), timedelta(hours=3), timedelta(days=1), timedelta(days=4)]


class Dispatch(RuleBasedStateMachine):
    """A case assigned at once; then any action of the table, dispatch ones drawn often."""

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.state: AppealState | None = None
        self.events: list[Event] = []
        self.before: list[AppealState | None] = []
        self._do("register", "clerk", timedelta(0), {"kind": "petition"})
        self._do("assign", "town", timedelta(hours=1), {"unit": "U1", "person": "a", "measures": "m",
                                                         "due": T0 + timedelta(days=20)})

    def _do(self, name: str, actor: str, step: timedelta, payload: dict[str, Any]) -> bool:
        at = self.now + step
        before = self.state
        try:
            new, event = apply(before, Action(name, actor, at, payload), POLICY)
        except TransitionError:
            return False
        assert before is None or at >= before.last_at
        assert name in available_actions(before, POLICY)
        self.before.append(before)
        self.state, self.now = new, at
        self.events.append(event)
        return True

    @rule(name=st.sampled_from(["add_co_unit", "co_reply", "return", "approve_return", "reject_return",
                                "transfer", "refer", "confirm_refer", "reject_refer", "submit_result", "verify",
                                "return_visit", "return_visit_failed", "close", "add_progress", "suspend", "resume",
                                "request_recheck", "recheck", "request_reexamine", "reexamine", "request_extension",
                                "approve_extension"]),
          actor=st.sampled_from(PEOPLE), unit=st.sampled_from(UNITS), step=st.sampled_from(STEPS),
          person=st.sampled_from(PEOPLE), flag=st.booleans(), days=st.integers(1, 30))
    def act(self, name: str, actor: str, unit: str, step: timedelta, person: str, flag: bool, days: int) -> None:
        payload: dict[str, Any] = {
            "unit": unit, "part": "部分", "reply": "已办", "reason": "理由", "person": person, "measures": "m",
            "body": "法院", "result": "已办", "passed": flag, "satisfaction": "satisfied", "outcome": "solved",
            "opinion": "意见", "note": "说明", "days": days,
        }
        if name in ("return", "approve_return") and not flag:
            payload.pop("unit")
        self._do(name, actor, step, payload)

    @invariant()
    def time_never_runs_backwards(self) -> None:
        times = [e.at for e in self.events]
        assert times == sorted(times)
        assert self.state is None or self.state.last_at == times[-1]

    @invariant()
    def nothing_closes_without_verification_by_another_person(self) -> None:
        for before, e in zip(self.before, self.events, strict=True):
            if e.to_status in CLOSED_STATUSES and (before is None or before.status not in CLOSED_STATUSES):
                assert before is not None and e.action in ("close", "recheck", "reexamine")
                if e.action == "close":
                    assert before.verified_by is not None
                    assert before.verified_by not in (before.handler, before.submitted_by)
                else:
                    assert e.actor not in (before.handler, before.submitted_by)

    @invariant()
    def a_co_handled_case_never_closes_before_every_co_unit_answered(self) -> None:
        s = self.state
        if s is not None and s.status in CLOSED_STATUSES:
            assert all(p.answered for p in s.co_parts)
        for before, e in zip(self.before, self.events, strict=True):
            if e.action in ("submit_result", "confirm_refer", "close"):
                assert before is not None and not before.pending_co_parts

    @invariant()
    def a_rejected_return_never_resets_the_clock(self) -> None:
        for i, e in enumerate(self.events):
            if e.action != "reject_return":
                continue
            before, after = self.before[i], (self.before[i + 1] if i + 1 < len(self.before) else self.state)
            assert before is not None and after is not None
            assert (after.due, after.received_at) == (before.due, before.received_at)
            assert [(p.unit, p.due, p.since) for p in after.co_parts] == [
                (p.unit, p.due, p.since) for p in before.co_parts]


Dispatch.TestCase.settings = settings(max_examples=150, stateful_step_count=30, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
TestDispatch = Dispatch.TestCase


def test_the_walk_reaches_a_co_handled_closure():
    """The machine can get deep: the same actions, scripted, close a co-handled case."""
    m = Dispatch()
    for name, actor, payload in [
        ("add_co_unit", "town", {"unit": "U2", "part": "p"}), ("return", "b", {"unit": "U2", "reason": "r"}),
        ("approve_return", "town", {"unit": "U3"}), ("co_reply", "c", {"unit": "U3", "reply": "ok"}),
        ("submit_result", "a", {"result": "ok"}), ("verify", "v", {"passed": True}),
        ("return_visit", "v", {"satisfaction": "satisfied"}), ("close", "town", {"outcome": "solved"}),
    ]:
        assert m._do(name, actor, timedelta(hours=1), payload), name
    assert m.state.status is Status.CLOSED_SOLVED
    m.nothing_closes_without_verification_by_another_person()
    m.a_co_handled_case_never_closes_before_every_co_unit_answered()
