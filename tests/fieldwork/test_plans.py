"""Visit plans against hand-computed due dates."""

import datetime as dt

import pytest

from minqing.accounts.models import Pairing
from minqing.fieldwork import plans, services
from minqing.fieldwork.models import VisitPolicy
from minqing.regions.models import VillageGroup

from .conftest import at

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def planned(county):
    group2 = VillageGroup.objects.create(region=county.village_a, number=2, name="二组")
    group1 = VillageGroup.objects.get(region=county.village_a, number=1)
    county.a1.group = group2
    county.a1.save()
    county.a2.group = group1
    county.a2.save()
    # a1 is 低保户 (12 a year → every 30 days); a2 has no tag (the default 4 a year → every 91 days).
    services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-02-01"))
    services.record_visit(actor=county.cadre_a, household=county.a1, visited_at=at("2025-03-05"))
    services.record_visit(actor=county.cadre_a, household=county.a2, visited_at=at("2024-12-01"))
    return county


def test_due_dates_and_visiting_order(planned):
    due = plans.due_for(planned.cadre_a, D("2025-03-31"))
    assert [(d.household.number, d.household.group.number) for d in due] == [("0002", 1), ("0001", 2)]
    a2, a1 = due
    assert (a2.last_visit, a2.due_on, a2.overdue) == (D("2024-12-01"), D("2025-03-02"), True)
    assert (a1.last_visit, a1.due_on, a1.overdue) == (D("2025-03-05"), D("2025-04-04"), False)


def test_not_yet_due_households_are_left_out_and_later_visits_ignored(planned):
    due = plans.due_for(planned.cadre_a, D("2025-03-20"))
    assert [d.household.number for d in due] == ["0002"]  # a1 due 04-04, beyond the week ahead
    # On 2025-02-27 the March visit has not happened yet: a1 is due 30 days after 02-01.
    early = {d.household.number: d for d in plans.due_for(planned.cadre_a, D("2025-02-27"))}
    assert early["0001"].due_on == D("2025-03-03") and early["0001"].last_visit == D("2025-02-01")


def test_county_default_frequency(planned):
    VisitPolicy.objects.create(region=planned.county, default_visits_per_year=6)  # every 61 days
    a2 = next(d for d in plans.due_for(planned.cadre_a, D("2025-03-31")) if d.household.number == "0002")
    assert a2.due_on == D("2025-01-31")


def test_tag_frequency_is_configurable(planned):
    from minqing.households.models import Tag

    Tag.objects.filter(code="dibao").update(visits_per_year=4)
    a1 = next(d for d in plans.due_for(planned.cadre_a, D("2025-06-30")) if d.household.number == "0001")
    assert a1.due_on == D("2025-06-04") and a1.overdue


def test_never_visited_is_due_at_once_and_jurisdiction_holds(county):
    due = plans.due_for(county.cadre_b, D("2025-03-31"))
    assert [d.household.pk for d in due] == [county.b1.pk, county.b2.pk]
    assert all(d.due_on == D("2025-03-31") and d.last_visit is None and not d.overdue for d in due)
    # A household paired to cadre B in village A is still not cadre B's to see.
    Pairing.objects.create(cadre=county.cadre_b, region=county.village_a, household=county.a1)
    assert county.a1.pk not in [d.household.pk for d in plans.due_for(county.cadre_b, D("2025-03-31"))]


def test_village_pairing_gives_a_leader_the_village(county):
    assert plans.due_for(county.township_leader, D("2025-03-31")) == []
    Pairing.objects.create(cadre=county.township_leader, region=county.village_b, started_on=D("2025-01-01"))
    assert {d.household.pk for d in plans.due_for(county.township_leader, D("2025-03-31"))} == \
        {county.b1.pk, county.b2.pk}
    assert plans.due_for(county.township_leader, D("2024-12-31")) == []  # pairing not begun
    assert plans.due_for(county.dept_handler, D("2025-03-31")) == []


def test_interval():
    assert (plans.interval_days(12), plans.interval_days(4), plans.interval_days(1)) == (30, 91, 365)
