"""退单率 per unit with its numerator and denominator, each unit's on-time rate by its own part, on the
county dashboard and in the briefing (the "dispatch" section of the figures registry)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.accounts.models import Unit
from minqing.appeals import cohandling, services
from minqing.briefing.compose import compose
from minqing.dashboards.figures import build
from minqing.lib import figures
from minqing.lib.periods import month

pytestmark = pytest.mark.django_db


def test_return_rate_and_own_part_on_time(county):
    transport = Unit.objects.create(name="县交通运输局", kind="department", function="transport", region=county.county)
    cadre, handler = county.cadre_a, county.dept_handler
    a = services.register_appeal(actor=cadre, region=county.village_a.code, kind="problem", channel="visit",
                                 title="道路塌陷", text="村道塌陷")
    services.do_assign(a, actor=cadre, unit=county.units["housing"], person=handler, measures="修复",
                       co_units=[transport.pk])
    cohandling.do_return(a, actor=county.admin, unit=transport.pk, reason="不属交通")  # the operator, for the test
    cohandling.do_reject_return(a, actor=cadre, reason="属交通职责")
    cohandling.do_co_reply(a, actor=county.admin, unit=transport.pk, reply="已恢复路面")
    now = timezone.localdate()
    data = figures.compute("dispatch", county.county.code, now.replace(day=1), now)
    rate = data["return_rate"]
    assert (rate.numerator, rate.denominator) == (1, 2)  # one 退单 of two receipts (交办 + 协办)
    by_unit = {u["unit"]: u for u in data["units"]}
    assert str(by_unit["县交通运输局"]["returns"]) == "1/1 = 100.00%"
    assert str(by_unit["县住建局"]["returns"]) == "0/1 = 0.00%"
    assert str(by_unit["县交通运输局"]["on_time"]) == "1/1 = 100.00%" and by_unit["县交通运输局"]["co_parts"] == 1
    period = month(now.year, now.month)
    dash = build(county.county, period, county.county_leader)
    assert dash.dispatch["return_rate"]["text"] == "1/2 = 50.00%"
    brief = compose(county.county.code, period, user=county.county_leader)
    row = next(r for r in brief.table if r.label == "退单率")
    assert row.value == "50.00%" and "退单1件" in row.note and "2件" in row.note


def test_the_county_dashboard_page_shows_it(county, login):
    test_return_rate_and_own_part_on_time(county)
    page = login(county.county_leader).get(f"/dashboards/{county.county.code}/").content.decode()
    assert 'data-testid="return-rate"' in page and "1/2 = 50.00%" in page
    assert dt.date.today()  # the period is the current month by default
