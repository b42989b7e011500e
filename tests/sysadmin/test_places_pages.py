"""Kinds of dispute, 村民小组 and division names: set up in pages by the county's system
administrator (no Django admin), each change audited, nothing deleted, other counties untouched."""

import pytest

from minqing.audit.models import Event
from minqing.disputes.models import DisputeKind
from minqing.regions.models import Region, VillageGroup

pytestmark = pytest.mark.django_db

PAGES = ["/setup/dispute-kinds/", "/setup/dispute-kinds/new/", "/setup/groups/", "/setup/regions/"]


def test_the_pages_open_for_the_sysadmin_only(county, sysadmin, login, client):
    login(county.township_leader)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    login(sysadmin)
    for url in PAGES:
        assert client.get(url).status_code == 200, url
    assert "甲村" in client.get("/setup/regions/").content.decode()


def test_a_kind_of_dispute_is_created_edited_and_deactivated_never_deleted(county, sysadmin, login, client):
    login(sysadmin)
    page = client.post("/setup/dispute-kinds/new/", {"name": "土地承包", "code": "land_contract",
                                                     "category_code": "", "order": "3"})
    assert page.status_code == 302
    kind = DisputeKind.objects.get(code="land_contract")
    assert kind.name == "土地承包" and kind.order == 3 and kind.is_active
    client.post(f"/setup/dispute-kinds/{kind.pk}/", {"name": "土地承包经营", "code": "changed", "order": "3",
                                                     "family": "on"})
    kind.refresh_from_db()
    assert (kind.name, kind.code, kind.family) == ("土地承包经营", "land_contract", True)  # the code stays
    client.post(f"/setup/dispute-kinds/{kind.pk}/active/", {"reason": "并入其他类别"})
    kind.refresh_from_db()
    assert not kind.is_active and DisputeKind.objects.filter(pk=kind.pk).exists()
    actions = list(Event.objects.filter(object_id=str(kind.pk), action__startswith="dispute_kind.")
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["dispute_kind.created", "dispute_kind.saved", "dispute_kind.deactivated"]
    assert "土地承包经营" in client.get("/setup/dispute-kinds/").content.decode()


def test_bad_dispute_kinds_are_refused_in_chinese(county, sysadmin, login, client):
    login(sysadmin)
    DisputeKind.objects.create(code="well_water", name="用水纠纷")
    before = (DisputeKind.objects.count(), Event.objects.count())
    page = client.post("/setup/dispute-kinds/new/", {"name": "重复", "code": "well_water"}, follow=True)
    assert "这个代码已被使用" in page.content.decode()
    page = client.post("/setup/dispute-kinds/new/", {"name": "坏代码", "code": "邻里"}, follow=True)
    assert "代码只能用小写字母" in page.content.decode()
    assert (DisputeKind.objects.count(), Event.objects.count()) == before


def test_a_village_group_is_added_and_renamed(county, sysadmin, login, client):
    login(sysadmin)
    village = county.regions["village_c"]
    page = client.post("/setup/groups/", {"village": village.code, "number": "7", "name": "七组"})
    assert page.status_code == 302
    group = VillageGroup.objects.get(region=village, number=7)
    page = client.post("/setup/groups/", {"village": village.code, "number": "7", "name": "又一个七组"}, follow=True)
    assert "已有第 7 组" in page.content.decode()
    assert VillageGroup.objects.filter(region=village, number=7).count() == 1
    client.post(f"/setup/groups/{group.pk}/", {"name": "七组（新院子）", "reason": "村民大会决定"})
    group.refresh_from_db()
    assert group.name == "七组（新院子）"
    assert Event.objects.filter(action="village_group.renamed", object_id=str(group.pk), reason="村民大会决定").exists()
    assert "七组（新院子）" in client.get(f"/setup/groups/?village={village.code}").content.decode()


def test_a_division_is_renamed_with_a_reason_and_keeps_its_code(county, sysadmin, login, client):
    login(sysadmin)
    town = county.regions["town2"]
    page = client.post(f"/setup/regions/{town.code}/", {"name": "乙镇", "reason": ""})
    assert "请填写" in page.content.decode()
    client.post(f"/setup/regions/{town.code}/", {"name": "乙街道", "reason": "川府民政〔2026〕12号"})
    assert Region.objects.get(code=town.code).name == "乙街道"
    event = Event.objects.get(action="region.renamed", object_id=town.code)
    assert event.changes["name"] == ["乙镇", "乙街道"] and event.reason == "川府民政〔2026〕12号"
    assert client.get(f"/setup/regions/{county.regions['county'].code}/").status_code == 404  # the county itself


def test_another_countys_sysadmin_cannot_touch_this_countys_places(county, other_sysadmin, login, client):
    login(other_sysadmin)
    group = VillageGroup.objects.create(region=county.regions["village_a"], number=9, name="九组")
    assert client.get(f"/setup/regions/{county.regions['town'].code}/").status_code == 404
    assert client.get(f"/setup/groups/{group.pk}/").status_code == 404
    page = client.post("/setup/groups/", {"village": county.regions["village_a"].code, "number": "8", "name": "八组"})
    assert page.status_code == 200 and not VillageGroup.objects.filter(number=8).exists()
