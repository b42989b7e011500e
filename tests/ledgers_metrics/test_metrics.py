"""Metric functions against the hand-computed cases of conftest.py (May 2024)."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.appeals import metrics

MAY = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
TOWN = "511722100"
COUNTY = "511722"

pytestmark = pytest.mark.django_db


def test_received_based_counts(cases):
    r = metrics.received(TOWN, *MAY)
    assert r["received"] == 11
    assert r["responded"] == 5
    assert (r["on_spot"], r["assigned"], r["assigned_done"]) == (1, 7, 3)


def test_rates_with_numerators_and_denominators(cases):
    s = metrics.county_summary(TOWN, *MAY)
    assert (s.response.numerator, s.response.denominator) == (5, 11)
    assert (s.closure.numerator, s.closure.denominator) == (5, 7)
    assert (s.on_time.numerator, s.on_time.denominator) == (4, 7)
    assert (s.resolution.numerator, s.resolution.denominator) == (4, 6)
    assert (s.explained, s.closed_unsolved) == (1, 1)
    assert s.satisfaction_counts == {"satisfied": 2, "basic": 1, "unsatisfied": 1}
    assert str(s.satisfaction) == "3/4 = 75.00%"
    assert str(s.on_time) == "4/7 = 57.14%"
    assert s.by_category == {"未分类": 8, "人居环境整治": 2, "基础设施建设": 1}
    assert s.by_group == {"open": 5, "paused": 0, "solved": 4, "closed_unsolved": 2}


def test_basic_satisfied_weight(cases):
    rate = metrics.satisfaction_rate(TOWN, *MAY, basic_weight=0.5)
    assert (rate.numerator, rate.denominator) == (2.5, 4)
    assert rate.percent == "62.50%"


def test_funnel_cases_and_households(cases):
    f = metrics.escalation_funnel(TOWN, *MAY)
    assert (f.found, f.to_township, f.to_county) == (11, 2, 1)
    assert (f.found_households, f.to_township_households, f.to_county_households) == (3, 2, 1)


def test_backlog_and_year_on_year(cases):
    b = metrics.backlog(TOWN, *MAY)
    assert (b.at_end, b.year_before, b.change) == (2, 1, 1)
    assert b.change_rate == 1.0


def test_merged_never_counts(cases):
    from minqing.appeals.models import ReturnVisit

    before = metrics.county_summary(TOWN, *MAY).as_dict()
    # More activity on the merged case changes nothing.
    ReturnVisit.objects.create(appeal=cases.A8, at=cases.A8.received_at, satisfaction="unsatisfied")
    cases.A8.closed_at = cases.A8.received_at
    cases.A8.save()
    assert metrics.county_summary(TOWN, *MAY).as_dict() == before
    # Un-merging it (now an on-the-spot case) does count it.
    cases.A8.status, cases.A8.group = "solved_on_spot", "solved"
    cases.A8.save()
    after = metrics.county_summary(TOWN, *MAY)
    assert after.received == 12 and after.on_spot == 2


def test_subtree_boundaries(cases):
    county = metrics.county_summary(COUNTY, *MAY)
    assert county.received == 12  # + A12 in 乙镇
    assert (county.response.numerator, county.on_spot) == (6, 2)
    assert (county.resolution.numerator, county.resolution.denominator) == (5, 7)
    assert county.satisfaction_counts == {"satisfied": 2, "basic": 1, "unsatisfied": 2}
    assert metrics.county_summary("511722101", *MAY).received == 1
    assert metrics.county_summary("511722100202", *MAY).received == 1  # 乙村: A6 only
    assert metrics.county_summary("511723", *MAY).received == 0


def test_period_boundaries(cases):
    assert metrics.received(TOWN, dt.date(2024, 5, 31), dt.date(2024, 5, 31))["received"] == 1  # A10 at 23:30
    assert metrics.received(TOWN, dt.date(2024, 6, 1), dt.date(2024, 6, 1))["received"] == 1  # A11 at 00:10
    assert metrics.received(TOWN, dt.date(2024, 5, 1), dt.date(2024, 5, 1))["received"] == 1  # A14 at 00:00
    assert metrics.received(TOWN, dt.date(2024, 4, 28), dt.date(2024, 4, 30))["received"] == 1  # A9


def test_empty_denominator_is_none(cases):
    s = metrics.county_summary(TOWN, dt.date(2030, 1, 1), dt.date(2030, 1, 31))
    assert s.response.value is None and s.response.percent is None
    assert s.as_dict()["closure"]["rate"] is None


def test_user_scope(cases, county):
    assert metrics.received(TOWN, *MAY, user=county.cadre_b)["received"] == 1
    assert metrics.received(TOWN, *MAY, user=county.dept_handler)["received"] == 11  # figures, not records
    assert metrics.received(TOWN, *MAY, user=county.outsider)["received"] == 0
    assert metrics.received(TOWN, *MAY, user=county.admin)["received"] == 11


def test_bad_period():
    with pytest.raises(ValueError):
        metrics.bounds(dt.date(2024, 5, 2), dt.date(2024, 5, 1))


# --- the API -----------------------------------------------------------------------------------


def test_api_month(cases, county, client, bearer):
    r = client.get("/api/v1/metrics", {"region": TOWN, "period": "2024-05"}, headers=bearer(county.county_leader))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["received"] == 11
    assert body["on_time"]["text"] == "4/7 = 57.14%"
    assert body["funnel"]["to_county"] == 1
    assert body["backlog"]["change"] == 1


def test_api_from_to_and_short_codes(cases, county, client, bearer):
    h = bearer(county.county_leader)
    r = client.get("/api/v1/metrics", {"region": "5117", "from": "2024-05-31", "to": "2024-05-31"}, headers=h)
    assert r.status_code == 404  # 达州市 is above the leader's county
    r = client.get("/api/v1/metrics", {"region": "511722", "from": "2024-05-01", "to": "2024-05-31"}, headers=h)
    assert r.status_code == 200 and r.json()["received"] == 12
    r = client.get("/api/v1/metrics", {"region": "511722100202", "period": "2024-05"}, headers=h)
    assert r.json()["received"] == 1


def test_api_outside_jurisdiction_is_404(cases, county, client, bearer):
    r = client.get("/api/v1/metrics", {"region": TOWN, "period": "2024-05"}, headers=bearer(county.cadre_b))
    assert r.status_code == 404
    r = client.get("/api/v1/metrics", {"region": "511722100202", "period": "2024-05"}, headers=bearer(county.cadre_b))
    assert r.status_code == 200 and r.json()["received"] == 1
    r = client.get("/api/v1/metrics", {"region": TOWN, "period": "2024-05"}, headers=bearer(county.outsider))
    assert r.status_code == 404
    assert client.get("/api/v1/metrics", {"region": TOWN, "period": "2024-05"}).status_code == 401


@pytest.mark.parametrize("params", [{"period": "2024-13"}, {"period": "202405"}, {"from": "2024-05-40"},
                                    {"from": "2024-05-10", "to": "2024-05-01"}])
def test_api_bad_period_is_422(county, client, bearer, params):
    r = client.get("/api/v1/metrics", {"region": TOWN, **params}, headers=bearer(county.county_leader))
    assert r.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_api_in_openapi_schema(county, client, bearer):
    schema = client.get("/api/v1/openapi.json", headers=bearer(county.county_leader)).json()
    params = {p["name"] for p in schema["paths"]["/api/v1/metrics"]["get"]["parameters"]}
    assert {"region", "period", "from", "to"} <= params
