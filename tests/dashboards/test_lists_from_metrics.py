"""The drill-down lists are the metric definitions' rows (issue 13, one definition per rule): for a
county-wide year (the SQLite plan that writes its date tests so no index serves them) and a township
month, each list's length equals its figure, and the list module states no filter of its own."""

from __future__ import annotations

import ast
import datetime as dt
import inspect

import pytest

from minqing.appeals import metric_cases, metrics
from minqing.dashboards import lists
from minqing.lib import periods
from tests.dashboards.conftest import MAY

pytestmark = pytest.mark.django_db


def _figures(code: str, start: dt.date, end: dt.date) -> dict[str, int]:
    r = metrics.received(code, start, end)
    d = metrics.due_for_closure(code, start, end)
    c = metrics.closed_in_period(code, start, end)
    return {"received": r["received"], "responded": r["responded"], "on_spot": r["on_spot"],
            "assigned": r["assigned"], "assigned_done": r["assigned_done"], "to_township": r["to_township"],
            "to_county": r["to_county"], "due": d["due"], "closed": d["closed"], "on_time": d["on_time"],
            "closed_in_period": c["closed"], "solved": c["solved"], "explained": c["explained"],
            "backlog": metrics.backlog(code, start, end).at_end}


@pytest.mark.parametrize("which", ["county-year", "town-month"])
def test_each_list_counts_what_its_metric_counts(month_cases, county, which):
    code, start, end = ((county.county.code, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) if which == "county-year"
                        else (county.town.code, *MAY))
    want = _figures(code, start, end)
    low, high = metrics.bounds(start, end)
    got = {name: metric_cases.cases(name, code, low, high).count() for name in want}
    assert got == want
    assert want["received"] > 0 and want["due"] > 0 and want["solved"] > 0  # the figures are not all zero
    # and the page's list, for someone who may read every case of the county, is the same
    p = periods.year(2024) if which == "county-year" else periods.month(2024, 5)
    leader = county.county_leader
    assert {n: lists.cases(n, code, p, leader).count() for n in want} == want


def test_the_list_module_restates_no_filter():
    tree = ast.parse(inspect.getsource(lists))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert "Q" not in called and "F" not in called and "Exists" not in called
