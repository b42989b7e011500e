"""五人大走访 rounds: who led each one (县级领导带队), results counted from the round's visits and cases,
and a typed figure only as a correction with its reason — both shown, the difference visible."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.accounts.models import VisitTeam, VisitTeamMember
from minqing.appeals import services as appeal_services
from minqing.audit.models import Event
from minqing.fieldwork import metrics, rounds, services
from minqing.fieldwork.models import FieldAppeal, VisitRound
from tests.fieldwork.conftest import at


def _team(c) -> VisitTeam:
    team = VisitTeam.objects.create(name="甲镇五人走访组", region=c.town, year=2025)
    team.villages.set([c.village_a, c.village_b])
    return team


def _round_with_visits(c) -> VisitRound:
    rnd = services.create_round(actor=c.township_leader, team=_team(c), year=2025, number=1,
                                started_on=dt.date(2025, 3, 1), led_by=c.county_leader)
    for h, problems in ((c.a1, 1), (c.a2, 0), (c.b1, 0)):
        actor = c.cadre_a if h.region_id == c.village_a.code else c.cadre_b
        services.record_visit(actor=actor, household=h, visited_at=at("2025-03-05"), round=rnd,
                              appeals=[{"title": "饮水", "text": "自来水停水"}] * problems)
    escalated = FieldAppeal.objects.get(visit__household=c.a1).appeal
    appeal_services.perform(escalated, "escalate", actor=c.cadre_a, payload={"reason": "村级无法解决"})
    return rnd


def test_a_round_names_the_county_leader_who_led_it(county):
    c = county
    team = _team(c)
    VisitTeamMember.objects.create(team=team, user=c.county_leader, role="county_leader")
    rnd = services.create_round(actor=c.township_leader, team=team, year=2025, number=1,
                                started_on=dt.date(2025, 3, 1))
    assert rnd.led_by == c.county_leader  # the team's 县级领导 member by default
    with pytest.raises(ValidationError, match="县级领导"):
        rounds.set_round_leader(rnd, actor=c.township_leader, leader=c.cadre_a)
    with pytest.raises(PermissionDenied):
        rounds.set_round_leader(rnd, actor=c.cadre_a, leader=c.county_leader)
    rounds.set_round_leader(rnd, actor=c.township_leader, leader=None)
    rnd.refresh_from_db()
    assert rnd.led_by is None
    assert Event.objects.get(action="field.round.leader").changes["led_by"] == [c.county_leader.pk, None]


def test_results_are_counted_and_a_typed_figure_is_a_correction_with_its_reason(county):
    c = county
    rnd = _round_with_visits(c)
    rec = rounds.reconcile(rnd)
    assert [s.counted for s in rec.stages] == [3, 1, 1, 0] and not rec.corrected
    assert [s.shown for s in rec.stages] == [3, 1, 1, 0]
    typed = {"households_visited": 140, "households_with_problems": 17, "sent_to_township": 7, "sent_to_county": 1}
    with pytest.raises(ValidationError, match="更正理由"):
        services.set_round_results(rnd, actor=c.township_leader, results=typed)
    services.set_round_results(rnd, actor=c.township_leader, results=typed, reason="第一轮多数走访记在纸质台账上")
    rnd.refresh_from_db()
    rec = rounds.reconcile(rnd)
    assert rec.corrected and rec.reason == "第一轮多数走访记在纸质台账上"
    assert [(s.counted, s.typed, s.difference) for s in rec.stages] == [(3, 140, 137), (1, 17, 16), (1, 7, 6),
                                                                          (0, 1, 1)]
    event = Event.objects.get(action="field.round.corrected")
    assert event.reason == "第一轮多数走访记在纸质台账上" and event.changes["counted"]["households_visited"] == 3
    funnel = metrics.funnel_counted(c.town.code, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (funnel["households_visited"], funnel["sent_to_township"], funnel["corrected_rounds"]) == (3, 1, 1)
    # Counting again drops the correction: the figure is the count once more.
    services.set_round_results(rnd, actor=c.township_leader)
    rnd.refresh_from_db()
    assert not rounds.reconcile(rnd).corrected and rnd.households_visited == 3


def test_the_round_page_shows_both_figures_and_the_reason(county, login):
    c = county
    rnd = _round_with_visits(c)
    client = login(c.township_leader)
    page = client.get(f"/field/desk/rounds/{rnd.pk}/").content.decode()
    assert 'data-testid="round-leader">county_leader<' in page and 'data-counted="3"' in page
    assert 'data-testid="correction-reason"' not in page
    no_reason = client.post(f"/field/desk/rounds/{rnd.pk}/results/", {
        "households_visited": 140, "households_with_problems": 17, "sent_to_township": 7, "sent_to_county": 1})
    assert no_reason.status_code == 422
    client.post(f"/field/desk/rounds/{rnd.pk}/results/", {
        "households_visited": 140, "households_with_problems": 17, "sent_to_township": 7, "sent_to_county": 1,
        "reason": "补录纸质台账"})
    page = client.get(f"/field/desk/rounds/{rnd.pk}/").content.decode()
    assert 'data-counted="3"' in page and 'data-corrected="140"' in page and "补录纸质台账" in page
    assert re.search(r"\+137", page)
    assert client.post(f"/field/desk/rounds/{rnd.pk}/leader/", {"leader": c.cadre_a.pk}).status_code == 422
    assert client.post(f"/field/desk/rounds/{rnd.pk}/leader/", {"leader": ""}).status_code == 302


def test_the_api_gives_the_reconciliation(client, county, bearer):
    c = county
    rnd = _round_with_visits(c)
    headers = bearer(c.township_leader)
    got = client.post(f"/api/v1/field/rounds/{rnd.pk}/results", {"households_visited": 5,
                                                                  "households_with_problems": 1,
                                                                  "sent_to_township": 1, "sent_to_county": 0},
                      content_type="application/json", headers=headers)
    assert got.status_code == 422
    got = client.post(f"/api/v1/field/rounds/{rnd.pk}/results", {"households_visited": 5,
                                                                  "households_with_problems": 1,
                                                                  "sent_to_township": 1, "sent_to_county": 0,
                                                                  "reason": "两户未在系统登记"},
                      content_type="application/json", headers=headers).json()
    assert got["households_visited"] == 5 and got["results"]["counted"]["households_visited"] == 3
    assert got["results"]["difference"]["households_visited"] == 2 and got["led_by"]["id"] == c.county_leader.pk
    cleared = client.post(f"/api/v1/field/rounds/{rnd.pk}/results", {"count": True}, content_type="application/json",
                          headers=headers).json()
    assert cleared["results"]["corrected"] is None and cleared["households_visited"] == 3
