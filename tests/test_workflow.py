"""The appeal lifecycle: a hand case for every action, then random sequences against invariants."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from minqing.appeals.workflow import (
    ACTIONS,
    CLOSED_STATUSES,
    FIELD_LABELS,
    STATUS_GROUP,
    Action,
    AppealState,
    CloseReason,
    Event,
    Group,
    Kind,
    Level,
    Satisfaction,
    Status,
    TransitionError,
    WorkflowPolicy,
    apply,
    available_actions,
    counts_in_rates,
    is_closed,
    is_solved,
)
from minqing.lib.workdays import TZ

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


class Case:
    """Drives one case through actions with a clock that moves forward an hour per step."""

    def __init__(self, kind: str = "problem", policy: WorkflowPolicy | None = None, **payload: Any):
        self.now, self.events = T0, []
        self.policy = policy or WorkflowPolicy()
        self.state: AppealState | None = None
        self.do("register", "clerk", kind=kind, **payload)

    def do(self, name: str, actor: str = "clerk", **payload: Any) -> AppealState:
        self.now += timedelta(hours=1)
        self.state, event = apply(self.state, Action(name, actor, self.now, payload), self.policy)
        self.events.append(event)
        return self.state

    def fails(self, name: str, actor: str = "clerk", match: str | None = None, **payload: Any) -> None:
        before = self.state
        with pytest.raises(TransitionError, match=match):
            self.do(name, actor, **payload)
        self.now -= timedelta(hours=1)
        assert self.state is before

    def assign(self, person: str = "handler", days: int = 10, **extra: Any) -> AppealState:
        due = self.now + timedelta(days=days)
        return self.do("assign", "leader", unit="民政站", person=person, measures="入户核实", due=due, **extra)

    def to_verification(self) -> AppealState:
        self.assign()
        self.do("add_progress", "handler", note="已开工")
        return self.do("submit_result", "handler", result="已修好")

    def to_return_visit(self) -> AppealState:
        self.to_verification()
        return self.do("verify", "checker", passed=True)


# -- intake and triage -----------------------------------------------------------------------


def test_register():
    case = Case("petition", level="township", anonymous=True)
    s = case.state
    assert (s.status, s.kind, s.level, s.anonymous) == (Status.REGISTERED, Kind.PETITION, Level.TOWNSHIP, True)
    assert case.events[0].from_status is None and case.events[0].to_status is Status.REGISTERED
    assert available_actions(None) == ["register"]
    with pytest.raises(TransitionError, match="类型"):
        apply(None, Action("register", "clerk", T0, {"kind": "gossip"}))
    case.fails("register", match="已登记", kind="problem")


def test_solve_on_spot_counts_as_solved():
    case = Case()
    s = case.do("solve_on_spot", "cadre", what="当场疏通水渠", satisfaction="satisfied")
    assert s.status is Status.SOLVED_ON_SPOT and is_solved(s) and is_closed(s)
    assert s.visits == (Satisfaction.SATISFIED,) and s.reviews[0].decision == "solve_on_spot"
    assert available_actions(s) == ["flag_accountability"]
    other = Case()
    other.fails("solve_on_spot", match="缺少必填项")
    other.fails("solve_on_spot", what="x", satisfaction="meh", match="满意度")


def test_explain_policy_is_closed_but_not_solved():
    case = Case()
    case.fails("explain_policy", text="  ", match="必填")
    s = case.do("explain_policy", "cadre", text="超出政策范围，已解释")
    assert s.status is Status.EXPLAINED and is_closed(s) and not is_solved(s)
    assert s.group is Group.CLOSED_UNSOLVED


def test_refer_closes_unsolved_only_after_verification_and_a_visit():
    case = Case(kind="dispute")
    case.fails("refer", body="县人民法院", match="缺少必填项")
    s = case.do("refer", "cadre", body="县人民法院", reason="一方坚持起诉")  # the dispatcher's own decision
    assert s.status is Status.AWAITING_VERIFICATION and not is_closed(s) and s.referral == "县人民法院"
    case.fails("verify", "cadre", passed=True, match="核查人不能是承办人本人")
    case.do("verify", "checker", passed=True)
    case.do("return_visit", "visitor", satisfaction="basically_satisfied")
    s = case.do("close", "lead", outcome="unsolved", note="已导入诉讼")
    assert s.status is Status.REFERRED and s.group is Group.CLOSED_UNSOLVED and is_closed(s) and not is_solved(s)
    assert available_actions(s) == ["flag_accountability"]
    paused = Case()
    paused.assign()
    paused.do("suspend", "handler", reason="等待鉴定")
    s = paused.do("refer", "handler", body="县劳动人事争议仲裁委", reason="依法先行仲裁")  # a proposal
    assert s.status is Status.REFER_PROPOSED and s.pauses[-1][1] == paused.now and not is_closed(s)
    s = paused.do("reject_refer", "township", reason="属本单位职责")
    assert s.status is Status.IN_PROGRESS and s.referral == ""
    paused.do("refer", "handler", body="县劳动人事争议仲裁委", reason="依法先行仲裁")
    s = paused.do("confirm_refer", "township")
    assert s.status is Status.AWAITING_VERIFICATION
    done = Case()
    done.do("explain_policy", "cadre", text="已解释")
    done.fails("refer", body="法院", reason="x", match="不能导入法定途径")


def test_escalate_village_township_county_and_no_further():
    case = Case()
    assert case.do("escalate", "cadre", reason="村级无法解决").level is Level.TOWNSHIP
    s = case.do("escalate", "township", reason="需县级协调")
    assert (s.status, s.level) == (Status.ESCALATED, Level.COUNTY)
    assert [r.level for r in s.reviews] == [Level.VILLAGE, Level.TOWNSHIP]
    assert "escalate" not in available_actions(s)
    case.fails("escalate", reason="x", match="县级")
    case.fails("review", decision="escalate", reason="x", match="县级")


def test_review_records_the_decision_at_the_level():
    case = Case()
    case.do("escalate", "cadre", reason="上报")
    s = case.do("review", "township", decision="assign", opinion="交民政站", unit="民政站", person="handler",
                measures="核实", due=case.now + timedelta(days=5))  # fmt: skip
    assert s.status is Status.ASSIGNED and case.events[-1].action == "review"
    assert (s.reviews[-1].level, s.reviews[-1].decision, s.reviews[-1].opinion) == (
        Level.TOWNSHIP, "assign", "交民政站",
    )  # fmt: skip
    other = Case()
    other.fails("review", decision="ignore", match="研判结论")
    other.fails("review", decision="explain", match="缺少必填项")
    assert other.do("review", "x", decision="explain", text="已解释").status is Status.EXPLAINED
    assert Case().do("review", "x", decision="solve_on_spot", what="ok").status is Status.SOLVED_ON_SPOT


def test_assign():
    case = Case()
    case.fails("assign", unit="u", person="p", measures="m", due=T0, match="晚于")
    case.fails("assign", unit="u", person="p", measures="m", due=datetime(2030, 1, 1), match="时区")
    case.fails("assign", unit="u", measures="m", due=case.now + timedelta(days=3), match="责任人")
    s = case.assign(days=7)
    assert (s.status, s.handler, s.unit, s.ever_assigned) == (Status.ASSIGNED, "handler", "民政站", True)
    assert s.due == s.last_at - timedelta(hours=1) + timedelta(days=7)
    assert "solve_on_spot" not in available_actions(s) and "explain_policy" not in available_actions(s)
    # Reassigning (转办) keeps it in handling with the new person.
    assert case.assign(person="other").handler == "other"


# -- handling --------------------------------------------------------------------------------


def test_add_progress_remind_supervise():
    case = Case()
    case.assign()
    s = case.do("add_progress", "handler", note="材料已采购", cost=1200, fund_source="乡镇财政")
    assert s.status is Status.IN_PROGRESS
    assert case.do("add_progress", "handler", note="施工中").status is Status.IN_PROGRESS
    assert case.do("remind", "leader").remind_count == 1
    s = case.do("supervise", "county_leader", leader="张县长", level="county")
    assert s.supervisor == ("张县长", Level.COUNTY)
    case.fails("supervise", leader="x", level="province", match="督办层级")
    case.fails("add_progress", note="", match="必填")


def test_petition_extension_once_and_at_most_30_days():
    case = Case("petition")
    case.assign(days=60)
    due = case.state.due
    case.fails("request_extension", "handler", days=31, reason="复杂", match="30日")
    case.fails("request_extension", "handler", days=0, reason="复杂", match="正整数")
    s = case.do("request_extension", "handler", days=30, reason="情况复杂")
    assert s.status is Status.EXTENSION_REQUESTED and s.group is Group.OPEN  # clock keeps running
    case.fails("approve_extension", "handler", match="负责人")
    case.fails("approve_extension", "head", days=31, match="不超过申请")
    s = case.do("approve_extension", "head", days=20)
    assert (s.status, s.due, s.extension_count) == (Status.ASSIGNED, due + timedelta(days=20), 1)
    assert "request_extension" not in available_actions(s)
    case.fails("request_extension", "handler", days=5, reason="again", match="只能延期一次")


def test_extension_policy_for_other_kinds_and_reject():
    policy = WorkflowPolicy(extension_max_count=2, extension_max_days=10)
    case = Case("problem", policy=policy)
    case.assign()
    case.do("add_progress", "handler", note="开工")
    case.fails("request_extension", "handler", days=11, reason="x", match="10日")
    case.do("request_extension", "handler", days=5, reason="雨天")
    s = case.do("reject_extension", "head", reason="理由不足")
    assert (s.status, s.extension_count, s.extension_pending_days) == (Status.IN_PROGRESS, 0, None)
    for _ in range(2):
        case.do("request_extension", "handler", days=5, reason="雨天")
        case.do("approve_extension", "head")
    assert case.state.extension_count == 2
    case.fails("request_extension", "handler", days=1, reason="x", match="上限")
    # A petition is capped by the statute whatever the county sets.
    petition = Case("petition", policy=WorkflowPolicy(extension_max_count=5, extension_max_days=90))
    petition.assign()
    petition.fails("request_extension", "handler", days=31, reason="x", match="30日")


def test_suspend_and_resume_stop_the_clock():
    case = Case()
    case.assign(days=10)
    due = case.state.due
    s = case.do("suspend", "head", reason="等待司法鉴定")
    assert s.status is Status.SUSPENDED and s.group is Group.PAUSED and s.pauses[-1][1] is None
    case.now += timedelta(days=3)
    s = case.do("resume", "head")
    assert s.status is Status.ASSIGNED and s.pauses[-1][1] is not None
    assert s.due == due + (s.pauses[-1][1] - s.pauses[-1][0])
    case.do("suspend", "head", reason="again")
    new_due = case.now + timedelta(days=20)
    assert case.do("resume", "head", due=new_due).due == new_due


def test_submit_and_verify_by_someone_else():
    case = Case()
    s = case.to_verification()
    assert (s.status, s.submitted_by) == (Status.AWAITING_VERIFICATION, "handler")
    case.fails("verify", "handler", passed=True, match="核查人")
    case.fails("verify", "checker", passed="yes", match="核查结论")
    s = case.do("verify", "checker", passed=False, note="未修好")
    assert (s.status, s.verified_by) == (Status.IN_PROGRESS, None)
    case.do("submit_result", "handler", result="重修完成")
    s = case.do("verify", "checker", passed=True)
    assert (s.status, s.verified_by) == (Status.AWAITING_RETURN_VISIT, "checker")


def test_verifier_cannot_be_the_submitter_either():
    case = Case()
    case.assign()
    case.do("submit_result", "colleague", result="done")
    case.fails("verify", "colleague", passed=True, match="核查人")


# -- return visit and closure ----------------------------------------------------------------


def test_satisfied_return_visit_then_close():
    case = Case()
    case.to_return_visit()
    case.fails("close", outcome="solved", match="原因")  # no visit yet and no reason
    s = case.do("return_visit", "visitor", satisfaction="basically_satisfied", method="电话")
    assert s.status is Status.AWAITING_CLOSURE and s.visits == (Satisfaction.BASICALLY_SATISFIED,)
    s = case.do("close", "leader", outcome="solved")
    assert s.status is Status.CLOSED_SOLVED and is_solved(s) and s.accountability == ()
    assert available_actions(s) == ["reopen", "flag_accountability"]  # reopen: only for a repeat (repeats.py)


def test_unsatisfied_return_visit_reopens():
    case = Case()
    case.to_return_visit()
    s = case.do("return_visit", "visitor", satisfaction="unsatisfied")
    assert (s.status, s.reopen_count, s.verified_by, s.visit_answer) == (Status.IN_PROGRESS, 1, None, None)
    case.fails("close", outcome="solved", match="不能办结")
    case.do("submit_result", "handler", result="重办完成")
    case.do("verify", "checker", passed=True)
    s = case.do("return_visit", "visitor", satisfaction="satisfied")
    assert s.visits == (Satisfaction.UNSATISFIED, Satisfaction.SATISFIED)


def test_closing_unsatisfied_unsolved_or_overdue_flags_accountability():
    case = Case()
    case.to_return_visit()
    case.do("return_visit", "visitor", satisfaction="unsatisfied", reopen=False)
    case.fails("close", outcome="unsolved", match="说明原因")
    case.now += timedelta(days=30)  # past the due
    s = case.do("close", "leader", outcome="unsolved", note="历史遗留，暂无政策")
    assert s.status is Status.CLOSED_UNSOLVED and not is_solved(s) and is_closed(s)
    assert set(s.accountability) == {"unsolved", "unsatisfied", "overdue"}
    assert set(case.events[-1].flags) == {"unsolved", "unsatisfied", "overdue"}


def test_close_without_an_answer_needs_a_reason_from_the_list():
    case = Case()
    case.to_return_visit()
    case.fails("close", outcome="solved", reason="busy", match="原因")
    case.fails("close", outcome="solved", reason="anonymous", match="匿名")
    case.fails("close", outcome="solved", reason="unreachable", match="3次")
    for _ in range(3):
        assert case.do("return_visit_failed", "visitor", method="电话").status is Status.AWAITING_RETURN_VISIT
    s = case.do("close", "leader", outcome="solved", reason="unreachable")
    assert (s.status, s.close_reason, s.visit_failures) == (Status.CLOSED_SOLVED, CloseReason.UNREACHABLE, 3)


def test_close_anonymous_or_declined():
    anon = Case(anonymous=True)
    anon.to_return_visit()
    assert anon.do("close", "leader", outcome="solved", reason="anonymous").close_reason is CloseReason.ANONYMOUS
    declined = Case()
    declined.to_return_visit()
    assert declined.do("close", "l", outcome="solved", reason="declined").close_reason is CloseReason.DECLINED


def test_tries_are_a_policy_parameter():
    case = Case(policy=WorkflowPolicy(return_visit_tries=1))
    case.to_return_visit()
    case.do("return_visit_failed", "visitor")
    assert case.do("close", "leader", outcome="solved", reason="unreachable").status is Status.CLOSED_SOLVED


def test_close_is_refused_before_verification():
    case = Case()
    case.assign()
    case.fails("close", outcome="solved", reason="declined", match="不能办结")
    assert "close" not in available_actions(case.state)


# -- merging, accountability, time -----------------------------------------------------------


def test_merge_and_unmerge():
    case = Case()
    case.assign()
    s = case.do("merge_into", "leader", target="A-2025-0001")
    assert (s.status, s.merged_into, s.group) == (Status.MERGED, "A-2025-0001", Group.MERGED)
    assert not counts_in_rates(s) and not is_closed(s)
    assert available_actions(s) == ["unmerge"]
    for name in ACTIONS:
        if name != "unmerge":
            case.fails(name, reason="x", note="x", target="y", leader="x", level="county")
    s = case.do("unmerge", "leader", reason="合并错误")
    assert s.status is Status.ASSIGNED and counts_in_rates(s) and s.merged_into is None
    case.fails("merge_into", target=" ", match="合并到的诉求")


def test_merging_a_suspended_case_closes_its_pause_and_unmerge_reopens_it():
    case = Case()
    case.assign()
    case.do("suspend", "head", reason="x")
    s = case.do("merge_into", "leader", target="B")
    assert s.pauses[-1][1] is not None
    s = case.do("unmerge", "leader", reason="错")
    assert s.status is Status.SUSPENDED and s.pauses[-1][1] is None
    assert case.do("resume", "head").status is Status.ASSIGNED


def test_flag_accountability():
    case = Case()
    s = case.do("flag_accountability", "discipline", reason="推诿扯皮", persons=["王某"])
    assert s.accountability == ("推诿扯皮",) and case.events[-1].flags == ("推诿扯皮",)
    case.fails("flag_accountability", reason="", match="必填")


def test_time_never_goes_backwards():
    case = Case()
    last = case.state.last_at
    with pytest.raises(TransitionError, match="早于"):
        apply(case.state, Action("remind", "x", last - timedelta(seconds=1)))
    with pytest.raises(TransitionError, match="时区"):
        apply(case.state, Action("escalate", "x", datetime(2030, 1, 1), {"reason": "r"}))
    # The same instant is fine (two actions in one request).
    s, _ = apply(case.state, Action("escalate", "x", last, {"reason": "r"}))
    assert s.last_at == last


def test_unknown_action_and_missing_actor():
    case = Case()
    case.fails("teleport", match="未知操作")
    case.fails("escalate", "", reason="r", match="操作人")
    with pytest.raises(TransitionError, match="尚未登记"):
        apply(None, Action("escalate", "x", T0, {"reason": "r"}))


def test_the_action_table():
    assert set(ACTIONS) >= {
        "register", "solve_on_spot", "assign", "explain_policy", "escalate", "review", "add_progress",
        "remind", "supervise", "request_extension", "approve_extension", "reject_extension",
        "submit_result", "verify", "return_visit", "return_visit_failed", "close", "merge_into",
        "flag_accountability",
    }  # fmt: skip
    for spec in ACTIONS.values():
        assert spec.label and not spec.label.isascii()
        assert set(spec.required).isdisjoint(spec.optional)
        assert set(spec.required) | set(spec.optional) <= set(FIELD_LABELS)
    assert set(STATUS_GROUP) == set(Status)
    assert {s for s in Status if STATUS_GROUP[s] is Group.SOLVED} == {Status.CLOSED_SOLVED, Status.SOLVED_ON_SPOT}


# -- random sequences against the invariants -------------------------------------------------

ACTORS = ["a", "b", "c", "d"]
TEXT = st.sampled_from(["", "说明", "处理中"])
# Actions that move a case forward are drawn more often, so walks reach verification and closure.
FORWARD = {"assign": 6, "add_progress": 2, "submit_result": 4, "verify": 4, "return_visit": 4, "close": 4}


@functools.cache
def payload_for(name: str) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads for `name`: either with every required field valid, or anything goes.

    A due is drawn as whole days from now (the rule turns it into a datetime).
    """
    due = st.integers(min_value=-2, max_value=40)
    anything: dict[str, st.SearchStrategy[Any]] = {
        "kind": st.sampled_from([*Kind, "bad"]), "level": st.sampled_from([*Level, "province"]),
        "anonymous": st.booleans(), "decision": st.sampled_from(["solve_on_spot", "assign", "explain", "escalate"]),
        "what": TEXT, "text": TEXT, "reason": st.sampled_from([*CloseReason, "x", ""]),
        "unit": TEXT, "person": st.sampled_from(ACTORS), "measures": TEXT, "due": due, "note": TEXT,
        "leader": TEXT, "days": st.integers(min_value=-1, max_value=40), "result": TEXT,
        "passed": st.booleans(), "satisfaction": st.sampled_from([*Satisfaction, "meh"]),
        "reopen": st.booleans(), "outcome": st.sampled_from(["solved", "unsolved", "maybe"]),
        "target": st.sampled_from(["T1", "T2", ""]), "body": TEXT, "part": TEXT, "reply": TEXT,
        "returned_unit": st.sampled_from(["U1", "U2", ""]),
    }  # fmt: skip
    valid = {
        **{f: st.just("说明") for f in ("what", "text", "measures", "note", "leader", "result", "body", "part",
                                         "reply")},
        "unit": st.sampled_from(["U1", "U2", "U3"]),
        "kind": st.sampled_from(list(Kind)), "level": st.sampled_from(list(Level)),
        "reason": st.sampled_from([*CloseReason, "理由"]), "due": st.integers(min_value=1, max_value=40),
        "days": st.integers(min_value=1, max_value=30), "satisfaction": st.sampled_from(list(Satisfaction)),
        "outcome": st.sampled_from(["solved", "unsolved"]), "target": st.just("T1"),
    }  # fmt: skip
    spec = ACTIONS[name]
    wanted = [f for f in (*spec.required, *spec.optional) if f in anything]
    if name == "review":  # the decision's own fields ride along
        wanted += ["what", "text", "reason", "unit", "person", "measures", "due"]
    loose = st.fixed_dictionaries({}, optional={f: anything[f] for f in wanted})
    required = [f for f in wanted if f in spec.required or name == "review"]
    strict = st.fixed_dictionaries(
        {f: valid.get(f, anything[f]) for f in required},
        optional={f: anything[f] for f in wanted if f not in required},
    )
    return st.one_of(strict, strict, strict, loose)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: AppealState | None = None
        self.now = T0
        self.events: list[Event] = []
        self.policy = WorkflowPolicy(return_visit_tries=2)

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        choices = [n for n in available_actions(self.state, self.policy) for _ in range(FORWARD.get(n, 1))]
        name = data.draw(st.sampled_from(choices) if data.draw(st.integers(0, 9)) else st.sampled_from(list(ACTIONS)))
        actor = data.draw(st.sampled_from(ACTORS))
        step = data.draw(st.sampled_from([timedelta(hours=-1), timedelta(0), timedelta(hours=5), timedelta(days=3)]))
        at = self.now + step
        payload = dict(data.draw(payload_for(name)))
        if "due" in payload:
            payload["due"] = at + timedelta(days=payload["due"])
        before = self.state
        try:
            new, event = apply(before, Action(name, actor, at, payload), self.policy)
        except TransitionError:
            return
        # Whatever succeeded was listed as possible, and time did not go backwards.
        assert name in available_actions(before, self.policy)
        assert before is None or at >= before.last_at
        assert before is None or before.status is not Status.MERGED or name == "unmerge"
        if name == "verify":
            assert actor not in (before.handler, before.submitted_by)
        self.state, self.now = new, at
        self.events.append(event)

    @invariant()
    def timestamps_never_go_backwards(self) -> None:
        times = [e.at for e in self.events]
        assert times == sorted(times)

    @invariant()
    def groups_and_counting(self) -> None:
        s = self.state
        if s is None:
            return
        assert s.status in STATUS_GROUP
        assert counts_in_rates(s) == (s.status is not Status.MERGED)
        assert is_solved(s) == (s.status in (Status.CLOSED_SOLVED, Status.SOLVED_ON_SPOT))
        open_pauses = [p for p in s.pauses if p[1] is None]
        assert len(open_pauses) == (1 if s.status is Status.SUSPENDED else 0)
        if s.kind is Kind.PETITION:
            assert s.extension_count <= 1

    @invariant()
    def an_assigned_case_closes_only_after_verification_and_a_visit(self) -> None:
        # An oracle replayed from the events alone: each assign / failed check / reopen starts a
        # new round; a close needs this round's verification by a non-handler and an answered
        # visit or a listed reason.
        handler = submitter = verifier = None
        answered = assigned = False
        failures = 0
        anonymous = bool(self.events and self.events[0].payload.get("anonymous"))
        for e in self.events:
            decision = e.payload.get("decision") if e.action == "review" else e.action
            if decision == "assign":
                handler, assigned, verifier, answered, failures = e.payload["person"], True, None, False, 0
            elif e.action == "transfer" or (e.action == "approve_return" and e.from_status is Status.RETURN_REQUESTED):
                handler, verifier, answered = e.payload.get("person"), None, False
            elif e.action in ("recheck", "reexamine"):
                assert e.actor not in (handler, submitter)  # decided by the body above, never the handler
            elif e.action == "reject_refer":
                submitter = None
            elif e.action == "refer":
                assigned = True  # a referral closes like an assigned case: verified, visited
            if e.action in ("submit_result", "refer"):
                submitter = e.actor
            elif e.action == "verify":
                if e.payload["passed"]:
                    assert e.actor not in (handler, submitter)
                    verifier = e.actor
                else:
                    verifier, failures = None, 0
            elif e.action == "return_visit":
                if e.to_status is Status.IN_PROGRESS:
                    verifier, answered, failures = None, False, 0
                else:
                    answered = True
            elif e.action == "close":
                assert assigned and verifier is not None
                reason = e.payload.get("reason")
                assert answered or reason in set(CloseReason)
                if not answered and reason == CloseReason.UNREACHABLE:
                    assert failures >= self.policy.return_visit_tries
                if not answered and reason == CloseReason.ANONYMOUS:
                    assert anonymous
            elif e.action == "return_visit_failed":
                failures += 1
            elif e.action == "reopen":  # a repeat after closure: a new round
                verifier, answered, failures = None, False, 0
            if assigned:
                assert e.to_status not in (Status.SOLVED_ON_SPOT, Status.EXPLAINED)
        if self.state is not None and self.state.status in (Status.CLOSED_SOLVED, Status.CLOSED_UNSOLVED,
                                                             Status.REFERRED):
            assert any(e.action in ("close", "recheck", "reexamine") for e in self.events)

    @invariant()
    def closed_cases_stay_closed(self) -> None:
        """…but for a petition's 复查 and 复核, each asked once, in that order; a reopen (重新办理, a repeat
        appeal) starts a new round."""
        allowed = {"flag_accountability", "request_recheck", "recheck", "request_reexamine", "reexamine"}
        closed, asks = False, []
        for e in self.events:
            if e.action in ("request_recheck", "request_reexamine"):
                asks.append(e.action)
                assert asks in (["request_recheck"], ["request_recheck", "request_reexamine"])
            if not closed:
                closed = e.to_status in CLOSED_STATUSES
                continue
            assert e.action in allowed | {"reopen"}, e.action
            if e.action == "reopen":
                closed, asks = False, []
            else:  # a 复查/复核 request takes the case up again until its decision closes it
                closed = e.to_status in CLOSED_STATUSES


Lifecycle.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestLifecycle = Lifecycle.TestCase


def test_random_walks_reach_closure():
    """Sanity check that the biased walk above can get deep: a scripted full run closes."""
    case = Case()
    case.to_return_visit()
    case.do("return_visit", "visitor", satisfaction="satisfied")
    assert case.do("close", "l", outcome="solved").status in CLOSED_STATUSES
