"""Household and resident services: validation in Chinese with nothing changed, version conflicts,
removal with a reason, and jurisdiction on every write."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.audit.models import Event
from minqing.households import crypto, queries
from minqing.households import services as hh
from minqing.households.models import Household, Resident
from tests.conftest import ID_A, PHONE_A

pytestmark = pytest.mark.django_db


def _snapshot():
    return (Event.objects.count(), list(Resident.objects.order_by("pk").values()),
            list(Household.objects.order_by("pk").values()))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"id_number": ID_A[:-1] + "9"}, "id_number", "校验位错误"),
    ({"id_number": "12345"}, "id_number", "18位"),
    ({"phone": "12345"}, "phone", "电话号码无效"),
    ({"phone": "1381234567", "name": "改名"}, "phone", "电话号码无效"),
])
def test_bad_personal_data_is_refused_in_chinese_and_nothing_changes(county, changes, field, message):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        hh.update_resident(county.residents["a1"], actor=county.cadre_a, changes=changes)
    assert message in "".join(err.value.message_dict[field])
    assert _snapshot() == before


def test_a_new_resident_with_a_bad_id_is_not_created(county):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        hh.add_resident(county.households["a1"], actor=county.cadre_a, name="新人", id_number="511722198001011233",
                        phone="abc")
    assert set(err.value.message_dict) == {"id_number", "phone"}
    assert _snapshot() == before


def test_personal_data_is_stored_encrypted_hashed_and_masked(county):
    r = Resident.objects.get(pk=county.residents["a1"].pk)
    assert ID_A not in r.id_number_enc and PHONE_A not in r.phone_enc
    assert crypto.decrypt(r.id_number_enc) == ID_A and crypto.decrypt(r.phone_enc) == PHONE_A
    assert r.id_number_hash == crypto.lookup_hash(ID_A) == crypto.lookup_hash(ID_A.lower())
    assert r.id_number_masked == "511722********1232" and r.phone_masked == "138****5678"


def test_an_offline_edit_based_on_an_old_version_is_a_conflict(county):
    h = county.households["a1"]
    hh.update_household(h, actor=county.cadre_a, changes={"address": "新地址1"}, base_version=1)
    with pytest.raises(ValidationError) as err:
        hh.update_household(h, actor=county.cadre_a, changes={"address": "新地址2"}, base_version=1)
    assert "已被他人修改" in err.value.messages[0]
    h.refresh_from_db()
    assert h.address == "新地址1" and h.version == 2
    hh.update_household(h, actor=county.cadre_a, changes={"address": "新地址3"}, base_version=2)
    h.refresh_from_db()
    assert h.version == 3


def test_only_listed_fields_can_change(county):
    with pytest.raises(ValidationError):
        hh.update_household(county.households["a1"], actor=None, changes={"region_id": county.village_b.code})
    with pytest.raises(ValidationError):
        hh.update_resident(county.residents["a1"], actor=None, changes={"id_number_hash": "x"})


def test_removal_needs_a_reason(county):
    h = county.households["a1"]
    for reason in ("", "  "):
        with pytest.raises(ValidationError) as err:
            hh.remove_household(h, actor=county.cadre_a, reason=reason)
        assert "原因" in err.value.messages[0]
    h.refresh_from_db()
    assert h.deleted_at is None


def test_writes_outside_ones_place_are_refused(county):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        hh.update_household(county.households["b1"], actor=county.cadre_a, changes={"address": "x"})
    with pytest.raises(PermissionDenied):
        hh.add_resident(county.households["b1"], actor=county.cadre_a, name="外人")
    with pytest.raises(PermissionDenied):
        hh.remove_household(county.households["b1"], actor=county.cadre_a, reason="越权")
    with pytest.raises(PermissionDenied):
        hh.create_household(actor=county.dept_handler, region_id=county.village_a.code, number="9",
                            head_name="x", address="x")
    assert _snapshot() == before


def test_duplicate_household_numbers_are_refused(county):
    with pytest.raises(ValidationError):
        hh.create_household(actor=county.cadre_a, region_id=county.village_a.code, number="0001",
                            head_name="重复", address="x")


def test_search_by_partial_numbers_does_not_scan_personal_data(county):
    assert queries.households_for(county.cadre_a, q=PHONE_A[:7]).count() == 0
    assert queries.households_for(county.cadre_a, q=PHONE_A).count() == 1
    assert queries.households_for(county.cadre_a, q=ID_A.lower()).count() == 1
