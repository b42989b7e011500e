"""The demo step on the small county (the full demo county is exercised by `minqing demo`): a
year of disputes through every path, the appeals workflow and the audit chain intact."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db.models import Count

from minqing.appeals.models import Appeal
from minqing.audit.log import verify
from minqing.demo.people import Staffing
from minqing.disputes import demo, metrics, services
from minqing.disputes.models import AgreementStatus, Dispute, MediationStage, Referral
from minqing.lib.workdays import TZ

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 6, 16, 9, 0, tzinfo=TZ)


@pytest.fixture
def loaded(county):
    code = county.village_a.code
    staffing = Staffing(users={f"v-{code}-med": county.mediator_a},
                        units={f"m:{code}": county.units["mediation_a"], f"t:{county.town.code}": county.units[
                            "town_office"]},
                        village_cadres={code: [county.cadre_a]}, township_leads={county.town.code: [
                            county.township_leader]}, county_leaders=[county.county_leader])
    messages: list[str] = []
    demo.load(rng=random.Random(3), anchor=NOW.date(), now=NOW, staffing=staffing,
              villages={county.town.code: [county.village_a]}, shared=None, progress=messages.append)
    return messages


def test_a_year_of_disputes_through_every_path(loaded):
    assert Dispute.objects.count() == 24 and "矛盾纠纷 24 件" in loaded[0]
    phases = {services.phase(d) for d in Dispute.objects.select_related("appeal")}
    assert {"solved", "referred", "mediating", "performing"} <= phases
    kinds = set(MediationStage.objects.values_list("kind", flat=True))
    assert kinds == {"people", "administrative", "judicial"}
    assert MediationStage.objects.filter(result="failed").exists()
    assert set(Referral.objects.values_list("to", flat=True)) >= {"court"}
    statuses = set(Dispute.objects.values_list("agreements__status", flat=True))
    assert {AgreementStatus.FULFILLED, AgreementStatus.BROKEN} <= statuses
    assert Dispute.objects.filter(appeal__sensitivity="family").exists()
    found = [d.found_at for d in Dispute.objects.all()]
    assert min(found) >= NOW - dt.timedelta(days=366) and max(found) < NOW
    # every dispute is an appeal of kind 矛盾纠纷 and the audit chain holds
    assert set(Appeal.objects.filter(dispute__isnull=False).values_list("kind", flat=True)) == {"dispute"}
    assert dict(Appeal.objects.filter(dispute__isnull=False).values_list("group").annotate(n=Count("id")))
    assert verify() == []


def test_the_demo_figures_add_up(loaded, county):
    s = metrics.summary(county.county.code, NOW.date() - dt.timedelta(days=366), NOW.date(), now=NOW)
    assert s["found"] == 24 == s["solved"] + s["referred"] + s["open"]
    assert s["solved"] == Dispute.objects.filter(solved_at__isnull=False).count()
    assert sum(v["found"] for v in s["by_month"]) == 24 and sum(k["found"] for k in s["by_kind"]) == 24


def test_the_documented_party_code_opens_a_dispute_being_performed(loaded, county, client):
    from minqing.disputes import parties
    from minqing.disputes.models import PartyAccess

    assert demo.DEMO_PARTY_CODE in loaded[0]  # printed by the demo
    access = PartyAccess.objects.get(code_hash=parties.code_hash("MQTJXHXY23456789"))
    view = parties.view(access, today=NOW.date())
    assert view.phase == "performing" and view.side == "甲方" and view.agreements
    assert any(s.said for s in view.sessions)  # the demo's sessions carry each side's statement
    page = client.post("/portal/mediation/", {"code": demo.DEMO_PARTY_CODE})
    assert page.status_code == 200 and view.number in page.content.decode()
