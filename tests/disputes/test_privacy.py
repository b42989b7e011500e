"""Who sees a dispute. The appeals policy applies to every row of this part (appeal__ prefix):
place posts see their subtree; a family dispute (婚姻家庭, or one marked family) only the
mediators and the leaders whose post covers its place — not the village secretary, not the
township's station staff. Parties have no log-in: what they see by their code is tested in
test_parties.py."""

from __future__ import annotations

import pytest

from minqing.disputes import models as m
from minqing.disputes import services
from minqing.regions import jurisdiction

pytestmark = pytest.mark.django_db


def _mediated_family(county, make_dispute, **extra):
    d = make_dispute(county.mediator_a, kind="family", title="离婚财产纠纷", **extra)
    services.start_stage(d, actor=county.mediator_a, kind="people", mediator=county.mediator_a)
    services.add_session(d, actor=county.mediator_a, outcome="背靠背调解", venue="home")
    return d


@pytest.mark.parametrize(("persona", "sees"), [
    ("mediator_a", True), ("township_leader", True), ("county_leader", True), ("admin", False),
    ("cadre_a", False), ("civil_staff", False), ("cadre_b", False), ("dept_handler", False),
    ("inspector", False), ("outsider", False),
])
def test_a_family_dispute_is_seen_by_its_mediators_and_leaders_only(county, client, bearer, make_dispute, persona,
                                                                    sees):
    d = _mediated_family(county, make_dispute)
    assert d.appeal.sensitivity == "family"
    user = getattr(county, persona)
    assert (client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(user)).status_code == 200) is sees
    listed = client.get("/api/v1/disputes", headers=bearer(user)).json()
    assert (d.pk in [i["id"] for i in listed["items"]]) is sees
    for model in (m.Party, m.MediationStage, m.MediationSession):
        assert jurisdiction.visible(user, model).filter(dispute=d).exists() is sees


def test_a_support_dispute_marked_family_is_narrowed_too(county, client, bearer, make_dispute):
    d = make_dispute(county.mediator_a, kind="support", family=True)
    assert d.kind.name == "赡养争议" and d.appeal.sensitivity == "family"
    assert client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(county.cadre_a)).status_code == 404
    plain = make_dispute(kind="support")
    assert plain.appeal.sensitivity == "normal"
    assert client.get(f"/api/v1/disputes/{plain.pk}", headers=bearer(county.cadre_a)).status_code == 200


def test_a_cadre_may_register_a_family_dispute_without_then_seeing_it(county, client, bearer):
    from tests.disputes.conftest import two_sides

    r = client.post("/api/v1/disputes", {"region": county.village_a.code, "kind": "family", "title": "家事",
                                         "text": "夫妻争吵", "parties": two_sides(county)},
                    content_type="application/json", headers=bearer(county.cadre_a))
    assert r.status_code == 201
    body = r.json()
    assert body["visible"] is False and "调解员" in body["detail"] and "parties" not in body
    assert client.get(f"/api/v1/disputes/{body['id']}", headers=bearer(county.cadre_a)).status_code == 404
    assert client.get(f"/api/v1/disputes/{body['id']}", headers=bearer(county.mediator_a)).status_code == 200


def test_village_b_disputes_are_hidden_from_village_a(county, client, bearer, login, make_dispute):
    d = make_dispute(village="b")
    assert client.get(f"/api/v1/disputes/{d.pk}", headers=bearer(county.cadre_a)).status_code == 404
    assert client.get(f"/api/v1/disputes?region={county.village_b.code}",
                      headers=bearer(county.cadre_a)).json()["count"] == 0
    page = login(county.cadre_a).get("/disputes/")
    assert page.status_code == 200 and d.appeal.number not in page.content.decode()
    assert client.get("/api/v1/disputes/risks", headers=bearer(county.cadre_a)).json()["count"] == 0


def test_the_family_dispute_page_is_hidden_from_the_village_secretary(county, login, make_dispute):
    d = _mediated_family(county, make_dispute)
    assert login(county.cadre_a).get(f"/disputes/{d.pk}/").status_code == 404
    text = login(county.mediator_a).get(f"/disputes/{d.pk}/").content.decode()
    assert "离婚财产纠纷" in text


def test_a_mediator_may_not_act_on_another_villages_dispute_it_cannot_see(county, client, bearer, make_dispute):
    d = make_dispute(village="b")
    r = client.post(f"/api/v1/disputes/{d.pk}/stages", {"kind": "people", "mediator_name": "x"},
                    content_type="application/json", headers=bearer(county.mediator_a))
    assert r.status_code == 404


def test_a_unit_post_handles_but_may_not_verify_what_it_did(county, client, bearer, make_dispute):
    """A county department sees a dispute assigned to its unit and mediates it; checking that
    the agreement was kept (verification) is for the place or the unit's head: 403."""
    import datetime as dt

    d = make_dispute()
    services.start_stage(d, actor=county.township_leader, kind="people", unit=county.units["housing"],
                         mediator=county.dept_handler, body="县住建局")
    headers = bearer(county.dept_handler)
    assert client.get(f"/api/v1/disputes/{d.pk}", headers=headers).status_code == 200
    r = client.post(f"/api/v1/disputes/{d.pk}/agreements", {"summary": "修缮", "terms": [
        {"text": "住建局协调维修", "due_on": str(dt.date.today() + dt.timedelta(days=9))}]},
        content_type="application/json", headers=headers)
    assert r.status_code == 201, r.content
    term = r.json()["agreements"][0]["terms"][0]["id"]
    r = client.post(f"/api/v1/disputes/{d.pk}/follow-ups", {"checks": [{"term": term, "kept": True}]},
                    content_type="application/json", headers=headers)
    assert r.status_code == 403
    assert client.get("/api/v1/disputes", headers=bearer(county.inspector)).json()["count"] == 0
