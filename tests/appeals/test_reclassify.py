"""Merging keeps the stricter sensitivity and is refused across places or sensitivities the actor cannot
decide; kind and sensitivity are corrected after intake by whoever decides the case, with a reason,
as one audited step."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals import services
from minqing.appeals.models import Appeal, AppealEvent, Report
from minqing.appeals.reclassify import reclassify, stricter
from minqing.audit.models import Event
from minqing.regions import jurisdiction

pytestmark = pytest.mark.django_db


def _visible(user) -> set[int]:
    return set(jurisdiction.visible(user, Appeal).values_list("pk", flat=True))


def test_stricter_orders_misconduct_over_family_over_normal():
    assert stricter("normal", "family") == "family" == stricter("family", "normal")
    assert stricter("family", "misconduct") == "misconduct"
    assert stricter("normal", "normal") == "normal"


def test_a_family_case_merged_into_an_ordinary_one_stays_hidden_from_the_village_cadre(county, register, clock):
    ordinary = register(county.cadre_a, title="邻里纠纷")
    family = register(county.township_leader, title="家庭纠纷")
    Appeal.objects.filter(pk=family.pk).update(sensitivity="family")
    family.refresh_from_db()
    services.merge(family, ordinary, actor=county.township_leader, note="同一件事", now=clock())
    ordinary.refresh_from_db()
    assert ordinary.sensitivity == "family"
    assert ordinary.pk not in _visible(county.cadre_a)  # the family reporter's statement does not reach them
    assert not jurisdiction.visible(county.cadre_a, Report).filter(appeal=ordinary).exists()
    assert ordinary.pk in _visible(county.mediator_a)
    event = Event.objects.get(action="appeal.merge_received", object_id=str(ordinary.pk))
    assert event.changes["sensitivity"] == ["normal", "family"]


def test_a_misconduct_merge_carries_the_named_persons(county, register, clock):
    first = register(county.inspector, kind="misconduct", title="举报一")
    second = register(county.inspector, kind="misconduct", title="举报二")
    first.reported_users.add(county.cadre_a)
    services.merge(first, second, actor=county.inspector, now=clock())
    assert set(second.reported_users.values_list("pk", flat=True)) == {county.cadre_a.pk}


def test_a_merge_across_places_the_actor_cannot_see_is_refused(county, register, clock):
    mine = register(county.cadre_a, title="甲村的事")
    theirs = register(county.cadre_b, region=county.village_b.code, title="乙村的事")
    with pytest.raises(ValidationError):
        services.merge(mine, theirs, actor=county.cadre_a, now=clock())
    with pytest.raises(ValidationError):
        services.perform(mine, "merge_into", actor=county.cadre_a, payload={"target": theirs.number})
    mine.refresh_from_db()
    assert mine.status != "merged" and mine.merged_into_id is None


def test_a_department_cannot_merge_a_case_it_only_holds_by_assignment(county, register, clock):
    a = register(county.cadre_a, title="一")
    b = register(county.cadre_a, title="二")
    Appeal.objects.filter(pk__in=[a.pk, b.pk]).update(unit=county.units["housing"])
    a.refresh_from_db()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.merge(a, b, actor=county.dept_handler, now=clock())


def test_a_cadre_protects_an_ordinary_case_as_misconduct_and_loses_it(county, register, clock):
    a = register(county.cadre_a, title="反映村干部优亲厚友")
    with pytest.raises(ValidationError):
        reclassify(a, actor=county.cadre_a, kind="misconduct", reason=" ")
    reclassify(a, actor=county.cadre_a, kind="misconduct", reason="实为举报", named=[county.cadre_b.pk],
               now=clock())
    a.refresh_from_db()
    assert (a.kind, a.sensitivity, a.state.get("kind")) == ("misconduct", "misconduct", "misconduct")
    assert a.pk not in _visible(county.cadre_a) and a.pk in _visible(county.inspector)
    assert set(a.reported_users.values_list("pk", flat=True)) == {county.cadre_b.pk}
    event = Event.objects.get(action="appeal.reclassified", object_id=str(a.pk))
    assert event.changes["kind"] == ["problem", "misconduct"] and event.reason == "实为举报"
    assert AppealEvent.objects.filter(appeal=a, action="reclassified").exists()


def test_only_the_discipline_commission_returns_a_report_to_ordinary(county, register, clock):
    a = register(county.inspector, kind="misconduct", title="误登为举报")
    with pytest.raises(ValidationError):  # the cadre does not even see it
        reclassify(a, actor=county.cadre_a, kind="problem", reason="不是举报")
    with pytest.raises(ValidationError):  # nor does an operator account
        reclassify(a, actor=county.users["admin"], kind="problem", reason="运维")
    reclassify(a, actor=county.inspector, kind="problem", reason="不是举报", now=clock())
    a.refresh_from_db()
    assert (a.kind, a.sensitivity) == ("problem", "normal")
    assert a.pk in _visible(county.cadre_a)


def test_misconduct_sensitivity_needs_the_misconduct_kind(county, register):
    a = register(county.cadre_a)
    with pytest.raises(ValidationError):
        reclassify(a, actor=county.cadre_a, sensitivity="misconduct", reason="x")
    with pytest.raises(ValidationError):
        reclassify(a, actor=county.cadre_a, sensitivity="secret", reason="x")


def test_reclassify_through_the_api(county, register, client, bearer):
    a = register(county.cadre_a)
    headers = bearer(county.cadre_a)
    answer = client.post(f"/api/v1/appeals/{a.pk}/reclassify", {"reason": "", "sensitivity": "family"},
                         content_type="application/json", headers=headers)
    assert answer.status_code == 422 and "理由" in answer.json()["detail"]
    answer = client.post(f"/api/v1/appeals/{a.pk}/reclassify", {"reason": "婚姻家庭纠纷", "sensitivity": "family"},
                         content_type="application/json", headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {"id": a.pk, "kind": "problem", "sensitivity": "family", "still_visible": False}
    again = client.post(f"/api/v1/appeals/{a.pk}/reclassify", {"reason": "x", "sensitivity": "normal"},
                        content_type="application/json", headers=headers)
    assert again.status_code == 404


def test_the_page_corrects_the_kind_and_says_when_the_case_leaves_ones_sight(county, register, login):
    a = register(county.cadre_a)
    client = login(county.cadre_a)
    assert f"/appeals/{a.pk}/reclassify/" in client.get(f"/appeals/{a.pk}/").content.decode()
    page = client.get(f"/appeals/{a.pk}/reclassify/")
    assert page.status_code == 200 and "更正" in page.content.decode()
    refused = client.post(f"/appeals/{a.pk}/reclassify/", {"kind": "misconduct", "reason": ""})
    assert refused.status_code == 422 and "理由" in refused.content.decode()
    done = client.post(f"/appeals/{a.pk}/reclassify/", {"kind": "misconduct", "reason": "实为举报"})
    assert done.status_code == 302 and done["Location"] == "/appeals/"
    a.refresh_from_db()
    assert a.sensitivity == "misconduct"
    assert login(county.cadre_b).get(f"/appeals/{a.pk}/reclassify/").status_code == 404
