"""Villages merge and split: codes change, households move with recorded events, history stays."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from minqing.audit.log import verify
from minqing.audit.models import Event
from minqing.households import services as hh
from minqing.households.models import Household, Resident
from minqing.regions.models import Level, Region, VillageGroup
from minqing.regions.services import merge_village, split_village

pytestmark = pytest.mark.django_db


@pytest.fixture
def township():
    county = Region.objects.create(code="511722000000", name="宣汉县", level=Level.COUNTY)
    town = Region.objects.create(code="511722100000", name="东乡镇", level=Level.TOWNSHIP, parent=county)
    a = Region.objects.create(code="511722100201", name="甲村", level=Level.VILLAGE, parent=town)
    b = Region.objects.create(code="511722100202", name="乙村", level=Level.VILLAGE, parent=town)
    VillageGroup.objects.create(region=a, number=1, name="一组")
    VillageGroup.objects.create(region=b, number=1, name="一组")
    for village in (a, b):
        for n in ("0001", "0002"):
            h = hh.create_household(actor=None, region_id=village.code, number=n, head_name=f"{village.name}{n}",
                                    address="某地")
            hh.add_resident(h, actor=None, name="张三", relation="head")
    return town, a, b


def test_it_merges_a_village_and_keeps_its_history(township):
    _, a, b = township
    moved = merge_village(a, b, actor=None, on=dt.date(2026, 1, 1), reason="县政府〔2026〕1号")
    assert moved == 2
    a.refresh_from_db()
    assert not a.is_active and a.successor_id == b.code and a.abolished_on == dt.date(2026, 1, 1)
    assert Household.objects.filter(region=b).count() == 4
    assert Resident.objects.filter(region=a).count() == 0
    numbers = set(Household.objects.filter(region=b).values_list("number", flat=True))
    assert len(numbers) == 4  # clashing household numbers were made unique
    assert VillageGroup.objects.filter(region=b).count() == 2
    assert Event.objects.filter(action="household.moved").count() == 2
    assert Event.objects.filter(action="region.merged", object_id=a.code).exists()
    assert verify() == []


def test_it_refuses_a_merge_without_a_reason(township):
    _, a, b = township
    with pytest.raises(ValidationError):
        merge_village(a, b, actor=None, on=dt.date(2026, 1, 1), reason=" ")
    assert Household.objects.filter(region=a).count() == 2


def test_it_splits_a_village(township):
    _, a, _ = township
    ids = list(Household.objects.filter(region=a).order_by("id").values_list("id", flat=True))
    parts = {"511722100211": "甲东村", "511722100212": "甲西村"}
    created = split_village(a, parts, {ids[0]: "511722100211", ids[1]: "511722100212"}, actor=None,
                            on=dt.date(2026, 2, 1), reason="拆分")
    assert [r.code for r in created] == list(parts)
    assert Household.objects.get(pk=ids[1]).region_id == "511722100212"
    assert Resident.objects.filter(region_id="511722100211").count() == 1
    a.refresh_from_db()
    assert a.successor_id == "511722100211" and not a.is_active


def test_a_split_must_place_every_household(township):
    _, a, _ = township
    ids = list(Household.objects.filter(region=a).values_list("id", flat=True))
    with pytest.raises(ValidationError):
        split_village(a, {"511722100211": "甲东村"}, {ids[0]: "511722100211"}, actor=None,
                      on=dt.date(2026, 2, 1), reason="拆分")
    assert not Region.objects.filter(code="511722100211").exists()  # nothing half-done
