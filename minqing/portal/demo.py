"""Demo letters of the residents' portal: a few dozen over the year before the anchor, to village,
township and county secretaries, in every public stage, some rated by their writers, a few
misconduct reports handled by the discipline commission.

Written through the real services (portal.services.create_letter → appeals.services), since they
are few: every event and audit record is the one the live site would write. Deterministic for a
given rng and anchor. One letter has a fixed, documented code (DEMO_CODE, docs/decisions/
0010-portal.md) so a reviewer can try /portal/track/ and rate it; the other codes are drawn
from the rng and never printed."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minqing.accounts.models import Post, User
from minqing.appeals import services as appeals
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Category
from minqing.appeals.texts import TEXTS
from minqing.demo.people import person_name
from minqing.regions.models import Region

from . import codes, services

DEMO_CODE = "MQDM-XHXY-2345-6789"  # public on purpose: demo data only
LETTERS = 36
KINDS = {"problem", "suggestion", "help", "consultation"}
MISCONDUCT = [
    ("反映村干部优亲厚友", "今年低保评定时，村干部把名额给了自己的亲戚，真正困难的人家没评上，请纪委调查。",
     "经调查核实，反映问题部分属实，已责令重新评定并对相关人员作出处理。"),
    ("反映惠农补贴发放不到位", "耕地地力保护补贴去年有几户一直没有领到，问村上说已经发了，请帮忙查一查。",
     "经核查，系银行代发信息错误导致，补贴已补发到户，相关人员已被批评教育。"),
    ("反映工程项目质量问题", "村里新修的产业路刚修好半年就开裂，怀疑施工偷工减料，请有关部门查一查。",
     "已会同住建部门现场核查，责令施工方返工维修，并对项目监管情况进行核查处理。"),
]
# (weight, the furthest the case goes): registered, in handling, done (awaiting the visit), closed
TARGETS = [(5, "registered"), (7, "handling"), (5, "done"), (16, "closed"), (3, "explained")]


def _pick(rng: random.Random) -> str:
    return rng.choices([t for _w, t in TARGETS], weights=[w for w, _t in TARGETS])[0]


def _phone(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18", "19")) + "".join(str(rng.randint(0, 9)) for _ in range(9))


class Script:
    """Moves one demo case forward in time; stops (returns False) before passing the demo's 'now'."""

    def __init__(self, rng: random.Random, t: dt.datetime, now: dt.datetime):
        self.rng, self.t, self.now = rng, t, now

    def step(self, low_hours: float, high_hours: float) -> bool:
        nxt = self.t + dt.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        if nxt >= self.now:
            return False
        self.t = nxt
        return True


def _staff_for(place: Region, staffing: Any) -> tuple[User, User, Any]:
    """(reviewer and verifier, handler, unit) of a place's level."""
    if place.level == 5:
        cadres = staffing.village_cadres[place.code]
        return cadres[0], cadres[1], staffing.units[f"v:{place.code}"]
    if place.level == 4:
        leads = staffing.township_leads[place.code]
        return leads[0], leads[1], staffing.units[f"t:{place.code}"]
    leaders = staffing.county_leaders
    return leaders[0], leaders[1], staffing.units["leadership"]


def _drive(appeal: Appeal, target: str, answer: str, staffing: Any, s: Script, rng: random.Random,
           letter: Any) -> None:
    if target == "registered" or not s.step(4, 60):
        return
    place = Region.objects.get(code=appeal.region_id)
    if appeal.kind == wf.Kind.MISCONDUCT.value:
        inspector = staffing.users["c-discipline-1"]
        if target != "handling":
            appeals.do_review(appeal, actor=inspector, decision="explain", text=answer, now=s.t)
        return
    reviewer, handler, unit = _staff_for(place, staffing)
    if target == "explained":
        appeals.do_review(appeal, actor=reviewer, decision="explain", text=answer, now=s.t)
        return
    appeal = appeals.do_review(appeal, actor=reviewer, decision="assign", unit=str(unit.pk), person=str(handler.pk),
                               measures="现场核实情况，制定办理方案", now=s.t)
    if not s.step(24, 120):
        return
    appeal = appeals.do_add_progress(appeal, actor=handler, note="已到现场查看，正在协调解决", now=s.t)
    if target == "handling" or not s.step(24, 200):
        return
    appeal = appeals.do_submit_result(appeal, actor=handler, result=answer, now=s.t)
    if not s.step(4, 48):
        return
    appeal = appeals.do_verify(appeal, actor=reviewer, passed=True, now=s.t)
    if target == "done" or not s.step(12, 96):
        return
    answered = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], weights=[70, 22, 8])[0]
    if rng.random() < 0.4:  # the resident rated it on the portal: that is the return visit
        services.record_rating(letter, satisfaction=answered, comment="", now=s.t)
        appeal.refresh_from_db()
        if appeal.status != wf.Status.AWAITING_CLOSURE.value:
            return  # 不满意: handled again
    elif appeal.anonymous:
        if not s.step(1, 24):
            return
        appeals.do_close(appeal, actor=reviewer, outcome="solved", reason="anonymous", now=s.t)
        return
    else:
        appeal = appeals.do_return_visit(appeal, actor=reviewer, satisfaction=answered, method="phone", now=s.t)
        if appeal.status != wf.Status.AWAITING_CLOSURE.value:
            return
    if s.step(1, 48):
        appeals.do_close(appeal, actor=reviewer, outcome="solved", now=s.t)


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any, villages: dict[str, list[Any]],
         shared: Path | None = None, progress: Callable[[str], None] = print, **_context: Any) -> None:
    """context: rng, anchor, now, staffing, villages, shared, progress (see minqing/demo/generator.py)."""
    # Our own stream, seeded from the demo's seed and anchor: the letters do not change when an
    # earlier step draws more or fewer numbers from the shared rng.
    from minqing.demo.models import DemoRun

    run = DemoRun.objects.first()
    rng = random.Random(f"portal:{run.seed if run else 0}:{anchor.isoformat()}")
    texts = [t for t in TEXTS if t[1] in KINDS]
    cats = {c.code: c for c in Category.objects.filter(scheme="seeds", parent__isnull=True)}
    demo_village = Post.objects.filter(user=staffing.users["demo-village-a"]).values_list("region_id", flat=True)[0]
    demo_township = Region.objects.get(code=demo_village).parent_id
    county = Region.objects.get(code=demo_township).parent
    own = villages[demo_township]
    others = [v for code, vs in villages.items() if code != demo_township for v in vs]
    townships = list(Region.objects.filter(code__in=list(villages)).order_by("code"))
    drawn: list[tuple[dt.datetime, Region, str, tuple, str]] = []
    for i in range(LETTERS):
        roll = rng.random()
        place = (rng.choice(own) if roll < 0.5 else rng.choice(others) if roll < 0.75
                 else rng.choice(townships) if roll < 0.92 else county)
        misconduct = i % 12 == 5
        text = MISCONDUCT[(i // 12) % len(MISCONDUCT)] if misconduct else rng.choice(texts)
        when = dt.datetime.combine(anchor - dt.timedelta(days=rng.randint(1, 360)),
                                   dt.time(rng.randint(7, 21), rng.randint(0, 59)), now.tzinfo)
        drawn.append((when, place, "misconduct" if misconduct else text[1], text,
                      "handling" if misconduct and i < 12 else _pick(rng)))
    # the documented letter: in the demo village, answered and waiting for its writer's rating
    known = (now - dt.timedelta(days=20), Region.objects.get(code=demo_village), "problem",
             next(t for t in texts if t[0] == "S03"), "done")
    stages: dict[str, int] = {}
    for n, (when, place, kind, text, target) in enumerate([*sorted(drawn, key=lambda d: d[0]), known]):
        if kind == "misconduct":
            title, body, answer = text
            category = None
        else:
            category, title, body, answer = cats.get(text[0]), text[2], text[3], text[4]
        anonymous = kind == "misconduct" and rng.random() < 0.6 or rng.random() < 0.2
        code = DEMO_CODE if n == len(drawn) else "".join(rng.choice(codes.ALPHABET) for _ in range(codes.LENGTH))
        sent = services.create_letter(
            place=place, kind=kind, title=title, text=body, category=category, anonymous=anonymous,
            name="" if anonymous else person_name(rng), phone="" if anonymous else _phone(rng), now=when,
            code=codes.normalize(code))
        script = Script(rng, when, now - dt.timedelta(hours=1))
        _drive(sent.letter.appeal, target, answer, staffing, script, rng, sent.letter)
        stage = services_stage(sent.letter)
        stages[stage] = stages.get(stage, 0) + 1
    summary = "，".join(f"{k} {v}" for k, v in sorted(stages.items()))
    progress(f"书记信箱来信 {len(drawn) + 1} 封（{summary}）；演示跟踪码 {DEMO_CODE}")


def services_stage(letter: Any) -> str:
    from .progress import public_progress

    return public_progress(letter).stage_label
