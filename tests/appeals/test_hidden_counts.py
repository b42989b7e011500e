"""Figures never count a 举报 except for the 纪委 covering the place (docs/decisions, hidden-case
counts): a cadre a report names cannot find the day it was filed by comparing one-day figures."""

from __future__ import annotations

import pytest

from minqing.appeals import metrics

pytestmark = pytest.mark.django_db


def test_a_misconduct_report_is_counted_only_for_the_discipline_commission(county, register, clock):
    register(county.cadre_a, title="路灯")
    report = register(county.inspector, kind="misconduct", title="举报村书记")
    report.reported_users.add(county.cadre_a)
    day = report.received_at.date()
    code = county.village_a.code
    for user in (county.cadre_a, county.township_leader, county.county_leader, county.dept_handler):
        assert metrics.received(code, day, day, user=user)["received"] == 1, user
    assert metrics.received(code, day, day, user=county.inspector)["received"] == 2
    assert metrics.received(code, day, day)["received"] == 2  # no person: the briefing's own rules apply
