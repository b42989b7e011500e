"""The grouped metric variants (one GROUP BY query for every child place or month) give exactly
what the per-region functions give for each child's code or each month, on a seeded spread of
cases over three townships and four villages: places with no case, cases filed at township and
county level, merged and deleted cases, escalations, return visits and on-the-spot answers,
petitions old enough for the backlog — and for users who see part of the county only."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from minqing.appeals import metric_rows, metrics
from minqing.appeals import workflow as wf
from minqing.lib import periods
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db

TOWN3 = "511722102000"  # 丙乡: a township with no case at all
VILLAGE_D = "511722100203"  # 丁村 in 甲镇: a village with no case at all
STATUSES = [s.value for s in wf.Status]
PERIODS = [periods.month(2024, 5), periods.year(2024), periods.parse(None, "2024-03-05", "2024-04-20"),
           periods.parse(None, "2024-02-01", "2024-02-29")]  # a leap-day end: the year before is 28 Feb


def at(y: int, m: int, d: int, hh: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=TZ)


@pytest.fixture
def spread(county):
    """~220 cases drawn with a fixed seed; every field a metric reads varies."""
    from minqing.accounts.models import Post, User
    from minqing.appeals.models import Appeal, AppealEvent, Category, ReturnVisit
    from minqing.regions.models import Level, Region

    Region.objects.create(code=TOWN3, name="丙乡", level=Level.TOWNSHIP, parent=county.county)
    Region.objects.create(code=VILLAGE_D, name="丁村", level=Level.VILLAGE, parent=county.town)
    places = [county.village_a.code] * 4 + [county.village_b.code] * 3 + [county.village_c.code] * 2 + [
        county.town.code, county.town2.code, county.county.code]
    cats = [Category.objects.create(code=f"g{i}", name=f"类别{i}") for i in range(3)] + [None]
    households = list(county.households.values())
    rng = random.Random(20240531)
    start = at(2023, 1, 1)
    for i in range(220):
        received = start + dt.timedelta(hours=rng.randrange(2 * 365 * 24))
        status = rng.choice(STATUSES)
        group = wf.STATUS_GROUP[wf.Status(status)].value
        closed = received + dt.timedelta(hours=rng.randrange(1, 90 * 24)) if group in metrics.CLOSED_GROUPS else None
        due = received + dt.timedelta(days=rng.choice([1, 10, 30, 60])) if rng.random() < 0.6 else None
        level = rng.choice(["village", "township", "county"])
        a = Appeal.objects.create(
            number=f"G-{i}", kind=rng.choice(["problem", "petition", "suggestion"]), status=status, group=group,
            level=level, max_level=level, region_id=rng.choice(places), channel="visit", title=f"诉求{i}",
            text="内容", received_at=received,
            triage=rng.choice(["", "solve_on_spot", "assign", "explain", "escalate"]),
            due_at=due, closed_at=closed, household=rng.choice(households + [None] * 3),
            category=rng.choice(cats),
            satisfaction=rng.choice(["", "satisfied", "basically_satisfied", "unsatisfied"]),
            responded_at=received + dt.timedelta(hours=rng.randrange(1, 72)) if rng.random() < 0.7 else None,
            response_due_at=received + dt.timedelta(hours=48) if rng.random() < 0.8 else None,
            deleted_at=received if rng.random() < 0.04 else None, updated_at=received)
        if rng.random() < 0.3:
            AppealEvent.objects.create(appeal=a, region=a.region, action="escalate", to_status="escalated",
                                       level="township", at=received + dt.timedelta(hours=5))
        if closed and rng.random() < 0.5:
            ReturnVisit.objects.create(appeal=a, at=closed + dt.timedelta(hours=rng.randrange(-5, 200)),
                                       satisfaction=rng.choice(["", "satisfied", "basically_satisfied",
                                                                "unsatisfied"]))
    # a user whose figures cover two villages of two townships: partial views of both
    two = User.objects.create(username="two-villages", display_name="两村")
    for key in ("village_b", "village_c"):
        Post.objects.create(user=two, unit=county.units["committee_b"], role="village_secretary",
                            region=county.regions[key], started_on=dt.date(2020, 1, 1))
    return two


def users(county, two):
    return [None, county.county_leader, county.township_leader, county.cadre_a, county.dept_handler, two,
            county.outsider]


def per_region(code: str, p, user) -> dict:
    return {"received": metrics.received(code, p.start, p.end, user=user),
            "due": metrics.due_for_closure(code, p.start, p.end, user=user),
            "closed": metrics.closed_in_period(code, p.start, p.end, user=user),
            "satisfaction": metrics.satisfaction_counts(code, p.start, p.end, user=user),
            "backlog": metrics.backlog(code, p.start, p.end, user=user)}


def grouped(code: str, p, user) -> dict[str, dict]:
    r = metrics.received_by_child(code, p.start, p.end, user=user)
    d = metrics.due_for_closure_by_child(code, p.start, p.end, user=user)
    c = metrics.closed_in_period_by_child(code, p.start, p.end, user=user)
    s = metrics.satisfaction_counts_by_child(code, p.start, p.end, user=user)
    b = metrics.backlog_by_child(code, p.start, p.end, user=user)
    assert set(r) == set(d) == set(c) == set(s) == set(b)
    return {k: {"received": r[k], "due": d[k], "closed": c[k], "satisfaction": s[k], "backlog": b[k]} for k in r}


@pytest.mark.parametrize("p", PERIODS, ids=lambda p: p.label)
def test_each_child_equals_the_per_region_functions(spread, county, p):
    for parent in (county.county.code, county.town.code, county.town2.code, county.city.code):
        for user in users(county, spread):
            got = grouped(parent, p, user)
            assert list(got) == metrics.child_codes(parent)
            for child, figures in got.items():
                assert figures == per_region(child, p, user), (parent, child, user and user.username)


@pytest.mark.parametrize("p", PERIODS, ids=lambda p: p.label)
def test_by_child_equals_the_drill_down_computed_per_place(spread, county, p):
    for parent in (county.county.code, county.town.code):
        for user in users(county, spread):
            rows = metrics.by_child(parent, p.start, p.end, user=user)
            for child, f in rows.items():
                assert f.code == child
                assert f.received == metrics.received(child, p.start, p.end, user=user)["received"]
                assert f.resolution == metrics.resolution_rate(child, p.start, p.end, user=user)
                assert f.on_time == metrics.on_time_rate(child, p.start, p.end, user=user)
                assert f.satisfaction == metrics.satisfaction_rate(child, p.start, p.end, user=user)
                assert f.backlog == metrics.backlog(child, p.start, p.end, user=user).at_end
    year = PERIODS[1]
    weighted = metrics.by_child(county.town.code, year.start, year.end, basic_weight=0.5)
    for child, f in weighted.items():
        assert f.satisfaction == metrics.satisfaction_rate(child, year.start, year.end, basic_weight=0.5)


@pytest.mark.parametrize("p", PERIODS, ids=lambda p: p.label)
def test_the_summary_read_with_its_children_equals_county_summary(spread, county, p):
    """The dashboard's summary sums the groups of the drill-down queries: the same figures."""
    for parent in (county.county.code, county.town.code, county.village_a.code, county.city.code):
        for user in users(county, spread):
            whole, rows = metrics.summary_with_children(parent, p.start, p.end, user=user)
            assert whole == metrics.county_summary(parent, p.start, p.end, user=user), (parent, user)
            assert rows == metrics.by_child(parent, p.start, p.end, user=user)
    whole, _rows = metrics.summary_with_children(county.town.code, p.start, p.end, basic_weight=0.5)
    assert whole == metrics.county_summary(county.town.code, p.start, p.end, basic_weight=0.5)


def test_long_county_periods_count_the_same_without_the_date_indexes(spread, county, monkeypatch):
    """On SQLite a county-wide period longer than a quarter is read by a scan (metric_rows._plain): the
    same figures as through the date indexes."""
    from django.db import connection

    year = PERIODS[1]
    assert metrics._unindexed_dates(county.county.code, *metrics.bounds(year.start, year.end)) == (
        connection.vendor == "sqlite")
    assert not metrics._unindexed_dates(county.county.code, *metrics.bounds(*PERIODS[0].months()[-1]))
    assert not metrics._unindexed_dates(county.town.code, *metrics.bounds(year.start, year.end))
    for p in (year, periods.parse(None, "2023-06-01", "2024-12-31")):
        scanned = metrics.summary_with_children(county.county.code, p.start, p.end)
        monkeypatch.setattr(metric_rows, "_unindexed_dates", lambda *a: False)
        assert metrics.summary_with_children(county.county.code, p.start, p.end) == scanned
        monkeypatch.undo()


def test_the_spread_reaches_every_edge_case(spread, county):
    """The comparisons above would prove little on data that lacks the cases they are about."""
    from minqing.appeals.models import Appeal

    year = PERIODS[1]
    towns = metrics.by_child(county.county.code, year.start, year.end)
    villages = metrics.by_child(county.town.code, year.start, year.end)
    assert towns[TOWN3].received == 0 and towns[TOWN3].resolution.denominator == 0 and towns[TOWN3].backlog == 0
    assert villages[VILLAGE_D].received == 0 and villages[VILLAGE_D].on_time.denominator == 0
    # cases filed at the township itself count for the township under the county, for no village under it
    at_town = metrics.received(county.town.code, year.start, year.end)["received"]
    assert at_town == towns[county.town.code].received
    assert sum(v.received for v in villages.values()) < at_town
    # and those filed at the county itself for no township
    whole = metrics.received(county.county.code, year.start, year.end)["received"]
    assert sum(t.received for t in towns.values()) < whole
    alive = Appeal.objects.filter(deleted_at__isnull=True, received_at__year=2024, region__code__startswith="511722100")
    assert alive.filter(group="merged").exists() and Appeal.objects.filter(deleted_at__isnull=False).exists()
    assert at_town == alive.exclude(group="merged").count()
    assert any(f.backlog for f in towns.values())
    assert any(f.satisfaction.denominator for f in villages.values())
    assert any(r["to_township"] and r["found_households"]
               for r in metrics.received_by_child(county.county.code, year.start, year.end).values())
    # a partial view: the two-village user sees 乙村 of 甲镇 only
    part = metrics.by_child(county.county.code, year.start, year.end, user=spread)
    assert 0 < part[county.town.code].received < towns[county.town.code].received
    assert part[TOWN3].received == 0


@pytest.mark.parametrize("p", [periods.month(2024, 5), periods.year(2024), periods.quarter(2024, 1),
                               periods.parse(None, "2024-03-05", "2024-04-20")], ids=lambda p: p.label)
def test_the_monthly_series_equals_the_functions_month_by_month(spread, county, p):
    months = p.months()
    for code in (county.county.code, county.town.code, county.village_a.code):
        for user in (None, county.township_leader, spread):
            rec = metrics.received_by_span(code, months, user=user,
                                           fields=("received", "responded", "to_county", "found_households"))
            closed = metrics.closed_in_period_by_span(code, months, user=user)
            for (start, end), r, c in zip(months, rec, closed, strict=True):
                full = metrics.received(code, start, end, user=user)
                assert r == {k: full[k] for k in r}, (code, start)
                assert c == metrics.closed_in_period(code, start, end, user=user), (code, start)


def test_a_fixed_number_of_queries_whatever_the_number_of_children(spread, county, django_assert_num_queries):
    year = PERIODS[1]
    kids = metrics.child_codes(county.county.code)
    assert len(kids) == 3
    with django_assert_num_queries(6):
        metrics.by_child(county.county.code, year.start, year.end, children=kids)
    with django_assert_num_queries(7):
        metrics.by_child(county.town.code, year.start, year.end)  # + the query of its children
    with django_assert_num_queries(10):  # county_summary alone: 9
        metrics.summary_with_children(county.county.code, year.start, year.end, children=kids)
    with django_assert_num_queries(2):
        metrics.received_by_span(county.county.code, year.months())
        metrics.closed_in_period_by_span(county.county.code, year.months())


def test_wrong_arguments_are_refused_in_chinese(county):
    may = PERIODS[0]
    with pytest.raises(ValueError, match="不在"):
        metrics.by_child(county.town.code, may.start, may.end, children=[county.village_c.code])
    with pytest.raises(ValueError, match="不在"):
        metrics.by_child(county.town.code, may.start, may.end, children=[county.town.code])
    with pytest.raises(ValueError, match="互不重叠"):
        metrics.received_by_span(county.town.code, [(may.start, may.end), (may.start, may.end)])
    with pytest.raises(ValueError, match="assigned_done"):
        metrics.received_by_span(county.town.code, may.months(), fields=("assigned_done",))
    assert metrics.received_by_span(county.town.code, []) == []
    assert metrics.by_child(county.village_a.code, may.start, may.end) == {}
