"""Per-item counts and clearance by round, against a hand-computed fixture (conftest `answered`):

household  village  visits (last year)            failed items
a1         A        02-10, 05-10                  income (3500 → 4200: cleared), water (不安全 twice: open)
a2         A        02-11                         —
b1         B        02-12, 08-12                  housing (no → yes: cleared)
b2         B        05-13                         income (3900: open)
c1         C        03-01 (note only extra)       —
"""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.checklists import metrics

from .helpers import day, year

pytestmark = pytest.mark.django_db


def _by_item(rows):
    return {r["item"]: r for r in rows}


def test_item_counts_over_the_year(answered):
    c = answered
    rows = _by_item(metrics.item_counts(c.county.code, day("01-01"), day("12-31")))
    assert "remark" not in rows  # a note is never pass or fail
    assert [r["item"] for r in metrics.item_counts(c.county.code, day("01-01"), day("12-31"))] == [
        "food", "clothing", "education", "medical", "housing", "water", "income"]
    assert {k: rows["income"][k] for k in ("checked", "failing", "cleared", "open")} == \
        {"checked": 5, "failing": 2, "cleared": 1, "open": 1}
    assert {k: rows["water"][k] for k in ("checked", "failing", "cleared", "open")} == \
        {"checked": 5, "failing": 1, "cleared": 0, "open": 1}
    assert {k: rows["housing"][k] for k in ("checked", "failing", "cleared", "open")} == \
        {"checked": 5, "failing": 1, "cleared": 1, "open": 0}
    assert rows["food"]["failing"] == 0 and rows["food"]["checked"] == 5
    villages = {v["region"]: v for v in rows["income"]["villages"]}
    assert villages[c.village_a.code] == {"region": c.village_a.code, "name": "甲村", "checked": 2, "failing": 1,
                                              "cleared": 1, "open": 0}
    assert (villages[c.village_b.code]["failing"], villages[c.village_b.code]["open"]) == (1, 1)
    assert villages[c.village_c.code]["checked"] == 1 and villages[c.village_c.code]["failing"] == 0
    assert rows["income"]["villages"][0]["region"] == c.village_b.code  # worst (most open) first
    assert rows["income"]["label"] == "人均纯收入" and rows["income"]["checklist"] == "lbc_sbz"


def test_household_totals(answered):
    totals = metrics.household_totals(answered.county.code, day("01-01"), day("12-31"))
    assert totals == {"checked": 5, "failing": 3, "cleared": 1, "open": 2}


def test_a_shorter_range_sees_only_its_answers(answered):
    rows = _by_item(metrics.item_counts(answered.county.code, day("01-01"), day("03-31")))
    assert (rows["income"]["checked"], rows["income"]["failing"], rows["income"]["cleared"]) == (4, 1, 0)
    assert (rows["housing"]["failing"], rows["housing"]["cleared"]) == (1, 0)


def test_a_village_sees_its_own_numbers(answered):
    c = answered
    rows = _by_item(metrics.item_counts(c.village_a.code, day("01-01"), day("12-31")))
    assert (rows["income"]["checked"], rows["income"]["failing"], rows["income"]["cleared"]) == (2, 1, 1)
    assert "housing" in rows and rows["housing"]["failing"] == 0
    assert metrics.item_counts(c.village_b.code, day("01-01"), day("12-31"), user=c.cadre_a) == []


def test_clearance_by_quarter_when_there_are_no_rounds(answered):
    rounds = metrics.clearance_by_round(answered.county.code, year())
    assert [(r["round"], r["ended_on"]) for r in rounds] == [
        (1, day("03-31")), (2, day("06-30")), (3, day("09-30")), (4, day("12-31"))]
    assert [(r["checked"], r["found"], r["cleared"], r["open"]) for r in rounds] == [
        (4, 2, 0, 2), (5, 3, 0, 3), (5, 3, 1, 2), (5, 3, 1, 2)]
    income = [next(i for i in r["items"] if i["item"] == "income") for r in rounds]
    assert [(i["found"], i["cleared"], i["open"]) for i in income] == [(1, 0, 1), (2, 1, 1), (2, 1, 1), (2, 1, 1)]


def test_clearance_follows_the_visit_rounds_of_the_region(answered):
    from django.utils import timezone

    from minqing.accounts.models import VisitTeam
    from minqing.fieldwork.models import VisitRound

    c = answered
    team = VisitTeam.objects.create(name="甲镇五人走访组", region=c.town, year=year())
    now = timezone.now()
    for number, first, last in ((1, "02-01", "02-28"), (2, "08-01", "08-31")):
        VisitRound.objects.create(team=team, region=c.town, year=year(), number=number, started_on=day(first),
                                  ended_on=day(last), created_at=now, updated_at=now)
    rounds = metrics.clearance_by_round(c.town.code, year())
    assert [(r["round"], r["ended_on"], r["checked"], r["found"], r["cleared"], r["open"]) for r in rounds] == [
        (1, day("02-28"), 3, 2, 0, 2), (2, day("08-31"), 4, 3, 1, 2)]
    # 乙镇 has no round: quarters; only 丙村's c1, who never failed.
    other = metrics.clearance_by_round(c.town2.code, year())
    assert [r["found"] for r in other] == [0, 0, 0, 0] and other[0]["checked"] == 1


def test_a_deleted_response_is_not_counted(answered):
    from django.utils import timezone

    from minqing.checklists.models import ChecklistResponse

    ChecklistResponse.objects.filter(household=answered.households["b2"]).update(deleted_at=timezone.now())
    totals = metrics.household_totals(answered.county.code, day("01-01"), day("12-31"))
    assert totals == {"checked": 4, "failing": 2, "cleared": 1, "open": 1}


def test_clearance_only_counts_rounds_begun(answered):
    today = dt.date(year(), 5, 15)
    rounds = metrics.clearance_by_round(answered.county.code, year(), today=today)
    assert [(r["round"], r["ended_on"]) for r in rounds] == [(1, day("03-31")), (2, day("05-15"))]
