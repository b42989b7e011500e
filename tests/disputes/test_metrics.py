"""The figures against a hand-computed fixture.

March 2025, 甲镇 (villages 甲村 A and 乙村 B) plus one case in 乙镇 (village C) and one in February:
 #1 A 邻里矛盾 found 03-03, agreement 03-05                → solved
 #2 A 土地纠纷 found 03-10, people's mediation started     → open, deadline + mediator
 #3 B 邻里矛盾 found 03-12, nothing yet                    → open, no deadline, no owner
 #4 B 劳资     found 03-20, referred to arbitration 03-22  → referred
 #5 A 邻里矛盾 found 02-25, agreement 02-27                → outside the period
 #6 C 邻里矛盾 found 03-05                                 → outside 甲镇
 #7 A 邻里矛盾 found 03-15, agreement 03-16, broken 03-18  → open again, deadline + mediator
 #8 A 婚姻家庭 found 03-25, agreement 04-02                → open at the end of March
甲镇, March: found 6, solved 1, referred 1, open 4, of which 3 with deadline and owner.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.disputes import metrics, services
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db
TOWN = "511722100"


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def march(county, make_dispute):
    med = county.mediator_a

    def found(when, **kw):
        return make_dispute(found_at=when, now=when, **kw)

    def mediate(d, start, agree=None):
        services.start_stage(d, actor=county.cadre_a if d.appeal.sensitivity == "normal" else med, kind="people",
                             mediator=med, now=start)
        if agree:
            due = agree.date() + dt.timedelta(days=3)
            return services.record_agreement(d, actor=med, summary="和解", now=agree, signed_on=agree.date(),
                                             terms=[{"text": "赔礼道歉", "due_on": due}])
        return None

    d1 = found(at(3, 3))
    mediate(d1, at(3, 4), at(3, 5))
    d2 = found(at(3, 10), kind="land")
    mediate(d2, at(3, 11))
    found(at(3, 12), village="b")
    d4 = found(at(3, 20), village="b", kind="labour")
    services.refer(d4, actor=county.cadre_b, to="arbitration", body="县劳动人事争议仲裁委", reason="先行仲裁",
                   now=at(3, 22))
    d5 = found(at(2, 25))
    mediate(d5, at(2, 26), at(2, 27))
    found(at(3, 5), village="c")
    d7 = found(at(3, 15))
    agreement = mediate(d7, at(3, 15, 15), at(3, 16))
    services.follow_up(d7, actor=county.cadre_a, now=at(3, 18),
                       checks=[{"term": agreement.terms.get().pk, "kept": False}])
    d8 = found(at(3, 25), kind="family", actor=med)
    mediate(d8, at(3, 26), at(4, 2))
    return county


NOW = at(6, 1)


def test_the_township_in_march(march):
    s = metrics.summary(TOWN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), now=NOW)
    assert (s["found"], s["solved"], s["referred"], s["open"], s["open_with_deadline_and_owner"]) == (6, 1, 1, 4, 3)
    assert s["sentence"] == "共排查矛盾纠纷6件，解决1件，依法导入诉讼、仲裁等程序1件，其余4件中3件已明确时限和责任人"
    kinds = {k["name"]: (k["found"], k["solved"], k["referred"], k["open"]) for k in s["by_kind"]}
    assert kinds == {"邻里矛盾": (3, 1, 0, 2), "土地纠纷": (1, 0, 0, 1), "劳资": (1, 0, 1, 0), "婚姻家庭": (1, 0, 0, 1)}
    assert [k["name"] for k in s["by_kind"]] == ["邻里矛盾", "土地纠纷", "婚姻家庭", "劳资"]  # the kinds' order
    villages = {v["name"]: (v["found"], v["solved"], v["referred"], v["open"], v["open_with_deadline_and_owner"])
                for v in s["by_village"]}
    assert villages == {"甲村": (4, 1, 0, 3, 3), "乙村": (2, 0, 1, 1, 0)}
    assert s["by_month"] == [{"month": "2025-03", "found": 6, "solved": 1, "referred": 0 + 1, "open": 4,
                              "open_with_deadline_and_owner": 3}]


def test_the_family_agreement_counts_once_april_is_included(march):
    s = metrics.summary(TOWN, dt.date(2025, 2, 1), dt.date(2025, 4, 30), now=NOW)
    assert (s["found"], s["solved"], s["referred"], s["open"], s["open_with_deadline_and_owner"]) == (7, 3, 1, 3, 2)
    assert [(m["month"], m["found"], m["solved"]) for m in s["by_month"]] == [("2025-02", 1, 1), ("2025-03", 6, 2)]


def test_the_county_and_a_village(march):
    county = metrics.summary("511722", dt.date(2025, 3, 1), dt.date(2025, 3, 31), now=NOW)
    assert county["found"] == 7 and county["open"] == 5
    village = metrics.summary(march.village_b.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31), now=NOW)
    assert (village["found"], village["referred"], village["open"]) == (2, 1, 1)
    assert village["sentence"] == ("共排查矛盾纠纷2件，解决0件，依法导入诉讼、仲裁等程序1件，"
                                   "其余1件中0件已明确时限和责任人")


def test_a_cut_off_before_the_agreement_leaves_it_open(march):
    s = metrics.summary(TOWN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), now=at(3, 4, 12))
    assert (s["found"], s["solved"], s["open"]) == (1, 0, 1)  # only #1 found by then, agreed on 03-05


def test_figures_follow_the_users_jurisdiction(march):
    mine = metrics.summary(TOWN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), user=march.cadre_a, now=NOW)
    assert (mine["found"], mine["solved"], mine["open"]) == (4, 1, 3)  # 甲村 only, its family dispute counted
    assert metrics.summary(TOWN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), user=march.outsider, now=NOW)["found"] == 0


def test_the_seed_sentence():
    s = {"found": 23, "solved": 19, "referred": 0, "open": 4, "open_with_deadline_and_owner": 4}
    assert metrics.sentence(s) == "共排查矛盾纠纷23件，解决19件，其余4件均已明确时限和责任人"
    assert metrics.sentence({**s, "solved": 23, "open": 0, "open_with_deadline_and_owner": 0}) == \
        "共排查矛盾纠纷23件，解决23件"


def test_the_summary_api(march, client, bearer):
    r = client.get("/api/v1/disputes/summary?region=511722100&from=2025-03-01&to=2025-03-31",
                   headers=bearer(march.township_leader))
    assert r.status_code == 200
    body = r.json()
    assert (body["found"], body["solved"], body["referred"]) == (6, 1, 1)
    assert body["sentence"].startswith("共排查矛盾纠纷6件，解决1件")
    r = client.get("/api/v1/disputes/summary?region=511722101&from=2025-03-01&to=2025-03-31",
                   headers=bearer(march.township_leader))
    assert r.status_code == 404  # another township: outside one's figures, as every figures endpoint
    r = client.get("/api/v1/disputes/summary?region=abc", headers=bearer(march.township_leader))
    assert r.status_code == 404
