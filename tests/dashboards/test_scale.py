"""The dashboard's drill-down rows and monthly trend, computed with grouped queries, equal the metric
functions called place by place and month by month; and the number of SQL statements of a dashboard
does not grow with the number of places below it (docs/decisions/0013-dashboard-at-scale.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.appeals import metric_rows, metrics
from minqing.dashboards import figures
from minqing.lib import periods
from tests.dashboards.conftest import at

pytestmark = pytest.mark.django_db


def per_place(code: str, p, user) -> dict:
    """A drill-down row as the dashboard computed it before: five metric functions for the place."""
    c = metrics.closed_in_period(code, p.start, p.end, user=user)
    d = metrics.due_for_closure(code, p.start, p.end, user=user)
    return {"received": metrics.received(code, p.start, p.end, user=user)["received"],
            "resolution": metrics.Rate(c["solved"], c["closed"]).percent,
            "on_time": metrics.Rate(d["on_time"], d["due"]).percent,
            "satisfaction": metrics.satisfaction_rate(code, p.start, p.end, user=user).percent,
            "backlog": metrics.backlog(code, p.start, p.end, user=user).at_end}


@pytest.mark.parametrize("token", ["2024-05", "2024-Q2", "2024"])
@pytest.mark.parametrize(("place", "persona"), [("county", "county_leader"), ("county", "dept_handler"),
                                                ("town", "township_leader"), ("town", "county_leader"),
                                                ("village_a", "cadre_a")])
def test_rows_and_trend_equal_the_functions_place_by_place(month_cases, county, place, persona, token):
    user, region, p = county.users[persona], county.regions[place], periods.parse(token)
    dash = figures.build(region, p, user)
    kids = [r for r in county.regions.values() if r.parent_id == region.code]
    assert [row["code"] for row in dash.children] == sorted(k.code for k in kids)
    for row in dash.children:
        assert {k: row[k] for k in ("received", "resolution", "on_time", "satisfaction", "backlog")} == per_place(
            row["code"], p, user), row["code"]
    months = p.months()
    assert [(m["start"], m["end"]) for m in dash.trend] == [(s.isoformat(), e.isoformat()) for s, e in months]
    for m, (start, end) in zip(dash.trend, months, strict=True):
        c = metrics.closed_in_period(region.code, start, end, user=user)
        assert (m["received"], m["closed"], m["solved"]) == (
            metrics.received(region.code, start, end, user=user)["received"], c["closed"], c["solved"])
    assert dash.summary == metrics.county_summary(region.code, p.start, p.end, user=user)


def test_the_county_rows_count_township_level_cases_and_leave_out_county_level_ones(month_cases, county):
    """A case filed at the township itself belongs to the township's row; one filed at the county to
    no row (and to the county's own figures)."""
    from minqing.appeals.models import Appeal

    for key, place in (("T1", county.town), ("K1", county.county)):
        Appeal.objects.create(number=f"T-{key}", kind="problem", status="registered", group="open", level="township",
                              max_level="township", region=place, channel="visit", title="诉求", text="内容",
                              received_at=at(2024, 5, 20), updated_at=at(2024, 5, 20))
    dash = figures.build(county.county, periods.month(2024, 5), county.county_leader)
    rows = {r["code"]: r["received"] for r in dash.children}
    assert rows == {county.town.code: 12, county.town2.code: 1}  # 11 from the hand count + T1
    assert dash.figures["received"] == 14


def _build_queries(county, region) -> int:
    with CaptureQueriesContext(connection) as ctx:
        figures.build(region, periods.month(2024, 5), county.county_leader)
    return len(ctx.captured_queries)


def test_the_statements_do_not_grow_with_the_places_below(month_cases, county):
    from minqing.appeals.models import Appeal
    from minqing.regions.models import Level, Region

    _build_queries(county, county.county)  # the first build also reads the user's posts (then cached)
    before = _build_queries(county, county.county)
    for n in range(5):  # five more townships, each with a village and a case
        town = Region.objects.create(code=f"5117222{n:02d}000", name=f"新镇{n}", level=Level.TOWNSHIP,
                                     parent=county.county)
        village = Region.objects.create(code=f"5117222{n:02d}201", name=f"新村{n}", level=Level.VILLAGE, parent=town)
        Appeal.objects.create(number=f"N-{n}", kind="problem", status="registered", group="open", level="village",
                              max_level="village", region=village, channel="visit", title="诉求", text="内容",
                              received_at=at(2024, 5, 3), updated_at=at(2024, 5, 3))
    dash = figures.build(county.county, periods.month(2024, 5), county.county_leader)
    assert len(dash.children) == 7 and sum(r["received"] for r in dash.children) == 12 + 5
    assert _build_queries(county, county.county) == before


def test_a_long_county_period_gives_the_same_page(month_cases, county, monkeypatch):
    """On SQLite a county year is read by a scan rather than the date indexes: the same figures."""
    p = periods.parse(None, "2023-06-01", dt.date(2024, 5, 31).isoformat())
    scanned = figures.build(county.county, p, county.county_leader)
    monkeypatch.setattr(metric_rows, "_unindexed_dates", lambda *a: False)
    indexed = figures.build(county.county, p, county.county_leader)
    assert (scanned.figures, scanned.children, scanned.trend) == (indexed.figures, indexed.children, indexed.trend)
