"""The audit trail: every change an event, personal data masked, nothing hard-deleted, the hash chain
verified, and tampering behind the application's back caught by `minqing audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from minqing.audit.log import record, verify
from minqing.audit.models import AuditStream, Event
from minqing.audit.softdelete import HardDeleteForbidden
from minqing.households import services as hh
from minqing.households.models import Household, Resident
from tests.conftest import ID_A, ID_A2, ID_B, PHONE_A, PHONE_B

pytestmark = pytest.mark.django_db

NEW_ID = "511722199912310019"


def _all_events_text() -> str:
    """Every column of every event row as the database holds it (JSON as stored text)."""
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM audit_event")
        return "\n".join(repr(row) for row in cur.fetchall())


def test_creating_households_and_residents_writes_events(county):
    h = county.households["a1"]
    created = Event.objects.get(action="household.created", object_id=str(h.pk))
    assert created.object_type == "households.household" and created.region_code == county.village_a.code
    assert created.changes["head_name"] == [None, "甲村户主1"] and created.changes["tags"] == [None, ["dibao"]]
    assert created.stream == "511722"
    r = county.residents["a1"]
    event = Event.objects.get(action="resident.created", object_id=str(r.pk))
    assert event.changes["id_number"] == ["", "511722********1232"]
    assert event.changes["phone"] == ["", "138****5678"]


def test_the_events_table_never_holds_personal_data_in_clear(county):
    hh.update_resident(county.residents["a1"], actor=county.cadre_a, changes={"id_number": NEW_ID,
                                                                              "phone": "13700001111"},
                       reason="证件更正")
    event = Event.objects.filter(action="resident.updated").get()
    assert event.changes["id_number"] == ["511722********1232", "511722********0019"]
    assert event.changes["phone"] == ["138****5678", "137****1111"]
    assert event.reason == "证件更正" and event.actor_id == county.cadre_a.pk
    text = _all_events_text()
    for clear in (ID_A, ID_A2, ID_B, PHONE_A, PHONE_B, NEW_ID, "13700001111"):
        assert clear not in text
    assert verify() == []


def test_updating_a_household_names_the_changed_fields(county):
    h = hh.update_household(county.households["a1"], actor=county.cadre_a, changes={"address": "甲村二组9号"},
                            tags=["dibao", "canji"], reason="入户核实", ip="10.0.0.7")
    assert h.version == 2
    event = Event.objects.filter(action="household.updated").get()
    assert event.changes == {"address": ["甲村一组1号", "甲村二组9号"], "tags": [["dibao"], ["canji", "dibao"]]}
    assert event.ip == "10.0.0.7" and event.actor_name == "cadre_a"


def test_an_update_that_changes_nothing_writes_nothing(county):
    before = Event.objects.count()
    h = hh.update_household(county.households["a1"], actor=None, changes={"address": "甲村一组1号"})
    hh.update_resident(county.residents["a1"], actor=None, changes={"phone": PHONE_A})
    assert h.version == 1 and Event.objects.count() == before


@pytest.mark.parametrize("model", [Household, Resident])
def test_records_cannot_be_hard_deleted(county, model):
    obj = model.objects.first()
    with pytest.raises(HardDeleteForbidden):
        obj.delete()
    with pytest.raises(HardDeleteForbidden):
        model.objects.all().delete()
    with pytest.raises(HardDeleteForbidden):
        model.objects.filter(pk=obj.pk).delete()
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_removal_is_soft_and_an_event(county):
    h = county.households["a1"]
    hh.remove_household(h, actor=county.cadre_a, reason="全户迁出")
    h.refresh_from_db()
    assert h.deleted_at is not None
    assert Resident.objects.filter(household=h, deleted_at__isnull=True).count() == 0
    assert Event.objects.filter(action="household.removed", object_id=str(h.pk), reason="全户迁出").exists()


def test_erasure_blanks_personal_fields_and_keeps_the_chain(county):
    r = county.residents["a1"]
    before = Event.objects.count()
    hh.erase_resident(r, actor=county.cadre_a, reason="保存期限届满")
    r.refresh_from_db()
    for name in ("id_number_enc", "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked"):
        assert getattr(r, name) == ""
    assert r.birth_date is None and r.erased_at is not None and r.name  # the record stays
    event = Event.objects.get(action="resident.erased")
    assert event.reason == "保存期限届满" and Event.objects.count() == before + 1
    assert verify() == []
    call_command("audit", "verify")


def test_erasure_needs_a_reason_and_the_place(county):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError):
        hh.erase_resident(county.residents["a1"], actor=county.cadre_a, reason=" ")
    with pytest.raises(PermissionDenied):
        hh.erase_resident(county.residents["b1"], actor=county.cadre_a, reason="保存期限届满")
    county.residents["b1"].refresh_from_db()
    assert county.residents["b1"].phone_masked == "139****4321"


# -- the chain ---------------------------------------------------------------------------------------------
def _verify_output() -> tuple[bool, str]:
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


def test_verify_passes_on_an_intact_chain(county):
    ok, text = _verify_output()
    assert ok, text
    assert "完好" in text
    assert AuditStream.objects.get(key="511722").last_seq == Event.objects.filter(stream="511722").count()


def test_streams_are_per_county(county):
    record("system.note", object_type="x", object_id="1", reason="全局")
    record("other.county", object_type="x", object_id="1", region_code="510104001001")
    assert set(AuditStream.objects.values_list("key", flat=True)) == {"0", "511722", "510104"}
    assert Event.objects.get(action="other.county").seq == 1
    assert verify() == []


def test_verify_names_an_altered_row(county):
    victim = Event.objects.filter(stream="511722").order_by("seq")[3]
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET reason = 'x' WHERE id = %s", [victim.pk])
    ok, text = _verify_output()
    assert not ok
    assert f"511722#{victim.seq}" in text and f"id={victim.pk}" in text and "篡改" in text
    assert [b.seq for b in verify()] == [victim.seq]


def test_verify_names_altered_changes_json(county):
    victim = Event.objects.filter(action="resident.created").order_by("seq").first()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET changes = %s WHERE id = %s", ['{"name": [null, "x"]}', victim.pk])
    ok, text = _verify_output()
    assert not ok and f"#{victim.seq}" in text


def test_verify_names_a_rehashed_row_by_its_successor(county):
    """Someone who alters a row and recomputes its own hash still breaks the next event's link."""
    from minqing.audit.log import _digest, _hashed_fields

    victim = Event.objects.filter(stream="511722").order_by("seq")[2]
    victim.reason = "改过"
    forged = _digest(victim.prev_hash, _hashed_fields(victim))
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET reason = %s, hash = %s WHERE id = %s", ["改过", forged, victim.pk])
    breaks = verify()
    assert [b.seq for b in breaks] == [victim.seq + 1] and "前序哈希" in breaks[0].problem


def test_verify_names_a_gap(county):
    events = list(Event.objects.filter(stream="511722").order_by("seq"))
    middle = events[len(events) // 2]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_event WHERE id = %s", [middle.pk])
    ok, text = _verify_output()
    assert not ok
    assert f"511722#{middle.seq}" in text and "缺失" in text


def test_verify_names_a_missing_tail(county):
    last = Event.objects.filter(stream="511722").order_by("-seq").first()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_event WHERE id = %s", [last.pk])
    ok, text = _verify_output()
    assert not ok
    assert "链尾" in text and f"#{last.seq}" in text


def test_verify_can_check_one_stream(county):
    record("other.county", object_type="x", object_id="1", region_code="510104001001")
    victim = Event.objects.filter(stream="511722").first()
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET reason = 'x' WHERE id = %s", [victim.pk])
    call_command("audit", "verify", "--stream", "510104")
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--stream", "511722")
