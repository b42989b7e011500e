"""派单目录: the county system administrator keeps it on a page and through the API, versioned; the assign
form and the new case's page suggest its unit and co-units."""

from __future__ import annotations

import json

import pytest

from minqing.accounts.models import Unit
from minqing.appeals import dispatch, services
from minqing.appeals.models import Category, DispatchRule, DispatchSetting
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def road(county):
    parent = Category.objects.create(code="T01", name="城乡建设")
    return Category.objects.create(code="T0101", name="道路塌陷", parent=parent, level=2)


@pytest.fixture
def transport(county):
    return Unit.objects.create(name="县交通运输局", kind="department", function="transport", region=county.county)


def test_the_page_saves_a_new_version_and_keeps_the_old(county, sysadmin, login, road, transport):
    client = login(sysadmin)
    page = client.get("/setup/dispatch/")
    assert page.status_code == 200 and "派单目录" in page.content.decode()
    data = {"category": road.parent_id, "region": county.county.code, "unit": county.units["housing"].pk,
            "co_units": [transport.pk], "duty": "城市道路维护"}
    assert client.post("/setup/dispatch/new/", data).status_code == 302
    first = DispatchRule.objects.get()
    assert first.version == 1 and [u.pk for u in first.co_units.all()] == [transport.pk]
    data.update(unit=transport.pk, co_units=[county.units["housing"].pk])
    assert client.post(f"/setup/dispatch/{first.pk}/", data).status_code == 302
    first.refresh_from_db()
    current = DispatchRule.objects.get(is_current=True)
    assert (first.is_current, first.retired_by, current.version, current.unit) == (False, sysadmin, 2, transport)
    history = client.get(f"/setup/dispatch/{current.pk}/history/").content.decode()
    assert "v1" in history and "v2" in history and "县住建局" in history
    # the lead cannot co-handle too: refused, nothing written
    data.update(co_units=[transport.pk])
    client.post(f"/setup/dispatch/{current.pk}/", data)
    assert DispatchRule.objects.count() == 2
    assert Event.objects.filter(action="dispatch.rule_saved").count() == 2
    # the township's own entry wins for its places; the child category inherits its parent's
    assert dispatch.suggest(road.pk, county.village_a.code).unit == transport
    client.post("/setup/dispatch/", {"return_days": 2})
    assert DispatchSetting.objects.get().return_days == 2 and dispatch.return_days(county.village_a.code) == 2


def test_the_api_lists_and_versions(county, sysadmin, bearer, client, road, transport, other_sysadmin):
    h = bearer(sysadmin)
    body = {"category_id": road.pk, "region": county.town.code, "unit_id": transport.pk, "co_unit_ids": []}
    r = client.post("/api/v1/setup/dispatch-rules", json.dumps(body), content_type="application/json", headers=h)
    assert r.status_code == 201 and r.json()["version"] == 1
    body["co_unit_ids"] = [county.units["housing"].pk]
    r = client.post("/api/v1/setup/dispatch-rules", json.dumps(body), content_type="application/json", headers=h)
    assert r.json()["version"] == 2 and r.json()["co_unit_ids"] == [county.units["housing"].pk]
    assert len(client.get("/api/v1/setup/dispatch-rules", headers=h).json()) == 1
    assert len(client.get("/api/v1/setup/dispatch-rules?history=true", headers=h).json()) == 2
    bad = dict(body, unit_id=county.units["housing"].pk)
    r = client.post("/api/v1/setup/dispatch-rules", json.dumps(bad), content_type="application/json", headers=h)
    assert r.status_code == 422 and "主办单位不能同时是协办单位" in r.json()["detail"]
    r = client.put("/api/v1/setup/dispatch-settings", json.dumps({"return_days": 3}),
                   content_type="application/json", headers=h)
    assert r.status_code == 200 and r.json()["return_days"] == 3
    assert client.get("/api/v1/setup/dispatch-rules", headers=bearer(other_sysadmin)).json() == []
    assert client.get("/api/v1/setup/dispatch-rules", headers=bearer(county.cadre_a)).status_code == 403


def test_the_assign_form_is_prefilled_from_the_catalogue(county, sysadmin, login, road, transport):
    dispatch.save_rule(actor=sysadmin, county=county.county, category_id=road.pk, region_code=county.county.code,
                       unit_id=county.units["housing"].pk, co_unit_ids=[transport.pk])
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                 channel="visit", title="村道塌陷", text="村道塌了一个坑", category=road.pk)
    page = login(county.cadre_a).get(f"/appeals/{a.pk}/").content.decode()
    assert 'data-testid="dispatch-suggestion"' in page and "县交通运输局" in page
    assert f'<option value="{county.units["housing"].pk}" selected>' in page
    assert f'<option value="{transport.pk}" selected>' in page  # the default co-unit, in the multi-select
