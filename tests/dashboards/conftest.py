"""A hand-built month (May 2024) in the test county, written with the models so every figure is
counted by hand below; the dashboard and briefing tests share it.

key  place  received  kind/category        triage    status (group)        due    closed  visit / notes
C1   甲村   05-02     problem 人居环境整治   on_spot   solved_on_spot         -      05-02   on-spot 满意; responded; a1
C2   甲村   05-03     problem 基础设施建设   assign    closed_solved          05-20  05-15   visit 满意; responded; a2
C3   乙村   05-04     problem 基础设施建设   assign    in_progress            05-25  -       hh b1
C4   乙村   05-05     problem 村集体经济发展 assign    closed_solved          06-30  05-28   visit 基本满意 (early)
C5   甲村   05-06     problem 人居环境整治   explain   explained              -      05-06   responded (no limit)
C6   甲村   05-07     problem 人居环境整治   escalate  escalated (township)   -      -       escalate event; hh a1
C7   乙村   05-08     problem 其他           assign    assigned (county)      06-30  -       2 escalate events; hh b2
C8   丙村   05-09     problem 人居环境整治   on_spot   solved_on_spot         -      05-09   other township
C9   甲村   05-10     suggestion (none)     -         registered             -      -
C10  乙村   05-11     problem 村集体经济发展 on_spot   solved_on_spot         -      05-11
C11  甲村   05-12     problem 基础设施建设   assign    closed_solved          05-12  05-14   late; visit 05-15 不满意
C12  甲村   05-13     problem 人居环境整治   on_spot   in_progress            -      -       on the spot, not yet done
P1   甲村   2024-01-10 petition              assign    in_progress            03-10  -       backlog at 2024-05-31
P2   甲村   2023-01-05 petition              -         closed_solved          -      2024-04-01 backlog at 2023-05-31
P3   乙村   2023-02-01 petition              -         closed_solved          -      2023-12-01 backlog at 2023-05-31

甲镇, May 2024: received 11 (C8 is 乙镇); categories 人居环境整治 4, 基础设施建设 3, 村集体经济发展 2, 其他 1,
未分类 1; 立行立改 3 (done 2); 限期整改 5 (done 3); 应结案 4 (C2 C3 C11 + C4 early), closed 3, on time 2;
closed in May 6 (C1 C2 C4 C5 C10 C11), solved 5, explained 1; satisfaction 满意 2 (C2 visit, C1 on the
spot) 基本满意 1 不满意 1 → 3/4; responded 3/11; funnel 11 (4 households) → 2 (2) → 1 (1);
backlog 1 now, 2 a year before (−50%).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
GROUP = {"registered": "open", "escalated": "open", "assigned": "open", "in_progress": "open",
         "solved_on_spot": "solved", "closed_solved": "solved", "explained": "closed_unsolved"}
MAY = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


class Cases(dict):
    def __getattr__(self, name):
        return self[name]


@pytest.fixture
def month_cases(county):
    from minqing.appeals.models import Appeal, AppealEvent, Category, Report, ReturnVisit

    cat = {name: Category.objects.create(code=f"t-{n}", name=name, scheme="seeds")
           for n, name in enumerate(("人居环境整治", "基础设施建设", "村集体经济发展", "其他"))}
    out = Cases()
    h = county.households

    def mk(key, village, received, status, *, triage="", category=None, due=None, closed=None, kind="problem",
           level="village", max_level=None, household=None, satisfaction="", responded=None, response_due=None,
           unit=None, title=None):
        a = Appeal.objects.create(
            number=f"T-{key}", kind=kind, status=status, group=GROUP[status], level=level,
            max_level=max_level or level, region=county.regions[village], channel="visit",
            title=title or f"诉求{key}", text=f"诉求{key}的内容，联系电话13812345678", received_at=received,
            triage=triage, due_at=due, closed_at=closed, household=household,
            category=cat[category] if category else None, satisfaction=satisfaction, responded_at=responded,
            response_due_at=response_due, unit=unit, updated_at=received)
        Report.objects.create(appeal=a, region=a.region, channel="visit", reporter_name=f"反映人{key}",
                              phone_masked="138****5678", received_at=received)
        AppealEvent.objects.create(appeal=a, region=a.region, action="register", to_status="registered",
                                   level="village", at=received)
        out[key] = a
        return a

    def escalate(a, day, level):
        AppealEvent.objects.create(appeal=a, region=a.region, action="escalate", to_status="escalated", level=level,
                                   at=at(2024, 5, day, 15))

    mk("C1", "village_a", at(2024, 5, 2), "solved_on_spot", triage="solve_on_spot", category="人居环境整治",
       closed=at(2024, 5, 2, 11), satisfaction="satisfied", responded=at(2024, 5, 2, 11),
       response_due=at(2024, 5, 3), household=h["a1"], title="村口垃圾堆放")
    mk("C2", "village_a", at(2024, 5, 3), "closed_solved", triage="assign", category="基础设施建设",
       due=at(2024, 5, 20), closed=at(2024, 5, 15), satisfaction="satisfied", responded=at(2024, 5, 3, 12),
       response_due=at(2024, 5, 4), household=h["a2"], unit=county.units["housing"], title="三组便道路面破损")
    ReturnVisit.objects.create(appeal=out.C2, at=at(2024, 5, 16), satisfaction="satisfied")
    mk("C3", "village_b", at(2024, 5, 4), "in_progress", triage="assign", category="基础设施建设",
       due=at(2024, 5, 25), household=h["b1"], title="灌溉渠渗漏")
    mk("C4", "village_b", at(2024, 5, 5), "closed_solved", triage="assign", category="村集体经济发展",
       due=at(2024, 6, 30), closed=at(2024, 5, 28), satisfaction="basically_satisfied", title="合作社分红不清")
    ReturnVisit.objects.create(appeal=out.C4, at=at(2024, 5, 29), satisfaction="basically_satisfied")
    mk("C5", "village_a", at(2024, 5, 6), "explained", triage="explain", category="人居环境整治",
       closed=at(2024, 5, 6, 15), responded=at(2024, 5, 6, 15))
    mk("C6", "village_a", at(2024, 5, 7), "escalated", triage="escalate", category="人居环境整治",
       level="township", max_level="township", household=h["a1"])
    escalate(out.C6, 8, "township")
    mk("C7", "village_b", at(2024, 5, 8), "assigned", triage="assign", category="其他", due=at(2024, 6, 30),
       level="county", max_level="county", household=h["b2"])
    escalate(out.C7, 9, "township")
    escalate(out.C7, 10, "county")
    mk("C8", "village_c", at(2024, 5, 9), "solved_on_spot", triage="solve_on_spot", category="人居环境整治",
       closed=at(2024, 5, 9, 12))
    mk("C9", "village_a", at(2024, 5, 10), "registered", kind="suggestion")
    mk("C10", "village_b", at(2024, 5, 11), "solved_on_spot", triage="solve_on_spot", category="村集体经济发展",
       closed=at(2024, 5, 11, 12), title="村务公开栏缺失")
    mk("C11", "village_a", at(2024, 5, 12), "closed_solved", triage="assign", category="基础设施建设",
       due=at(2024, 5, 12, 18), closed=at(2024, 5, 14), satisfaction="unsatisfied", title="路灯不亮")
    ReturnVisit.objects.create(appeal=out.C11, at=at(2024, 5, 15), satisfaction="unsatisfied")
    mk("C12", "village_a", at(2024, 5, 13), "in_progress", triage="solve_on_spot", category="人居环境整治")
    mk("P1", "village_a", at(2024, 1, 10), "in_progress", kind="petition", triage="assign", due=at(2024, 3, 10))
    mk("P2", "village_a", at(2023, 1, 5), "closed_solved", kind="petition", closed=at(2024, 4, 1))
    mk("P3", "village_b", at(2023, 2, 1), "closed_solved", kind="petition", closed=at(2023, 12, 1))
    return out


JUNE = (dt.date(2024, 6, 1), dt.date(2024, 6, 30))


@pytest.fixture
def parts(county):
    """June 2024 in the test county: 两不愁三保障 answers, liaison visits and disputes, counted by hand.

    Checklist (两不愁三保障, tests/checklists/helpers.py items), answered on visits:
      a1 甲村  06-03 income 3500 (fails) · 06-20 income 4500            → income failing, cleared
      a2 甲村  06-04 housing no (fails)                                → housing failing, open
      b1 乙村  06-05 all pass
      b2 乙村  06-06 water 不安全 (fails) · 06-25 water 安全            → water failing, cleared
      甲镇: checked 4, failing 3, cleared 2, open 1; 甲村: 2, 2, 1, 1.
    Liaison: e1 甲镇 paired with county_leader, e2 乙村 with leader2 (both from 2024-01-01);
      county_leader visits e1 06-10 and 06-20 and e2 06-15 (not paired: not counted); leader2 none.
      June: county_leader 1/1 green, leader2 1/0 red; 2 enterprises, 2 visits (甲镇 and 宣汉县).
    Disputes: d1 甲村 邻里矛盾 found 06-06, people's mediation 06-07, agreement 06-08  → solved
              d2 甲村 土地纠纷 found 06-10, people's mediation 06-11 (deadline, mediator) → open, owned
              d3 乙村 邻里矛盾 found 06-12, nothing yet                                 → open
      甲镇: found 3, solved 1, open 2 (1 with deadline and owner); 甲村: 2, 1, 1 (1).
    """
    from minqing.accounts.models import Post, User
    from minqing.checklists.services import apply_visit_answers
    from minqing.disputes import services as ds
    from minqing.enterprises import services as es
    from minqing.fieldwork.services import record_visit
    from tests.checklists.helpers import PASS_ALL, make_checklist, tag
    from tests.disputes.conftest import two_sides

    out = Cases()
    h = county.households
    checklist = make_checklist(county)
    version = checklist.versions.get()
    tag(h["a2"], "jiance")
    tag(h["b2"], "jiance")

    def answer(actor, household, day, **answers):
        v, _ = record_visit(actor=actor, household=household, visited_at=at(2024, 6, day), note="走访核查")
        apply_visit_answers(v, {"version": version.pk, "answers": {**PASS_ALL, **answers}}, actor=actor)

    answer(county.cadre_a, h["a1"], 3, income=3500)
    answer(county.cadre_a, h["a2"], 4, housing=False)
    answer(county.cadre_b, h["b1"], 5)
    answer(county.cadre_b, h["b2"], 6, water="不安全")
    answer(county.cadre_a, h["a1"], 20, income=4500)
    answer(county.cadre_b, h["b2"], 25, water="安全")

    lead = county.county_leader
    leader2 = User.objects.create(username="leader2", display_name="leader2")
    Post.objects.create(user=leader2, unit=county.units["leadership"], role="county_leader", region=county.county,
                        started_on=dt.date(2020, 1, 1))
    e1 = es.register_enterprise(actor=lead, region=county.town.code, name="甲镇天然气净化厂", kind="enterprise")
    e2 = es.register_enterprise(actor=lead, region=county.village_b.code, name="乙村茶叶加工厂", kind="enterprise")
    es.pair_leader(e1, lead, actor=lead, started_on=dt.date(2024, 1, 1))
    es.pair_leader(e2, leader2, actor=lead, started_on=dt.date(2024, 1, 1))
    for ent, day in ((e1, 10), (e1, 20), (e2, 15)):
        es.record_visit(actor=lead, enterprise=ent, visited_at=at(2024, 6, day), raised="用工、用地协调")

    med = county.mediator_a

    def dispute(village, day, kind="neighbour"):
        place = county.regions[f"village_{village}"].code
        return ds.register_dispute(actor=county.users[f"cadre_{village}"], region=place, kind=kind,
                                   title="遮雨棚过界纠纷", text="两户因遮雨棚是否过界发生争执。",
                                   parties=two_sides(county, village), found_at=at(2024, 6, day),
                                   now=at(2024, 6, day))

    out.d1 = dispute("a", 6)
    ds.start_stage(out.d1, actor=county.cadre_a, kind="people", mediator=med, now=at(2024, 6, 7))
    ds.record_agreement(out.d1, actor=med, summary="和解", now=at(2024, 6, 8), signed_on=dt.date(2024, 6, 8),
                        terms=[{"text": "赔礼道歉", "due_on": dt.date(2024, 6, 11)}])
    out.d2 = dispute("a", 10, kind="land")
    ds.start_stage(out.d2, actor=county.cadre_a, kind="people", mediator=med, now=at(2024, 6, 11))
    out.d3 = dispute("b", 12)
    out.leader2, out.e1, out.e2 = leader2, e1, e2
    return out
