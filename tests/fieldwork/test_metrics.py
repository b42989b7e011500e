"""Coverage, quota compliance and the rounds' funnel against hand-computed fixtures."""

import datetime as dt

import pytest

from minqing.accounts.models import Pairing, Post, User, VisitTeam
from minqing.fieldwork import metrics, quotas, services
from minqing.fieldwork.models import QuotaRule, Visit, VisitRound
from minqing.households.models import Household

from .conftest import at

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat
MARCH = (D("2025-03-01"), D("2025-03-31"))


def visit(actor, household, when, hour=10, **kw):
    return services.record_visit(actor=actor, household=household, visited_at=at(when, hour), **kw)[0]


@pytest.fixture
def covered(aged_county):
    c = aged_county
    visit(c.cadre_a, c.a1, "2025-03-05")
    visit(c.cadre_a, c.a1, "2025-03-06")  # twice: one household
    visit(c.cadre_b, c.b1, "2025-03-31", hour=23)  # last evening of March, local time
    visit(c.cadre_a, c.a2, "2025-02-28", hour=23)  # February
    visit(c.county_leader, c.c1, "2025-04-01", hour=0)  # just after March, local time
    deleted = visit(c.cadre_b, c.b2, "2025-03-10")
    Visit.objects.filter(pk=deleted.pk).update(deleted_at=at("2025-03-11"))  # a deleted visit does not count
    Household.objects.filter(pk=c.c2.pk).update(created_at=at("2025-05-01"))  # registered after March
    return c


def test_coverage_by_township_and_village(covered):
    c = covered
    out = metrics.coverage(c.county.code, *MARCH)
    assert (out["code"], out["name"], out["households"], out["visited"], out["rate"]) == \
        (c.county.code, "宣汉县", 5, 2, 0.4)
    kids = {k["name"]: (k["households"], k["visited"], k["rate"]) for k in out["children"]}
    assert kids == {"甲镇": (4, 2, 0.5), "乙镇": (1, 0, 0.0)}
    town = metrics.coverage(c.town.code, *MARCH)
    assert {k["code"]: (k["households"], k["visited"]) for k in town["children"]} == \
        {c.village_a.code: (2, 1), c.village_b.code: (2, 1)}
    village = metrics.coverage(c.village_a.code, *MARCH)
    assert (village["households"], village["visited"], village["rate"], village["children"]) == (2, 1, 0.5, [])


def test_coverage_of_other_periods_and_removed_households(covered):
    c = covered
    q1 = metrics.coverage(c.county.code, D("2025-01-01"), D("2025-03-31"))
    assert (q1["households"], q1["visited"]) == (5, 3)  # a1, a2, b1
    Household.objects.filter(pk=c.b2.pk).update(deleted_at=at("2025-02-01"))  # removed before March
    assert metrics.coverage(c.county.code, *MARCH)["households"] == 4
    empty = metrics.coverage(c.county.code, D("2023-01-01"), D("2023-01-31"))
    assert (empty["households"], empty["visited"], empty["rate"]) == (0, 0, None)


def test_coverage_restricted_to_the_users_figures(covered):
    c = covered
    assert metrics.coverage(c.county.code, *MARCH, user=c.cadre_a)["households"] == 2
    assert metrics.coverage(c.county.code, *MARCH, user=c.dept_handler)["households"] == 5


def test_parse_period():
    from minqing.lib.periods import span

    assert span("2025-03") == MARCH
    assert span("2025-Q2") == (D("2025-04-01"), D("2025-06-30"))
    assert span("2024") == (D("2024-01-01"), D("2024-12-31"))
    assert span(None, today=D("2025-03-17")) == (D("2025-03-01"), D("2025-03-17"))  # nothing: the month so far
    for bad in ("2025-13", "2025-Q5", "25", "March"):
        with pytest.raises(Exception, match="统计期间"):
            span(bad)
    with pytest.raises(Exception, match="只能选一种"):
        span("2025-03", "2025-03-01")


# --- quotas ---------------------------------------------------------------------------------


@pytest.fixture
def quota_county(aged_county):
    """2025-Q1, hand-computed (see each comment)."""
    c = aged_county
    head = User.objects.create(username="county-head", display_name="county_head")
    Post.objects.create(user=head, unit=c.units["leadership"], role="county_head", region=c.county,
                        started_on=D("2020-01-01"))
    c.users["county_head"] = head
    Post.objects.filter(user=c.dept_handler).update(role="dept_head")
    leader, dept = c.county_leader, c.dept_handler

    def act(actor, kind, region, day, **kw):
        services.record_activity(actor=actor, kind=kind, region=region.code, held_at=at(day), **kw)

    # County secretary: on-site office 1 day in Q1 (needs 1) → green; reception on Jan 10 and
    # Mar 10 but Feb 11 instead of Feb 10 → 2 of 3 → yellow (yellow from 50%).
    act(leader, "onsite_office", c.village_b, "2025-02-14")
    for day in ("2025-01-10", "2025-02-11", "2025-03-10"):
        act(leader, "reception", c.county, day)
    # County head: nothing → on-site office 0/1 red, reception (20th) 0/3 red.
    # Department head (frontline days, a year rule): 01-05 (twice), 02-01, 03-01, a visit joined
    # on 03-02, 06-01 → 5 distinct days of 10 in 2025 → yellow; 2024-12-31 is another year.
    for day in ("2025-01-05", "2025-01-05", "2025-02-01", "2025-03-01", "2025-06-01", "2024-12-31"):
        act(dept, "research", c.village_a, day)
    visit(c.cadre_a, c.a2, "2025-03-02", companions=[dept.pk])
    # Village cadre A: paired with a1 (from Jan) and a2 (Jan 1 – Feb 15) → 3 + 2 = 5 household-months.
    # Visited a1 in Jan (twice, counts once) and Feb, a2 in Jan; a2 in March is after the pairing
    # ended; a1 in March by the township leader is not cadre A's visit → 3 of 5 → red (yellow from 80%).
    Pairing.objects.create(cadre=c.cadre_a, region=c.village_a, household=c.a1, started_on=D("2025-01-01"))
    Pairing.objects.create(cadre=c.cadre_a, region=c.village_a, household=c.a2, started_on=D("2025-01-01"),
                           ended_on=D("2025-02-15"))
    for h, day in ((c.a1, "2025-01-03"), (c.a1, "2025-01-20"), (c.a1, "2025-02-03"), (c.a2, "2025-01-04")):
        visit(c.cadre_a, h, day)
    visit(c.township_leader, c.a1, "2025-03-09")
    # Village cadre B: paired with b1, visited every month → 3/3 green.
    Pairing.objects.create(cadre=c.cadre_b, region=c.village_b, household=c.b1, started_on=D("2025-01-01"))
    for day in ("2025-01-15", "2025-02-15", "2025-03-15"):
        visit(c.cadre_b, c.b1, day)
    return c


Q1 = (D("2025-01-01"), D("2025-03-31"))


def _rows(rows):
    return [(r["rule"], r["name"], r["required"], r["done"], r["status"]) for r in rows]


def test_quota_report_by_hand(quota_county):
    rows = metrics.quota_report(quota_county.county.code, *Q1)
    assert _rows(rows) == [
        ("frontline_days", "dept_handler", 10, 5, "yellow"),
        ("onsite_office", "county_head", 1, 0, "red"),
        ("onsite_office", "county_leader", 1, 1, "green"),
        ("paired_visits", "cadre_a", 5, 3, "red"),
        ("paired_visits", "cadre_b", 3, 3, "green"),
        ("reception_days", "county_head", 3, 0, "red"),
        ("reception_days", "county_leader", 3, 2, "yellow"),
    ]
    assert set(rows[0]) >= {"user_id", "name", "rule", "required", "done", "status"}
    assert rows[0]["user_id"] == quota_county.dept_handler.pk


def test_quota_report_of_a_township_and_a_month(quota_county):
    c = quota_county
    # The township report lists the people posted there: the village cadres.
    assert _rows(metrics.quota_report(c.town.code, *Q1)) == [
        ("paired_visits", "cadre_a", 5, 3, "red"), ("paired_visits", "cadre_b", 3, 3, "green")]
    # A February report: the quarterly on-site rule is read over Q1, the monthly ones over February.
    feb = {(r["rule"], r["name"]): (r["required"], r["done"], r["status"])
           for r in metrics.quota_report(c.county.code, D("2025-02-01"), D("2025-02-28"))}
    assert feb[("onsite_office", "county_leader")] == (1, 1, "green")
    assert feb[("reception_days", "county_leader")] == (1, 0, "red")
    assert feb[("paired_visits", "cadre_a")] == (2, 1, "red")


def test_quota_rules_are_configurable(quota_county):
    c = quota_county
    quotas.install_defaults(c.county.code)
    QuotaRule.objects.filter(code="paired_visits").update(yellow_ratio="0.6")  # 3 of 5 is now yellow
    QuotaRule.objects.filter(code="frontline_days").update(target=5)
    QuotaRule.objects.filter(code="reception_days").update(is_active=False)
    rows = {(r["rule"], r["name"]): (r["required"], r["done"], r["status"])
            for r in metrics.quota_report(c.county.code, *Q1)}
    assert rows[("paired_visits", "cadre_a")] == (5, 3, "yellow")
    assert rows[("frontline_days", "dept_handler")] == (5, 5, "green")
    assert not any(rule == "reception_days" for rule, _ in rows)


def test_quota_report_respects_the_users_figures(quota_county):
    c = quota_county
    assert metrics.quota_report(c.county.code, *Q1, user=c.cadre_a) == []
    assert len(metrics.quota_report(c.village_a.code, *Q1, user=c.cadre_a)) == 1


def test_reception_day_moves_off_weekends():
    assert quotas.reception_day(2025, 5, 10) == D("2025-05-12")  # a Saturday → Monday
    assert quotas.reception_day(2025, 2, 30) == D("2025-02-28")


# --- funnel ---------------------------------------------------------------------------------


def test_funnel_sums_the_rounds(county):
    """The seeds' 和平乡: 4 rounds, 215 households with problems → 104 to the township → 25 to the district."""
    team = VisitTeam.objects.create(name="甲镇五人走访组", region=county.town, year=2025)
    for number, day, counts in ((1, "2025-03-01", (1260, 215, 104, 25)), (2, "2025-06-01", (1180, 60, 12, 3))):
        VisitRound.objects.create(team=team, region=county.town, year=2025, number=number, started_on=D(day),
                                  households_visited=counts[0], households_with_problems=counts[1],
                                  sent_to_township=counts[2], sent_to_county=counts[3], created_at=at(day),
                                  correction_reason="纸质台账汇总", updated_at=at(day))
    # A round without a correction counts from its visits (none here): it adds nothing.
    VisitRound.objects.create(team=team, region=county.town, year=2025, number=3, started_on=D("2025-03-02"),
                              households_visited=999, created_at=at("2025-03-02"), updated_at=at("2025-03-02"))
    assert metrics.funnel(county.county.code, *Q1) == {"visited": 1260, "found": 215, "township": 104, "county": 25}
    year = metrics.funnel(county.town.code, D("2025-01-01"), D("2025-12-31"))
    assert year == {"visited": 2440, "found": 275, "township": 116, "county": 28}
    assert metrics.funnel(county.town2.code, *Q1) == {"visited": 0, "found": 0, "township": 0, "county": 0}


def test_periods_not_begun_are_not_yet_required(quota_county):
    """Seen on 2025-02-12: paired months Jan and Feb; reception days Jan 10 and Feb 10 (the
    secretary) and Jan 20 (the head); the on-site office quarter Q1 only."""
    c = quota_county
    rows = {(r["rule"], r["name"]): (r["required"], r["done"], r["status"])
            for r in quotas.report(c.county.code, D("2025-01-01"), D("2025-12-31"), today=D("2025-02-12"))}
    assert rows[("paired_visits", "cadre_a")] == (4, 3, "red")  # a1 Jan+Feb, a2 Jan+Feb; met a1 Jan, Feb, a2 Jan
    assert rows[("reception_days", "county_leader")] == (2, 1, "yellow")  # Jan 10 held, Feb 10 missed (Feb 11)
    assert rows[("reception_days", "county_head")] == (1, 0, "red")  # Jan 20 only
    assert rows[("onsite_office", "county_leader")] == (1, 1, "green")
