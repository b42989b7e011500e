"""The liaison quota against a hand-computed fixture (conftest `liaison`), Jan–Jun of last year:

leader        paired with (from – to)            visits to paired enterprises        required  done  status
county_leader e1 (Jan–), e2 (Mar–)               e1 Jan Feb Mar May; e2 Mar Apr Jun   10        7     yellow
              (+ e3 in Jan, not paired: not counted)
dept_head     e3 (Jan – Apr 30); May, Jun none   e3 Jan ×2, Apr                       6         2     red
leader2       nothing                            —                                    6         0     red
county_head   e1 (Jan–)                          e1 every month                       6         6     green
"""

from __future__ import annotations

import pytest

from minqing.enterprises.metrics import liaison_report

from .conftest import day

pytestmark = pytest.mark.django_db


def _rows(rows):
    return {r["name"]: (r["required"], r["done"], r["status"]) for r in rows}


def test_half_year_report(liaison):
    rows = liaison_report(liaison.county.code, day("01-01"), day("06-30"))
    assert _rows(rows) == {"county_leader": (10, 7, "yellow"), "dept_head": (6, 2, "red"),
                           "leader2": (6, 0, "red"), "county_head": (6, 6, "green")}
    assert [r["status"] for r in rows] == ["red", "red", "yellow", "green"]
    lead = next(r for r in rows if r["name"] == "county_leader")
    assert lead["missed"] == [f"{day('04-01'):%Y-%m}", f"{day('05-01'):%Y-%m}", f"{day('06-01'):%Y-%m}"]
    assert lead["enterprises"] == 2 and lead["rule"] == "enterprise_liaison" and lead["user_id"] == \
        liaison.county_leader.pk
    assert next(r for r in rows if r["name"] == "leader2")["enterprises"] == 0


def test_one_month(liaison):
    rows = liaison_report(liaison.county.code, day("03-01"), day("03-31"))
    assert _rows(rows) == {"county_leader": (2, 2, "green"), "dept_head": (1, 0, "red"), "leader2": (1, 0, "red"),
                           "county_head": (1, 1, "green")}


def test_a_village_report_counts_its_enterprises_only(liaison):
    rows = liaison_report(liaison.village_a.code, day("01-01"), day("06-30"))
    assert _rows(rows) == {"county_leader": (4, 3, "yellow")}


def test_months_not_begun_are_not_required_and_figures_are_scoped(liaison):
    rows = liaison_report(liaison.county.code, day("01-01"), day("06-30"), today=day("02-10"))
    assert _rows(rows)["county_head"] == (2, 2, "green")
    assert liaison_report(liaison.county.code, day("01-01"), day("06-30"), user=liaison.cadre_a) == []
    assert _rows(liaison_report(liaison.county.code, day("01-01"), day("06-30"), user=liaison.dept_head)) == \
        _rows(liaison_report(liaison.county.code, day("01-01"), day("06-30")))
