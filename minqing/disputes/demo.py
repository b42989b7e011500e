"""Demo disputes: a year of 矛盾纠纷 in the demo county, through every path — solved in people's
mediation, handed to administrative and then judicial mediation, agreements kept and broken
(reopened, mediated again), referred to a court or to arbitration, family disputes, and a few
still being screened or mediated. Run through services.py (and so through the appeals workflow,
AppealEvent and the audit chain) with each step's own time: a dispute for every ~33 households,
between 24 and 150. Through the services a dispute costs ~200 queries (~0.15 s on SQLite), so
5 000 households take ~20–30 s here: a bulk build like appeals/demo.py would be the next step.
Deterministic for a given rng and anchor."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from minqing.appeals import workflow as wf
from minqing.households.models import Household
from minqing.lib.workdays import TZ

from . import parties, services
from .models import Dispute, DisputeKind, Outcome

DEMO_PARTY_CODE = "MQTJ-XHXY-2345-6789"  # public on purpose: demo data only (docs/decisions/0012)
PATH_LABELS = {"people": "人民调解成功", "people_open": "人民调解中", "screening": "排查登记",
               "administrative": "转行政调解", "judicial": "转司法调解", "broken": "协议未履行重启",
               "court": "引导诉讼", "arbitration": "引导仲裁", "family": "婚姻家庭"}
PATHS = [("people", 40), ("people_open", 8), ("screening", 5), ("administrative", 12), ("judicial", 6),
         ("broken", 9), ("court", 7), ("arbitration", 3), ("family", 10)]
KIND_WEIGHTS = [("neighbour", 30), ("land", 22), ("forest", 8), ("support", 10), ("labour", 6), ("expropriation", 6),
                ("other", 8)]
SUBJECTS = {
    "neighbour": [("遮雨棚过界纠纷", "他家遮雨棚伸过界，雨水全流进我家院坝。", "棚子搭在自家宅基地上，没有过界。"),
                  ("排水沟堵塞纠纷", "他家把排水沟填了，下雨我家进水。", "沟是我家地里的，填了种菜。"),
                  ("家禽毁坏菜地", "他家的鸭子把我家菜地糟蹋完了。", "鸭子关不住，愿意赔一点。")],
    "land": [("承包地界址争议", "田埂往我家这边挪了半米。", "界桩一直在这里，是他记错了。"),
             ("土地流转租金纠纷", "流转费拖了两年没给。", "合作社亏损，暂时拿不出钱。")],
    "forest": [("山林界址纠纷", "他家砍树砍到我家林子里。", "那片林子分山到户时就划给我家。")],
    "support": [("老人赡养费分担", "三兄弟都不愿出老人的生活费。", "我在外打工，收入少，出不了那么多。")],
    "family": [("夫妻矛盾调解", "他常年在外不管家，要离婚分财产。", "房子是我父母出钱修的，不能分。")],
    "labour": [("拖欠务工工资", "在厂里干了八个月，工资只发了一半。", "工程款没到位，年底一次结清。")],
    "expropriation": [("征地补偿分配纠纷", "组里分征地款漏了我家两口人。", "户口迁出的人不参加分配，组里开会定的。")],
    "other": [("借款纠纷", "借给他两万块，三年了不还。", "当时说好是合伙投资，不是借款。")],
}
# What an agreement settles, by subject: terms that answer the claims (no 赡养费 in a 遮雨棚 dispute).
TERMS = {
    "遮雨棚过界纠纷": ["拆除过界部分遮雨棚", "加装檐沟，雨水引入自家排水沟", "赔礼道歉"],
    "排水沟堵塞纠纷": ["恢复排水沟原状", "共同修缮排水沟", "另行开挖菜地排水沟"],
    "家禽毁坏菜地": ["家禽圈养，不再散放", "赔偿菜地损失", "赔礼道歉"],
    "承包地界址争议": ["由村组按确权图重新确定界桩", "恢复田埂原位"],
    "土地流转租金纠纷": ["分期支付拖欠的流转费", "按合同约定时间支付今后的流转费"],
    "山林界址纠纷": ["按林权证重新确定山林界址", "赔偿越界砍伐的林木损失"],
    "老人赡养费分担": ["三兄弟按月分担老人生活费", "轮流照料老人起居", "老人医疗费按比例分担"],
    "夫妻矛盾调解": ["双方冷静协商三个月", "共同承担子女抚养费用"],
    "拖欠务工工资": ["先行支付拖欠工资的一半", "年底前结清余下工资"],
    "征地补偿分配纠纷": ["组里重新核对分配名单", "按组会决议补发征地补偿款"],
    "借款纠纷": ["分期归还借款", "双方签订还款协议"],
}
# What each side says in a session (side 1, other sides), by the session's result; no rng drawn.
STATEMENTS = {"first": ("{claim}", "{claim}"),
              "continue": ("坚持原来的主张，希望尽快解决。", "表示可以再商量。"),
              "failed": ("坚持原来的要求，不同意对方的说法。", "对方要求太高，不能接受。"),
              "agreed": ("同意调解方案，按协议办。", "同意，按期履行。")}
VENUES = ["courtyard", "reasoning", "field_court", "night_talk", "mediation_room", "home"]
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


class Stop(Exception):
    """The next step would be after the demo's 'now': the dispute stays where it is."""


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    names, weights = zip(*weighted, strict=True)
    return rng.choices(names, weights)[0]


class Story:
    """One dispute's script; each step moves the clock forward and stops at 'now'."""

    def __init__(self, rng: random.Random, now: dt.datetime, start: dt.datetime):
        self.rng, self.now, self.t = rng, now, start

    def step(self, days_lo: float, days_hi: float) -> dt.datetime:
        t = (self.t + dt.timedelta(days=self.rng.uniform(days_lo, days_hi)) + H).astimezone(TZ)
        t = t.replace(hour=self.rng.randint(8, 18), minute=self.rng.choice((0, 15, 30, 45)))  # in the daytime
        self.t = t if t > self.t + H else self.t + 2 * H
        if self.t + 2 * H >= self.now:  # the step and what follows it within the hour
            raise Stop
        return self.t


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any, villages: dict[str, list[Any]],
         shared: Any = None, progress: Callable[[str], None] = print, **_: Any) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
    homes: dict[str, list[tuple[int, str]]] = {}
    for pk, code, head in Household.objects.order_by("pk").values_list("pk", "region_id", "head_name"):
        homes.setdefault(code, []).append((pk, head))
    township_of = {v.code: t for t, vs in villages.items() for v in vs}
    places = [code for code in township_of if len(homes.get(code, ())) >= 2]
    if not places:
        return
    demo = [code for code in _demo_villages(staffing) if code in places]
    total = max(24, min(150, sum(len(h) for h in homes.values()) // 33))
    kinds = {k.code: k for k in DisputeKind.objects.filter(is_active=True)}
    counts: dict[str, int] = {}
    started = time.monotonic()
    for i in range(total):
        village = demo[i % len(demo)] if demo and i % 6 == 0 else rng.choice(places)
        path = _pick(rng, PATHS)
        kind = "family" if path == "family" else "labour" if path == "arbitration" else _pick(rng, KIND_WEIGHTS)
        if kind not in kinds:
            continue
        recent = path in ("screening", "people_open")  # still open: found lately, not a year ago
        found = now - dt.timedelta(days=rng.uniform(1, 40 if recent else 365), hours=rng.uniform(0, 8))
        try:
            _story(rng, now, found, staffing, village, township_of[village], homes[village], kind, path)
        except Stop:
            pass
        counts[path] = counts.get(path, 0) + 1
    adopted = services.adopt(now=now)  # the appeals demo's dispute appeals get their dispute rows
    paths = "，".join(f"{PATH_LABELS.get(k, k)} {v}" for k, v in sorted(counts.items()))
    shown = _party_code(demo, now)
    progress(f"矛盾纠纷 {sum(counts.values())} 件（{paths}"
             + f"），另有诉求登记的纠纷 {adopted} 件，用时 {time.monotonic() - started:.1f} 秒"
             + (f"；演示当事人查询码 {DEMO_PARTY_CODE}（{shown}）" if shown else ""))


def _party_code(demo: list[str], now: dt.datetime) -> str:
    """The documented code, for side 1 of a dispute whose agreement is being performed — of a demo
    village when one has such a dispute, else of another village (else one with an agreement, else
    any; not a family matter when there is a choice), so a reviewer can try /portal/mediation/."""
    rows = list(Dispute.objects.alive().filter(appeal__region_id__in=demo).select_related("appeal")
                .order_by("-found_at", "id"))
    if not any(services.phase(d) == "performing" for d in rows):  # few disputes are the demo villages'
        rows += list(Dispute.objects.alive().filter(outcome=Outcome.AGREED, appeal__group=wf.Group.OPEN.value)
                     .select_related("appeal").order_by("appeal__region_id", "-found_at", "id")[:50])
    ranked = sorted(rows, key=lambda d: (services.phase(d) != "performing", d.outcome != Outcome.AGREED,
                                         d.appeal.sensitivity != "normal"))
    for d in ranked:
        party = d.parties.alive().order_by("side", "id").first()
        if party is not None:
            parties.issue_code(d, party, actor=None, now=now, code=DEMO_PARTY_CODE)
            return f"{d.appeal.number}，{party.name}"
    return ""


def _demo_villages(staffing: Any) -> list[str]:
    codes = []
    for name in ("demo-village-a", "demo-village-b"):
        user = staffing.users.get(name)
        codes += [code for code, cadres in staffing.village_cadres.items() if user is not None and user in cadres]
    return codes


def _story(rng: random.Random, now: dt.datetime, found: dt.datetime, staffing: Any, village: str, township: str,
           homes: list[tuple[int, str]], kind: str, path: str) -> None:
    users, units = staffing.users, staffing.units
    cadre = staffing.village_cadres[village][0]
    mediator = users.get(f"v-{village}-med") or cadre
    lead = staffing.township_leads[township][0]
    family = kind == "family"
    registrar = mediator if family else cadre
    (a_pk, _a), (b_pk, _b) = rng.sample(homes, 2)
    title, claim_a, claim_b = rng.choice(SUBJECTS[kind])
    second = ({"side": 2, "kind": "enterprise", "name": rng.choice(["宏达建材厂", "顺发砖厂", "绿源种植合作社"]),
               "claim": claim_b} if kind == "labour" else {"side": 2, "kind": "household", "household": b_pk,
                                                           "claim": claim_b})
    level = _pick(rng, [("low", 60), ("medium", 30), ("high", 10)])
    risks = [r for r, p in (("petition", 0.25), ("group", 0.08), ("violence", 0.12)) if rng.random() < p]
    s = Story(rng, now, found)
    d = services.register_dispute(
        actor=registrar, region=village, kind=kind, title=title, text=f"{title}：{claim_a}", source=_pick(
            rng, [("visit", 60), ("meeting", 25), ("report", 15)]), risk_level=level, risks=risks,
        parties=[{"side": 1, "kind": "household", "household": a_pk, "claim": claim_a}, second],
        found_at=found, now=found)
    if path == "screening":
        return
    if rng.random() < 0.3:
        services.review_risk(d, actor=registrar, level=_pick(rng, [("low", 50), ("medium", 35), ("high", 15)]),
                             risks=risks, note="定期研判", now=s.step(3, 12))
    if path == "arbitration":
        services.refer(d, actor=cadre, to="arbitration", body="宣汉县劳动人事争议仲裁委员会",
                       reason="劳动报酬争议，依法先行仲裁", now=s.step(1, 5))
        return
    services.start_stage(d, actor=registrar, kind="people", unit=units.get(f"m:{village}"), mediator=mediator,
                         now=s.step(0.5, 3))
    handler, agent = mediator, mediator
    _sessions(rng, s, d, agent, rng.randint(1, 2), last="continue")
    if path == "people_open":
        return
    if path == "court":
        _sessions(rng, s, d, agent, 1, last="failed")
        services.refer(d, actor=cadre if not family else lead, to="court", body="宣汉县人民法院",
                       reason="多次调解未果，一方坚持起诉", now=s.step(1, 6))
        return
    if path in ("administrative", "judicial"):
        _sessions(rng, s, d, agent, 1, last="failed")
        services.start_stage(d, actor=lead, kind="administrative", unit=units.get(f"t:{township}"), mediator=lead,
                             reason="村调委会调解两次未果，涉及政策需镇里协调", now=s.step(1, 5))
        handler, agent = lead, lead
        _sessions(rng, s, d, agent, rng.randint(1, 2), last="continue")
    if path == "judicial":
        _sessions(rng, s, d, agent, 1, last="failed")
        services.start_stage(d, actor=lead, kind="judicial", body="宣汉县人民法院巡回法庭",
                             mediator_name=rng.choice(["王法官", "李法官", "陈法官"]),
                             reason="行政调解不成，双方同意诉前调解", now=s.step(2, 8))
        _sessions(rng, s, d, agent, 1, last="continue", venue="field_court")
    _sessions(rng, s, d, agent, 1, last="agreed")
    checker = (lead if handler == mediator else mediator) if family else cadre
    agreement = _agree(rng, s, d, agent)
    if path == "broken":
        terms = list(agreement.terms.all())
        at = max(s.step(2, 8), dt.datetime.combine(terms[-1].due_on, dt.time(10), TZ))
        if at >= now:
            raise Stop
        s.t = at
        services.follow_up(d, actor=checker, method="上门", note="一方未按期履行",
                           checks=[{"term": t.pk, "kept": n < len(terms) - 1} for n, t in enumerate(terms)], now=at)
        _sessions(rng, s, d, agent, 1, last="agreed")
        agreement = _agree(rng, s, d, agent)
    _follow(rng, s, d, agreement, checker, now)


def _sessions(rng: random.Random, s: Story, d: Any, agent: Any, count: int, *, last: str,
              venue: str | None = None) -> None:
    for n in range(count):
        result = last if n == count - 1 else "continue"
        outcome = {"continue": "双方各自陈述，约定再谈", "failed": "双方分歧较大，调解未成",
                   "agreed": "双方各让一步，同意签订调解协议"}[result]
        sides = list(d.parties.alive().order_by("side", "id"))
        said_key = "first" if result == "continue" and not d.sessions.exists() else result
        said = [{"party": p.pk, "text": STATEMENTS[said_key][0 if p.side == 1 else 1].format(claim=p.claim or "")}
                for p in sides]
        form = venue or rng.choice(VENUES)
        place = "村委会院坝" if rng.random() < 0.5 else "当事人家中"
        place = {"home": "当事人家中", "field_court": "田间地头", "mediation_room": "村调解室"}.get(form, place)
        services.add_session(d, actor=agent, outcome=outcome, venue=form, place=place,
                             attendees=["调解员", "村干部", "双方当事人"], result=result, held_at=s.step(2, 9),
                             statements=said, now=s.t + H)
        s.t += H


def _agree(rng: random.Random, s: Story, d: Any, agent: Any):
    at = s.step(0.5, 2)
    signed = at.astimezone(TZ).date()
    answers = TERMS.get(d.appeal.title, ["双方按调解方案履行"])
    # the same draws as before the terms were chosen by subject (the demo's paths stay as they were)
    picks = rng.sample(range(6), rng.randint(1, 3))
    days = [rng.randint(3, 40) for _ in picks]
    chosen = dict(reversed([(answers[i % len(answers)], n) for i, n in zip(picks, days, strict=True)]))
    terms = [{"text": text, "due_on": signed + dt.timedelta(days=n)} for text, n in reversed(chosen.items())]
    return services.record_agreement(d, actor=agent, summary="双方自愿达成调解协议", terms=terms, signed_on=signed,
                                     now=at)


def _follow(rng: random.Random, s: Story, d: Any, agreement: Any, checker: Any, now: dt.datetime) -> None:
    """履行回访 after the terms' deadlines; the last one closes the dispute."""
    for term in agreement.terms.order_by("due_on", "number"):
        at = max(s.t + H, dt.datetime.combine(term.due_on, dt.time(10), TZ) + dt.timedelta(days=rng.randint(1, 5)))
        if at >= now:
            raise Stop
        s.t = at
        try:
            services.follow_up(d, actor=checker, method=rng.choice(["上门", "电话"]),
                               checks=[{"term": term.pk, "kept": True}], now=at)
        except ValidationError:  # e.g. the checker is the handler: leave it awaiting verification
            raise Stop from None
