"""群众评议: residents rate the cadre who served them at the return visit and through the SMS link, on
the five levels; per cadre and unit the figures reach the cadre's leaders and never their peers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from minqing.appeals import services
from minqing.audit.models import Event
from minqing.cadres import ratings
from minqing.cadres.models import CadreRating
from minqing.portal import rating as portal_rating

YEAR = 2025  # the appeals tests' clock runs in March 2025
PERIOD = (dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))


def _visit(a, county, clock, level: str, cadre_level: str = ""):
    return services.perform(a, "return_visit", actor=county.township_leader, now=clock(),
                            payload={"satisfaction": level, "method": "电话回访", "cadre_rating": cadre_level})


def test_the_return_visit_rates_the_responsible_cadre(county, awaiting, clock):
    a = awaiting(county.cadre_b, unit_key="committee_b")
    _visit(a, county, clock, "satisfied", "very_satisfied")
    row = CadreRating.objects.get()
    assert (row.cadre, row.unit, row.region_id, row.source, row.satisfaction) == (
        county.cadre_b, county.units["committee_b"], county.village_b.code, "return_visit", "very_satisfied")
    assert row.recorded_by == county.township_leader
    event = Event.objects.get(action="cadre.rated")
    assert event.changes["cadre"] == county.cadre_b.pk and event.changes["source"] == "return_visit"


def test_a_return_visit_without_the_question_rates_no_one_and_a_bad_level_writes_nothing(county, awaiting, clock):
    a = awaiting(county.cadre_b, unit_key="committee_b")
    with pytest.raises(ValidationError):
        _visit(a, county, clock, "satisfied", "excellent")
    a.refresh_from_db()
    assert a.status == "awaiting_return_visit" and not CadreRating.objects.exists()
    _visit(a, county, clock, "satisfied")
    assert not CadreRating.objects.exists()


def test_the_sms_link_rates_the_cadre_once(client, county, awaiting):
    a = awaiting(county.cadre_b, unit_key="committee_b")
    report = a.reports.get()
    url = portal_rating.rating_url(report)
    page = client.get(url).content.decode()
    assert 'name="cadre_satisfaction"' in page and "乙村村委会" in page and "cadre_b" not in page
    got = client.post(url, {"satisfaction": "satisfied", "cadre_satisfaction": "unsatisfied"}, REMOTE_ADDR="10.1.0.1")
    assert got.status_code == 200
    row = CadreRating.objects.get()
    assert (row.cadre, row.source, row.satisfaction, row.report) == (county.cadre_b, "sms_link", "unsatisfied", report)
    again = client.post(url, {"satisfaction": "satisfied", "cadre_satisfaction": "satisfied"}, REMOTE_ADDR="10.1.0.2")
    assert again.status_code == 400 and CadreRating.objects.count() == 1


def test_a_bad_cadre_level_on_the_link_is_refused_and_nothing_is_rated(client, county, awaiting):
    a = awaiting(county.cadre_b, unit_key="committee_b")
    url = portal_rating.rating_url(a.reports.get())
    got = client.post(url, {"satisfaction": "satisfied", "cadre_satisfaction": "great"}, REMOTE_ADDR="10.1.0.3")
    assert got.status_code == 400 and not CadreRating.objects.exists()
    a.refresh_from_db()
    assert a.status == "awaiting_return_visit"


def _rated(county, awaiting, clock, person, unit_key, region, levels):
    for level in levels:
        a = awaiting(person, unit_key=unit_key, region=region.code)
        _visit(a, county, clock, "satisfied", level)


def test_leaders_read_a_cadres_ratings_and_peers_never(county, awaiting, clock, person):
    grid = person("grid-a", "committee_a", "grid_worker", "village_a")
    _rated(county, awaiting, clock, county.cadre_b, "committee_b", county.village_b,
           ["very_satisfied", "satisfied", "unsatisfied"])
    _rated(county, awaiting, clock, grid, "committee_a", county.village_a, ["basically_satisfied"])

    def names(user):
        review = ratings.review(county.county.code if user != county.cadre_a else county.village_a.code, *PERIOD,
                                user=user)
        return {r.name for r in review.cadres}, {r.name for r in review.units}, review.withheld

    town = ratings.review(county.town.code, *PERIOD, user=county.township_leader)
    b = next(r for r in town.cadres if r.key == county.cadre_b.pk)
    assert b.tally.counts["very_satisfied"] == 1 and b.tally.total == 3 and b.tally.bad == 1
    assert str(b.tally.rate) == "2/3 = 66.67%"
    assert {r.name for r in town.units} == {"乙村村委会", "甲村村委会"}
    assert names(county.county_leader)[0] == {"cadre_b", "grid-a"}
    # cadre_a (village secretary of 甲村) leads the grid worker of 甲村, and is a peer of cadre_b.
    assert names(county.cadre_a) == ({"grid-a"}, {"甲村村委会"}, 0)
    # cadre_b is a peer of cadre_a's village and reads only their own; the township station reads no one.
    mine = ratings.review(county.village_b.code, *PERIOD, user=county.cadre_b)
    assert [r.name for r in mine.cadres] == ["cadre_b"]
    station = ratings.review(county.town.code, *PERIOD, user=county.civil_staff)
    assert station.cadres == [] and station.units == [] and station.withheld == 2  # both rated, neither theirs
    assert ratings.review(county.town.code, *PERIOD, user=grid).cadres[0].name == "grid-a"


def test_the_page_shows_leaders_the_ratings_and_hides_them_from_peers(county, awaiting, clock, login, person):
    _rated(county, awaiting, clock, county.cadre_b, "committee_b", county.village_b, ["very_satisfied"])
    leader = login(county.township_leader).get("/cadres/?period=" + str(YEAR))
    text = leader.content.decode()
    assert leader.status_code == 200 and f'data-cadre="{county.cadre_b.pk}"' in text and "乙村村委会" in text
    peer = login(county.cadre_a).get(f"/cadres/?region={county.village_a.code}&period={YEAR}")
    assert peer.status_code == 200 and f'data-cadre="{county.cadre_b.pk}"' not in peer.content.decode()
    assert login(county.cadre_a).get(f"/cadres/?region={county.village_b.code}").status_code == 404
    # No standing at all (a department handler): the page does not exist for them.
    assert login(county.dept_handler).get("/cadres/").status_code == 404


def test_the_api_answers_the_same_rows(client, county, awaiting, clock, bearer):
    _rated(county, awaiting, clock, county.cadre_b, "committee_b", county.village_b, ["satisfied", "satisfied"])
    got = client.get(f"/api/v1/cadres/review?region={county.town.code}&period={YEAR}",
                     headers=bearer(county.township_leader)).json()
    row = next(r for r in got["cadres"] if r["id"] == county.cadre_b.pk)
    assert row["counts"]["satisfied"] == 2 and row["satisfaction"] == 1.0
    peer = client.get(f"/api/v1/cadres/review?region={county.village_a.code}&period={YEAR}",
                      headers=bearer(county.cadre_a)).json()
    assert all(r["id"] != county.cadre_b.pk for r in peer["cadres"])
    assert client.get("/api/v1/cadres/review", headers=bearer(county.dept_handler)).status_code == 404


def test_the_dashboard_shows_leaders_the_cadre_card(county, awaiting, clock, login):
    _rated(county, awaiting, clock, county.cadre_b, "committee_b", county.village_b, ["satisfied", "unsatisfied"])
    page = login(county.township_leader).get(f"/dashboards/?period={YEAR}").content.decode()
    assert 'id="dash-cadres"' in page and 'data-figure="cadres.ratings">2 · 1/2 = 50.00%' in page
    assert f'data-unit="{county.units["committee_b"].pk}"' in page
    assert 'id="dash-cadres"' not in login(county.civil_staff).get(f"/dashboards/?period={YEAR}").content.decode()


def test_the_leaders_page_costs_the_same_queries_for_more_cadres(county, awaiting, clock, login, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(county.county_leader)
    _rated(county, awaiting, clock, county.cadre_b, "committee_b", county.village_b, ["satisfied"])

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/cadres/?period={YEAR}").status_code == 200
        return len(ctx.captured_queries)

    one = cost()
    for n in range(3):  # three more cadres rated, in two more units
        grid = person(f"grid-{n}", "committee_a", "grid_worker", "village_a")
        _rated(county, awaiting, clock, grid, "committee_a", county.village_a, ["very_satisfied"])
    assert cost() == one
