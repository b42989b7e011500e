"""Disputes registered as plain appeals (the appeals form, imports, the appeals demo) are adopted:
they get a Dispute row, so the lists and figures count every 矛盾纠纷."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.appeals import services as appeals
from minqing.appeals.categories import seed_categories
from minqing.audit.models import Event
from minqing.disputes import metrics, services
from minqing.disputes.models import Dispute
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db
T = dt.datetime(2025, 5, 6, 9, 0, tzinfo=TZ)


def _plain_disputes(county, cats):
    land = appeals.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="dispute",
                                   channel="meeting", title="田埂纠纷", text="两户争田埂", category=cats["S06.02"],
                                   household=county.households["a1"], received_at=T, now=T)
    appeals.do_solve_on_spot(land, actor=county.mediator_a, what="当场调解", now=T + dt.timedelta(hours=2))
    family = appeals.register_appeal(actor=county.mediator_a, region=county.village_a.code, kind="dispute",
                                     channel="visit", title="家事", text="夫妻矛盾", category=cats["S06.04"],
                                     received_at=T, now=T)
    appeals.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem", channel="visit",
                            title="路灯", text="路灯坏了", received_at=T, now=T)
    return land, family


def _check(county, land, family):
    a, f = Dispute.objects.get(appeal=land), Dispute.objects.get(appeal=family)
    assert a.kind.code == "land" and a.source == "meeting" and a.solved_at == T + dt.timedelta(hours=2)
    assert [p.name for p in a.parties.all()] == ["甲村户主1"]
    assert f.kind.code == "family" and f.solved_at is None
    s = metrics.summary(county.village_a.code, dt.date(2025, 5, 1), dt.date(2025, 5, 31), now=T + dt.timedelta(days=2))
    assert (s["found"], s["solved"], s["open"]) == (2, 1, 1)
    return a, f


def test_plain_dispute_appeals_become_disputes_when_registered(county):
    """On the phone, the appeals form, an import: the dispute row is there at once and follows the appeal."""
    land, family = _plain_disputes(county, seed_categories())
    a, f = _check(county, land, family)
    assert services.adopt(now=T + dt.timedelta(days=1)) == 0
    assert a.outcome == "agreed"  # solved on the spot: it counts as solved at the appeal's closing time
    assert Event.objects.filter(action="dispute.adopted").count() == 2  # one per appeal, at registration
    assert f.owner_id is None
    appeals.do_review(family, actor=county.mediator_a, decision="assign", unit=county.units["mediation_a"],
                      person=county.mediator_a, measures="上门调解", now=T + dt.timedelta(hours=3))
    f.refresh_from_db()
    family.refresh_from_db()
    assert f.due_at is not None and (f.due_at, f.owner_id) == (family.due_at, county.mediator_a.pk)


def test_appeals_loaded_in_bulk_are_adopted_once(county, monkeypatch):
    """Bulk loads (the appeals demo, an old database) bypass the appeal hooks: `adopt` gives them their rows."""
    from minqing.appeals import hooks

    monkeypatch.delitem(hooks._callbacks, "disputes")
    land, family = _plain_disputes(county, seed_categories())
    assert not Dispute.objects.exists()
    monkeypatch.undo()
    assert services.adopt(now=T + dt.timedelta(days=1)) == 2
    assert services.adopt(now=T + dt.timedelta(days=1)) == 0
    a, f = _check(county, land, family)
    assert Event.objects.filter(action="dispute.adopted").get().changes == {"disputes": sorted([a.pk, f.pk])}


def test_the_command(county, make_dispute):
    from io import StringIO

    from django.core.management import call_command

    make_dispute(found_at=T, now=T)
    out = StringIO()
    call_command("disputes", "summary", "--region", county.town.code, "--from", "2025-05-01", "--to", "2025-05-31",
                 stdout=out)
    assert out.getvalue().strip() == "共排查矛盾纠纷1件，解决0件，其余1件中0件已明确时限和责任人"
    out = StringIO()
    call_command("disputes", "adopt", stdout=out)
    assert "0 件" in out.getvalue()


def test_a_dispute_found_on_a_phone_visit_is_on_the_risk_list_at_once(county, login):
    """The cadre records a visit offline with a dispute; once synced it is a dispute to be mediated."""
    import json

    from minqing.disputes import queries
    from tests.fieldwork.conftest import cid
    from tests.fieldwork.test_sync import visit_record

    record = visit_record(county.households["a1"], appeals=[{
        "client_id": cid(), "title": "排水沟纠纷", "text": "邻居填了排水沟，下雨进水", "kind": "dispute",
        "solved_on_spot": False, "what": ""}])
    r = login(county.cadre_a).post("/api/v1/sync", data=json.dumps({"device": "p", "records": [record]}),
                                   content_type="application/json")
    assert r.json()["results"][0]["status"] == "applied"
    d = Dispute.objects.get(appeal__title="排水沟纠纷")
    assert d.source == "visit" and [p.household_id for p in d.parties.all()] == [county.households["a1"].pk]
    assert d.pk in [row.dispute.pk for row in queries.risk_list(county.mediator_a)]
