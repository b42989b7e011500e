"""The demo appeals' builder: drives each simulated case through the pure workflow (one scenario
method per kind of case) and writes the cases, their rows and their audit chain in bulk."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from typing import Any

from django.db import transaction

from minqing.accounts.models import Unit, User
from minqing.audit import log as audit_log
from minqing.audit.models import AuditStream
from minqing.audit.models import Event as AuditEvent
from minqing.households import crypto
from minqing.lib import workdays
from minqing.lib.masking import mask_phone

from . import deadlines, services
from . import workflow as wf
from .demo_cast import CHANNELS, SCENARIOS, STATION_FUNCTIONS, Cast, H, Sim, Stop
from .demo_texts import Text
from .models import Appeal, AppealEvent, Category, Progress, Report, ReturnVisit

# Words that say whose work a case is, whatever class its text was filed under (a 低保 question
# filed under 城乡建设 is still 民政's work). First match wins.
FUNCTION_WORDS = [
    (r"低保|特困|五保|临时救助|残疾人两项补贴|养老院|敬老院|高龄补贴", "civil_affairs"),
    (r"医保|医疗保险|医疗保障|报销", "medical_insurance"),
    (r"社保|养老保险|工资|就业|劳动合同|工伤", "social_security"),
    (r"学校|学生|老师|幼儿园|教育|学费", "education"),
    (r"医院|卫生院|医生|疫苗|诊所", "health"),
    (r"公交|客运|公路|道路|桥梁|车辆", "transport"),
    (r"宅基地|确权|土地证|林权|不动产", "land"),
    (r"灌溉|水渠|山坪塘|饮水|自来水", "water"),
]


class Builder:
    def __init__(self, rng: random.Random, now: dt.datetime, cast: Cast, cats: dict[str, Category],
                 by_kind: dict[str, list[Text]], households: dict[str, list[tuple[int, str]]]):
        self.rng, self.now, self.cast, self.cats = rng, now, cast, cats
        self.by_kind, self.households = by_kind, households
        self._pools: dict[tuple[str, str], list[Text]] = {}
        self.sims: list[Sim] = []
        self.cal = deadlines.calendar()
        self._policies: dict[tuple, workdays.DeadlinePolicy] = {}
        self.names: dict[str, str] = {}

    # -- helpers
    def _pick(self, weighted: list[tuple[str, float]]) -> str:
        return self.rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]

    def _due(self, stage: str, a: Appeal, start: dt.datetime) -> workdays.Deadline:
        key = (stage, a.kind, a.category_id, a.urgency)
        if key not in self._policies:
            self._policies[key] = deadlines.rule_for(stage, kind=a.kind, category_id=a.category_id, urgency=a.urgency)
        return workdays.compute_due(start, self._policies[key], self.cal)

    def _text(self, kind: str, family: bool = False) -> Text:
        if family:
            pool = [t for t in self.by_kind["dispute"] if t.category == "S06.04"]
        elif kind == "dispute":
            pool = [t for t in self.by_kind["dispute"] if t.category != "S06.04"]
        else:
            pool = self.by_kind.get(kind) or self.by_kind["problem"]
        return self.rng.choice(pool)

    def _text_of(self, function: str, kind: str) -> Text | None:
        key = (function, kind)
        if key not in self._pools:
            self._pools[key] = [t for t in self.by_kind.get(kind) or self.by_kind["problem"]
                                if self._function(t) == function]
        return self.rng.choice(self._pools[key]) if self._pools[key] else None

    # -- one case
    def case(self, village: str, *, days_back: float, forced: wf.Status | None = None,
             scenario: str | None = None, received: dt.datetime | None = None, same_as: Appeal | None = None) -> Sim:
        rng = self.rng
        if same_as is not None:
            scenario = "none"
        if scenario is None:
            scenario = _FORCED_SCENARIO.get(forced) if forced else self._pick(SCENARIOS)
        kind = {"dispute_spot": "dispute", "dispute_assign": "dispute", "family": "dispute", "petition": "petition",
                "old_petition": "petition", "petition_stuck": "petition", "misconduct": "misconduct",
                "recheck": "petition"}.get(scenario)
        if kind is None:
            kind = self._pick([("problem", 62), ("suggestion", 14), ("help", 12), ("consultation", 12)])
            if scenario in ("explain", "township_explain"):
                kind = self._pick([("consultation", 2), ("problem", 3), ("suggestion", 1)])
        text = self._text(kind, family=scenario == "family")
        if scenario == "county_dept" or (scenario == "dispatch" and forced is not wf.Status.RETURN_REQUESTED):
            # demo-dept's (住建局) forced cases: texts that are 住建局's work (a 退单 is of a case that is not)
            housing = self._text_of("housing", kind) or self._text_of("housing", "problem")
            if housing is not None:
                text = housing
                kind = housing.kind if hasattr(housing, "kind") else kind
        if same_as is not None:
            kind, text = same_as.kind, Text(getattr(same_as.category, "code", "S05"), same_as.kind, same_as.title,
                                            same_as.text, "")
        received = received or (self.now - dt.timedelta(days=days_back) + dt.timedelta(minutes=rng.randint(0, 600)))
        received = min(received, self.now - 2 * H) if forced else min(received, self.now)
        channel = ("letter" if rng.random() < 0.3 else "reception") if kind == "petition" else self._pick(CHANNELS)
        anonymous = channel in ("mailbox", "phone", "web") and rng.random() < 0.25 or kind == "misconduct"
        cadres = self.cast.cadres[village]
        registrar = self.cast.u("c-discipline-1") if kind == "misconduct" else rng.choice(cadres)
        category = self.cats.get(text.category)
        hh = None if anonymous else rng.choice(self.households.get(village) or [(None, "")])
        a = Appeal(number=f"~demo-{len(self.sims)}", kind=kind, region_id=village, household_id=hh[0] if hh else None,
                   channel=channel, category=category, urgency=self._pick([("normal", 90), ("urgent", 8),
                                                                            ("emergency", 2)]),
                   title=text.title[:200], text=text.text, anonymous=anonymous, received_at=received,
                   registered_by=registrar, updated_at=received)
        a.sensitivity = services.sensitivity_of(kind, category)
        response, resolve = self._due("response", a, received), self._due("resolve", a, received)
        a.response_due_at, a.due_at = response.due, resolve.due
        a.due_estimated = response.estimated or resolve.estimated
        state, event = wf.apply(None, wf.Action("register", services.actor_key(registrar), received, {
            "kind": kind, "level": "village", "channel": channel, "anonymous": anonymous,
            "category": category.code if category else "", "urgency": a.urgency}))
        services.sync_columns(a, state, event)
        sim = Sim(len(self.sims), a, received, state, stop_at=forced, speed=0.25 if forced else 1.0)
        sim.events.append((event, registrar, state))
        phone = "" if anonymous else "1" + rng.choice("3589") + "".join(str(rng.randint(0, 9)) for _ in range(9))
        sim.reports.append(Report(appeal=a, region_id=village, channel=channel, household_id=a.household_id,
                                  reporter_name=hh[1] if hh else "", phone_enc=crypto.encrypt(phone),
                                  phone_hash=crypto.lookup_hash(phone), phone_masked=mask_phone(phone),
                                  anonymous=anonymous, text=text.text, received_at=received, received_by=registrar))
        self.sims.append(sim)
        if forced is not wf.Status.MERGED:
            try:
                getattr(self, f"_s_{scenario}")(sim, village, text)
            except Stop:
                pass
        if forced is wf.Status.MERGED or (scenario in ("village", "township", "county") and rng.random() < 0.06):
            self._duplicate(sim, village)
        return sim

    @staticmethod
    def _at(sim: Sim, hours: float) -> dt.datetime:
        return sim.t + dt.timedelta(hours=max(0.1, hours) * sim.speed)

    def do(self, sim: Sim, name: str, actor: User | None, hours: float, **payload: Any) -> None:
        at = self._at(sim, hours)
        if at > self.now:
            raise Stop
        clean = {k: v for k, v in payload.items() if v is not None}
        new, event = wf.apply(sim.state, wf.Action(name, services.actor_key(actor), at, clean))
        services.sync_columns(sim.appeal, new, event, self.names)
        sim.appeal.version += 1
        if name == "add_progress" and clean.get("cost"):
            sim.appeal.cost = (sim.appeal.cost or Decimal(0)) + Decimal(clean["cost"])
            sim.appeal.fund_source = clean.get("fund_source", "")
        sim.events.append((event, actor, new))
        sim.state, sim.t = new, at
        if name == "add_progress":
            cost = Decimal(clean["cost"]) if clean.get("cost") else None
            sim.progress.append(Progress(appeal=sim.appeal, at=at, by=actor, note=clean["note"], cost=cost,
                                         fund_source=clean.get("fund_source", "")))
        if name in ("return_visit", "return_visit_failed"):
            sim.visits.append(ReturnVisit(appeal=sim.appeal, at=at, by=actor, reached=name == "return_visit",
                                          satisfaction=clean.get("satisfaction", ""), note=clean.get("note", "")))
        if sim.stop_at is not None and new.status is sim.stop_at:
            raise Stop

    def _assign(self, sim: Sim, actor: User, unit: Unit, person: User, hours: float, via_review: bool) -> None:
        self.names[str(person.pk)] = str(person)
        at = self._at(sim, hours)
        due = self._due("resolve", sim.appeal, at).due
        payload = {"unit": str(unit.pk), "person": str(person.pk), "measures": "明确责任人，限期整改到位", "due": due}
        if via_review:
            self.do(sim, "review", actor, hours, decision="assign", opinion="经研判，交责任单位限期办理", **payload)
        else:
            self.do(sim, "assign", actor, hours, **payload)

    def _handle(self, sim: Sim, handler: User, verifier: User, visitor: User, approver: User, answer: str,
                leader: User | None = None, stuck: bool = False) -> None:
        """办理 → (督办, 催办, 延期, 中止) → 报结 → 核查 → 回访 → 办结, with the demo's mix."""
        rng, forced = self.rng, sim.stop_at
        if leader is not None and (rng.random() < 0.5 or forced is wf.Status.ASSIGNED):
            self.do(sim, "supervise", leader, rng.uniform(2, 48), leader=str(leader.pk),
                    level=sim.state.level.value, note="挂牌督办，限期办结")
        money = rng.random() < 0.25
        self.do(sim, "add_progress", handler, rng.uniform(20, 120), note="已现场查看，制定整改方案",
                cost=str(rng.choice([2000, 5000, 8000, 30000, 80000, 700000])) if money else None,
                fund_source=rng.choice(["县级财政", "乡镇自筹", "村集体经济", "项目资金"]) if money else None)
        if stuck:
            self.do(sim, "add_progress", handler, rng.uniform(200, 600), note="正在协调资金，尚未完成")
            sim.t = self.now  # nothing more happens: the case runs past its deadline
            raise Stop
        if rng.random() < 0.2:
            self.do(sim, "remind", leader or approver, rng.uniform(24, 96), note="请加快办理进度")
        if rng.random() < 0.08 or forced is wf.Status.EXTENSION_REQUESTED:
            self.do(sim, "request_extension", handler, rng.uniform(24, 72), days=rng.choice([7, 10, 15]),
                    reason="涉及资金审批，需延长办理时间")
            self.do(sim, "approve_extension", approver, rng.uniform(4, 48), note="同意延期")
        if rng.random() < 0.03 or forced is wf.Status.SUSPENDED:
            self.do(sim, "suspend", handler, rng.uniform(24, 72), reason="雨季无法施工，暂停办理")
            self.do(sim, "resume", handler, rng.uniform(72, 400), note="天气好转，恢复施工")
        self.do(sim, "submit_result", handler, rng.uniform(48, 240), result=answer or "已按整改措施办理完毕")
        self.do(sim, "verify", verifier, rng.uniform(4, 72), passed=True, note="现场核查，整改到位")
        unreachable = sim.appeal.anonymous or rng.random() < 0.03
        if unreachable and forced is None:
            if sim.appeal.anonymous:
                self.do(sim, "close", verifier, rng.uniform(2, 48), outcome="solved", reason="anonymous")
                return
            for _ in range(3):
                self.do(sim, "return_visit_failed", visitor, rng.uniform(20, 50), method="电话", note="无人接听")
            self.do(sim, "close", verifier, rng.uniform(2, 24), outcome="solved", reason="unreachable")
            return
        answer_of = self._pick([("satisfied", 75), ("basically_satisfied", 18), ("unsatisfied", 7)])
        if forced is not None and answer_of == "unsatisfied":
            answer_of = "basically_satisfied"
        if answer_of == "unsatisfied" and forced is None:
            self.do(sim, "return_visit", visitor, rng.uniform(24, 120), satisfaction="unsatisfied", method="入户",
                    note="群众认为问题未彻底解决")
            self.do(sim, "add_progress", handler, rng.uniform(48, 200), note="重新办理，补充整改")
            self.do(sim, "submit_result", handler, rng.uniform(48, 200), result="已补充整改")
            self.do(sim, "verify", verifier, rng.uniform(4, 48), passed=True, note="复核整改到位")
            answer_of = self._pick([("satisfied", 6), ("basically_satisfied", 3), ("unsatisfied", 1)])
            if answer_of == "unsatisfied":
                self.do(sim, "return_visit", visitor, rng.uniform(24, 120), satisfaction="unsatisfied",
                        reopen=False, note="诉求超出政策范围，已解释")
                self.do(sim, "close", verifier, rng.uniform(2, 48), outcome="unsolved", note="诉求超出政策，无法满足")
                self.do(sim, "flag_accountability", leader or approver, rng.uniform(24, 120),
                        reason="群众不满意办结", persons=[str(handler)])
                return
        self.do(sim, "return_visit", visitor, rng.uniform(24, 120), satisfaction=answer_of, method="入户")
        if forced is wf.Status.CLOSED_UNSOLVED or (forced is None and rng.random() < 0.02):
            self.do(sim, "close", verifier, rng.uniform(2, 48), outcome="unsolved", note="受客观条件限制暂无法解决")
            return
        self.do(sim, "close", verifier, rng.uniform(2, 48), outcome="solved")

    # -- scenarios: each drives one case as far as the demo's 'now' allows
    def _s_none(self, sim: Sim, v: str, text: Text) -> None:
        """A case that only gets registered here (a duplicate, merged by the caller)."""

    def _s_spot(self, sim: Sim, v: str, text: Text) -> None:
        actor = sim.events[0][1]
        sat = self._pick([("satisfied", 60), ("basically_satisfied", 12), ("", 28)]) or None
        self.do(sim, "solve_on_spot", actor, self.rng.uniform(0.2, 3), what=text.answer or "现场协调解决",
                satisfaction=sat)

    def _s_explain(self, sim: Sim, v: str, text: Text) -> None:
        self.do(sim, "explain_policy", sim.events[0][1], self.rng.uniform(1, 48),
                text=text.answer or "已向群众解释相关政策规定")

    def _village_team(self, v: str) -> tuple[User, User, User]:
        cadres = self.cast.cadres[v]
        handler = cadres[1 % len(cadres)]
        verifier = self.cast.leads[self.cast.township_of[v]][0]
        return handler, verifier, cadres[0]

    def _s_village(self, sim: Sim, v: str, text: Text) -> None:
        handler, verifier, visitor = self._village_team(v)
        self._assign(sim, sim.events[0][1], self.cast.units[f"v:{v}"], handler, self.rng.uniform(2, 48), False)
        self._handle(sim, handler, verifier, visitor, visitor, text.answer)

    def _s_open_recent(self, sim: Sim, v: str, text: Text) -> None:
        sim.stop_at = self.rng.choice([wf.Status.REGISTERED, wf.Status.ASSIGNED, wf.Status.IN_PROGRESS,
                                       wf.Status.AWAITING_VERIFICATION, wf.Status.AWAITING_RETURN_VISIT])
        sim.t = max(sim.t, self.now - dt.timedelta(days=self.rng.uniform(2, 20)))
        sim.appeal.received_at = sim.appeal.updated_at = sim.t
        self._fix_register_time(sim)
        if sim.stop_at is not wf.Status.REGISTERED:
            self._s_village(sim, v, text)

    def _fix_register_time(self, sim: Sim) -> None:
        event, actor, _s = sim.events[0]
        state = wf.AppealState(**{**sim.state.__dict__, "last_at": sim.t})
        ev = wf.Event(event.action, event.actor, sim.t, None, event.to_status, event.payload)
        sim.state, sim.events[0] = state, (ev, actor, state)
        sim.reports[0].received_at = sim.t
        a = sim.appeal
        a.response_due_at, a.due_at = self._due("response", a, sim.t).due, self._due("resolve", a, sim.t).due
        services.sync_columns(a, state, ev)

    def _escalate(self, sim: Sim, v: str, to_county: bool) -> None:
        self.do(sim, "escalate", sim.events[0][1], self.rng.uniform(2, 72), reason="村级无法解决，提请乡镇研判")
        if to_county:
            t = self.cast.township_of[v]
            self.do(sim, "escalate", self.cast.township_secretary(t), self.rng.uniform(24, 120),
                    reason="涉及县级部门职责，报县级研判")

    def _function(self, text: Text) -> str:
        """The unit function whose work the case is: the words of the case first (低保 is 民政's work,
        医保 the 医保局's, whatever broad class the text was filed under), then its class."""
        for pattern, fn in FUNCTION_WORDS:
            if re.search(pattern, text.title + text.text[:200]):
                return fn
        cat = self.cats.get(text.category)
        return (cat.default_unit_function or (cat.parent.default_unit_function if cat.parent else "")) if cat else ""

    def _unit_for(self, text: Text, v: str, county: bool) -> tuple[Unit, User | None]:
        fn = self._function(text)
        if county:
            # a class with no department of its own goes to the 信访局, which coordinates, never to 住建局
            unit = self.cast.units.get(f"dept:{fn}") or self.cast.units["dept:petitions"]
            person = self.cast.u(f"d-{unit.function}-1")
            if unit.function == "housing" and self.rng.random() < 0.5:
                person = self.cast.u("demo-dept")
            return unit, person
        t = self.cast.township_of[v]
        if fn in STATION_FUNCTIONS:
            return self.cast.units[f"s:{t}:{fn}"], self.cast.u(f"t-{t}-{fn}")
        return self.cast.units[f"t:{t}"], self.cast.leads[t][self.rng.randrange(len(self.cast.leads[t]))]

    def _s_township(self, sim: Sim, v: str, text: Text) -> None:
        t = self.cast.township_of[v]
        self._escalate(sim, v, False)
        unit, person = self._unit_for(text, v, False)
        head = self.cast.township_head(t)
        self._assign(sim, self.cast.township_secretary(t), unit, person, self.rng.uniform(24, 96), True)
        leader = self.cast.township_secretary(t) if self.rng.random() < 0.3 else None
        verifier = head if head.pk != person.pk else self.cast.township_secretary(t)
        self._handle(sim, person, verifier, self.cast.cadres[v][0], verifier, text.answer, leader)

    def _s_township_explain(self, sim: Sim, v: str, text: Text) -> None:
        self._escalate(sim, v, False)
        t = self.cast.township_of[v]
        self.do(sim, "review", self.cast.township_secretary(t), self.rng.uniform(24, 96), decision="explain",
                text=text.answer or "经乡镇研判，诉求不符合政策规定，已做好解释", opinion="超出政策范围")

    def _s_county(self, sim: Sim, v: str, text: Text, force_dept: bool = False) -> None:
        self._escalate(sim, v, True)
        unit, person = self._unit_for(text, v, True)
        if force_dept and unit.function == "housing":  # demo-dept's own cases (texts of 住建局's work)
            person = self.cast.u("demo-dept")
        leader = self.cast.county_leaders[self.rng.randrange(len(self.cast.county_leaders))]
        self._assign(sim, leader, unit, person, self.rng.uniform(24, 120), True)
        head = self.cast.u(f"d-{unit.function}-head") or leader
        self._handle(sim, person, head, self.cast.cadres[v][0], head, text.answer, leader)

    def _s_petition(self, sim: Sim, v: str, text: Text) -> None:
        if self.rng.random() < 0.3:
            self._s_county(sim, v, text)
        else:
            self._s_township(sim, v, text)

    def _s_stuck(self, sim: Sim, v: str, text: Text) -> None:
        # Re-time the case to 1–5 months ago so its deadline has passed while it is still open.
        sim.t = self.now - dt.timedelta(days=self.rng.uniform(30, 150))
        sim.appeal.received_at = sim.appeal.updated_at = sim.t
        self._fix_register_time(sim)
        t = self.cast.township_of[v]
        self._escalate(sim, v, False)
        unit, person = self._unit_for(text, v, False)
        self._assign(sim, self.cast.township_secretary(t), unit, person, self.rng.uniform(24, 72), True)
        self._handle(sim, person, self.cast.township_head(t), self.cast.cadres[v][0], self.cast.township_head(t),
                     text.answer, stuck=True)

    def _retime(self, sim: Sim, days_ago: float) -> None:
        sim.t = self.now - dt.timedelta(days=days_ago)
        sim.appeal.received_at = sim.appeal.updated_at = sim.t
        self._fix_register_time(sim)

    def _s_old_petition(self, sim: Sim, v: str, text: Text) -> None:
        """信访积案: a petition from 16–24 months ago that ran past its limit; most are cleared during the
        last year (积案化解), the rest are still open — so the backlog falls year on year, as in the seeds."""
        self._retime(sim, self.rng.uniform(480, 720))  # past its limit a year ago
        t = self.cast.township_of[v]
        self._escalate(sim, v, False)
        unit, person = self._unit_for(text, v, False)
        self._assign(sim, self.cast.township_secretary(t), unit, person, self.rng.uniform(24, 72), True)
        self.do(sim, "add_progress", person, self.rng.uniform(48, 200), note="涉及历史遗留问题，正在协调")
        if self.rng.random() < 0.3:
            sim.t = self.now
            raise Stop
        sim.t = self.now - dt.timedelta(days=self.rng.uniform(20, 330))  # 积案化解 within the last year
        head = self.cast.township_head(t)
        verifier = head if head.pk != person.pk else self.cast.township_secretary(t)
        self._handle(sim, person, verifier, self.cast.cadres[v][0], verifier, text.answer,
                     self.cast.township_secretary(t))

    def _s_petition_stuck(self, sim: Sim, v: str, text: Text) -> None:
        """A petition of the last year still open past its limit: this year's part of the backlog."""
        self._retime(sim, self.rng.uniform(90, 300))
        t = self.cast.township_of[v]
        self._escalate(sim, v, False)
        unit, person = self._unit_for(text, v, False)
        self._assign(sim, self.cast.township_secretary(t), unit, person, self.rng.uniform(24, 72), True)
        self._handle(sim, person, self.cast.township_head(t), self.cast.cadres[v][0], self.cast.township_head(t),
                     text.answer, stuck=True)

    def _s_dispute_spot(self, sim: Sim, v: str, text: Text) -> None:
        self.do(sim, "solve_on_spot", self.cast.mediator(v), self.rng.uniform(2, 72),
                what=text.answer or "调解员组织双方协商，达成调解协议", satisfaction="satisfied")

    def _s_dispute_assign(self, sim: Sim, v: str, text: Text) -> None:
        mediator = self.cast.mediator(v)
        t = self.cast.township_of[v]
        self._assign(sim, self.cast.cadres[v][0], self.cast.units[f"m:{v}"], mediator, self.rng.uniform(2, 48), False)
        lead = self.cast.leads[t][0]
        self._handle(sim, mediator, lead, self.cast.cadres[v][0], lead, text.answer)

    def _s_family(self, sim: Sim, v: str, text: Text) -> None:
        if self.rng.random() < 0.6:
            self._s_dispute_spot(sim, v, text)
        else:
            mediator, lead = self.cast.mediator(v), self.cast.leads[self.cast.township_of[v]][0]
            self._assign(sim, mediator, self.cast.units[f"m:{v}"], mediator, self.rng.uniform(2, 48), False)
            self._handle(sim, mediator, lead, mediator, lead, text.answer)

    def _s_misconduct(self, sim: Sim, v: str, text: Text) -> None:
        inspector = self.cast.u("c-discipline-1")
        cadres = self.cast.cadres[v]
        sim.appeal._reported = [cadres[-1]]  # the person named: never sees the report
        if self.rng.random() < 0.4:
            self.do(sim, "review", inspector, self.rng.uniform(24, 120), decision="explain",
                    text=text.answer or "经核查，反映问题查无实据，已向举报人反馈")
            return
        self._assign(sim, inspector, self.cast.units["discipline"], inspector, self.rng.uniform(24, 120), True)
        self.do(sim, "add_progress", inspector, self.rng.uniform(48, 240), note="已立案调查，正在核实")

    def _duplicate(self, target: Sim, v: str) -> None:
        """Another resident raises the same thing; the duplicate is merged into the open case."""
        rng = self.rng
        dup = self.case(v, days_back=0, received=target.appeal.received_at + H * rng.uniform(0.5, 6),
                        same_as=target.appeal)
        at = dup.t + H * rng.uniform(0.5, 4)
        if at > self.now or at <= target.events[0][0].at or (
                target.state.group not in (wf.Group.OPEN, wf.Group.PAUSED) and at >= _closed_at(target)):
            return  # too late (or the target closed first): the duplicate stays registered
        try:
            self.do(dup, "merge_into", dup.events[0][1], (at - dup.t).total_seconds() / 3600, target=f"@{target.index}",
                    note="同一问题，合并办理")
        except Stop:
            return
        dup.merge_target = target.index
        target.received_from.append(dup.index)

    # -- writing
    def save(self) -> None:
        with transaction.atomic():
            self._save()

    def _save(self) -> None:
        sims = self.sims
        appeals = [s.appeal for s in sims]
        Appeal.objects.bulk_create(appeals, batch_size=1000)
        merged: list[Appeal] = []
        for s in sims:
            s.appeal.number = services.appeal_number(s.appeal.region_id, s.appeal.received_at, s.appeal.pk)
        for s in sims:
            if s.merge_target is not None:
                target = sims[s.merge_target].appeal
                s.appeal.merged_into_id = target.pk
                s.appeal.state = {**s.appeal.state, "merged_into": target.number}
                merged.append(s.appeal)
        Appeal.objects.bulk_update(appeals, ["number"], batch_size=1000)
        Appeal.objects.bulk_update(merged, ["merged_into", "state"], batch_size=1000)
        reported = Appeal.reported_users.through
        reported.objects.bulk_create([reported(appeal_id=s.appeal.pk, user_id=u.pk) for s in sims
                                      for u in getattr(s.appeal, "_reported", [])])
        # Reports of merged cases live with their target (as services.merge moves them).
        for s in sims:
            if s.merge_target is not None:
                target = sims[s.merge_target]
                for r in s.reports:
                    r.appeal = target.appeal
                    if target.appeal.closed_at is not None:
                        r.notified_at, r.notified_method = target.appeal.closed_at, "电话"
            elif s.appeal.closed_at is not None:
                for r in s.reports:
                    r.notified_at, r.notified_method = s.appeal.closed_at, "电话"  # told at the return visit
        Report.objects.bulk_create([r for s in sims for r in s.reports], batch_size=2000)
        Progress.objects.bulk_create([p for s in sims for p in s.progress], batch_size=2000)
        ReturnVisit.objects.bulk_create([v for s in sims for v in s.visits], batch_size=2000)
        rows: list[tuple[AppealEvent, str, dict]] = []
        for s in sims:
            for event, actor, state in s.events:
                row = services.event_row(s.appeal, event, getattr(actor, "pk", None), state)
                if event.action == "merge_into":
                    target = sims[s.merge_target].appeal if s.merge_target is not None else None
                    row.payload = {**row.payload, "target": target.number if target else "",
                                   "reports": [r.pk for r in s.reports]}
                rows.append((row, f"appeal.{event.action}", {**services.audit_changes(event),
                                                             **({"target": row.payload["target"]}
                                                                if event.action == "merge_into" else {})}))
                if event.action == "merge_into" and s.merge_target is not None:
                    target = sims[s.merge_target].appeal
                    payload = {"source": s.appeal.number, "reports": [r.pk for r in s.reports]}
                    received = AppealEvent(appeal=target, region_id=target.region_id, action="merge_received",
                                           from_status=event.from_status.value if event.from_status else "",
                                           to_status=event.from_status.value if event.from_status else "",
                                           level="village", at=event.at, actor_id=getattr(actor, "pk", None),
                                           payload=payload)
                    rows.append((received, "appeal.merge_received", payload))
        rows.sort(key=lambda r: (r[0].at, r[0].appeal.pk))
        AppealEvent.objects.bulk_create([r[0] for r in rows], batch_size=2000)
        _chain(rows)


_FORCED_SCENARIO = {
    wf.Status.REGISTERED: "village", wf.Status.ESCALATED: "township", wf.Status.ASSIGNED: "county_dept",
    wf.Status.IN_PROGRESS: "county_dept", wf.Status.EXTENSION_REQUESTED: "county_dept",
    wf.Status.SUSPENDED: "township", wf.Status.AWAITING_VERIFICATION: "county_dept",
    wf.Status.AWAITING_RETURN_VISIT: "village", wf.Status.AWAITING_CLOSURE: "township",
    wf.Status.CLOSED_SOLVED: "county_dept", wf.Status.SOLVED_ON_SPOT: "spot", wf.Status.EXPLAINED: "explain",
    wf.Status.CLOSED_UNSOLVED: "village", wf.Status.MERGED: "village", wf.Status.RETURN_REQUESTED: "dispatch",
    wf.Status.REFER_PROPOSED: "dispatch", wf.Status.REFERRED: "dispatch", wf.Status.RECHECKING: "recheck",
    wf.Status.REEXAMINING: "recheck",
}  # fmt: skip


def _county_dept(self: Builder, sim: Sim, v: str, text: Text) -> None:
    self._s_county(sim, v, text, force_dept=True)


def _dispatch(self: Builder, sim: Sim, v: str, text: Text) -> None:
    """退单, or 导入法定途径 proposed by 住建局 (the demo's department account), confirmed, verified, visited."""
    rng, unit, person = self.rng, self.cast.units["dept:housing"], self.cast.u("demo-dept")
    leader = self.cast.county_leaders[0]
    self._escalate(sim, v, True)
    self._assign(sim, leader, unit, person, rng.uniform(24, 48), True)
    if sim.stop_at is wf.Status.RETURN_REQUESTED:
        self.do(sim, "return", person, 2, unit=str(unit.pk), reason="该事项属交通运输部门职责，申请退单")
        return
    self.do(sim, "refer", person, rng.uniform(24, 72), body="县人民法院", reason="涉及施工合同纠纷，须经诉讼解决")
    head = self.cast.u(f"d-{unit.function}-head") or leader
    self.do(sim, "confirm_refer", leader, rng.uniform(4, 24), note="同意导入诉讼程序")
    self.do(sim, "verify", head, rng.uniform(4, 24), passed=True, note="已告知群众诉讼途径")
    self.do(sim, "return_visit", self.cast.cadres[v][0], rng.uniform(24, 72), satisfaction="basically_satisfied",
            method="电话")
    self.do(sim, "close", head, rng.uniform(2, 24), outcome="unsolved", note="已导入诉讼程序")


def _recheck(self: Builder, sim: Sim, v: str, text: Text) -> None:
    """信访: answered, 复查 asked and decided one level up, then 复核 asked."""
    cadre, rng = sim.events[0][1], self.rng
    self.do(sim, "explain_policy", cadre, rng.uniform(2, 24), text=text.answer or "已依政策书面答复")
    self.do(sim, "request_recheck", cadre, rng.uniform(48, 200), reason="信访人对答复意见不服，申请复查")
    self.do(sim, "recheck", self.cast.township_secretary(self.cast.township_of[v]), rng.uniform(48, 300),
            outcome="unsolved", opinion="经复查，维持原答复意见")
    self.do(sim, "request_reexamine", cadre, rng.uniform(48, 200), reason="信访人对复查意见不服，申请复核")


Builder._s_county_dept = _county_dept  # type: ignore[attr-defined]
Builder._s_dispatch = _dispatch  # type: ignore[attr-defined]
Builder._s_recheck = _recheck  # type: ignore[attr-defined]


def _closed_at(sim: Sim) -> dt.datetime:
    return sim.appeal.closed_at or sim.t



def _chain(rows: list[tuple[AppealEvent, str, dict]]) -> None:
    """The audit events services.py would have written, appended to the county's hash chain."""
    if not rows:
        return
    key = audit_log.stream_for(rows[0][0].region_id)
    AuditStream.objects.get_or_create(key=key)
    head = AuditStream.objects.select_for_update().get(key=key)
    seq, prev = head.last_seq, head.last_hash
    events: list[AuditEvent] = []
    names = dict(User.objects.filter(pk__in={r.actor_id for r, _a, _c in rows if r.actor_id})
                 .values_list("pk", "display_name"))
    usernames = dict(User.objects.filter(pk__in=list(names)).values_list("pk", "username"))
    for row, action, changes in rows:
        seq += 1
        who = (names.get(row.actor_id) or usernames.get(row.actor_id)) if row.actor_id else "system"
        e = AuditEvent(stream=key, seq=seq, at=row.at, actor_id=row.actor_id, actor_name=who,
                       ip=None, action=action, object_type="appeals.appeal", object_id=str(row.appeal.pk),
                       region_code=row.region_id, changes=audit_log._canonical(changes), reason=row.reason,
                       prev_hash=prev)
        e.hash = audit_log._digest(prev, audit_log._hashed_fields(e))
        prev = e.hash
        events.append(e)
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    head.last_seq, head.last_hash = seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
