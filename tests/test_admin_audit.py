"""The Django admin: every change an audit event in the chain, no hard delete anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin

from minqing.appeals.models import HolidayOverride
from minqing.audit.log import verify
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


def test_adding_and_changing_a_holiday_in_the_admin_are_audit_events(county, login):
    client = login(county.users["admin"])
    answer = client.post("/admin/appeals/holidayoverride/add/", {"date": "2027-10-08", "is_workday": "on",
                                                                  "name": "国庆调休"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    row = HolidayOverride.objects.get(date=dt.date(2027, 10, 8))
    created = Event.objects.get(action="admin.appeals.holidayoverride.created", object_id=str(row.pk))
    assert created.actor_id == county.users["admin"].pk and created.changes["name"] == "国庆调休"
    answer = client.post(f"/admin/appeals/holidayoverride/{row.pk}/change/", {"date": "2027-10-08",
                                                                               "name": "国庆节调休"})
    assert answer.status_code == 302
    changed = Event.objects.get(action="admin.appeals.holidayoverride.changed", object_id=str(row.pk))
    assert changed.changes["name"] == "国庆节调休" and changed.changes["is_workday"] is False
    assert verify() == []


def test_a_unit_changed_in_the_admin_is_audited(county, login):
    client = login(county.users["admin"])
    unit = county.units["housing"]
    answer = client.post(f"/admin/accounts/unit/{unit.pk}/change/", {
        "name": "县住房和城乡建设局", "kind": unit.kind, "function": unit.function, "region": unit.region_id,
        "is_active": "on"})
    assert answer.status_code == 302, answer.content.decode()[:3000]
    event = Event.objects.get(action="admin.accounts.unit.changed", object_id=str(unit.pk))
    assert event.changes == {"name": "县住房和城乡建设局"} and event.stream == "511722"


@pytest.mark.parametrize("path", ["appeals/holidayoverride", "accounts/pairing", "appeals/deadlinerule",
                                  "accounts/post", "regions/region"])
def test_the_admin_cannot_delete(county, login, path):
    client = login(county.users["admin"])
    model_admin = next((ma for m, ma in admin.site._registry.items() if m._meta.label_lower == path.replace("/", ".")),
                       None)
    if model_admin is None:  # not registered at all: nothing to delete through the admin
        return
    row = model_admin.model.objects.first()
    if row is not None:
        assert client.get(f"/admin/{path}/{row.pk}/delete/").status_code in (302, 403)
        assert model_admin.model.objects.filter(pk=row.pk).exists()
    listing = client.get(f"/admin/{path}/")
    assert listing.status_code == 200 and "delete_selected" not in listing.content.decode()


def test_every_registered_admin_refuses_deletes(rf, county):
    request = rf.get("/admin/")
    request.user = county.users["admin"]
    for model, model_admin in admin.site._registry.items():
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_delete_permission(request), (model, inline)


def test_a_password_set_in_the_admin_is_an_event_without_the_password(county, login):
    client = login(county.users["admin"])
    user = county.cadre_b
    answer = client.post(f"/admin/accounts/user/{user.pk}/password/",
                         {"password1": "Kx9#mq-long-pass-2026", "password2": "Kx9#mq-long-pass-2026",
                          "usable_password": "true"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    event = Event.objects.filter(action="admin.accounts.user.changed", object_id=str(user.pk)).get()
    assert "Kx9#mq" not in str(event.changes) and "（已更改）" in str(event.changes)
