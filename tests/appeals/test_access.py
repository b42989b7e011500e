"""Who sees which appeal and who may act on it (jurisdiction policy + access.may_act)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from minqing.appeals import services
from minqing.appeals.categories import seed_categories
from minqing.appeals.models import Appeal, Report
from minqing.regions.jurisdiction import can_reveal, visible
from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db


def _sees(user, appeal) -> bool:
    return visible(user, Appeal).filter(pk=appeal.pk).exists()


def test_a_village_cadre_sees_only_their_village(county, register):
    a = register()
    assert _sees(county.cadre_a, a) and not _sees(county.cadre_b, a) and not _sees(county.outsider, a)
    assert _sees(county.township_leader, a) and _sees(county.county_leader, a) and _sees(county.admin, a)
    assert not _sees(county.dept_handler, a)  # a department sees what is assigned to it


def test_the_assigned_unit_sees_the_case(county, register, clock):
    a = register()
    services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                       measures="修", now=clock())
    assert _sees(county.dept_handler, a)
    assert visible(county.dept_handler, Report).filter(appeal=a).exists()


def test_misconduct_reports_only_for_discipline_and_never_the_person_named(county, register, clock):
    a = register(county.inspector, kind="misconduct", reported_users=[county.cadre_a.pk])
    assert a.sensitivity == "misconduct"
    assert _sees(county.inspector, a)
    for name in ("cadre_a", "cadre_b", "township_leader", "county_leader", "dept_handler", "mediator_a"):
        assert not _sees(county.users[name], a), name
    assert not visible(county.cadre_a, Report).filter(appeal=a).exists()
    # Even as discipline staff, the person named never sees it.
    named = register(county.inspector, kind="misconduct", reported_users=[county.inspector.pk])
    assert not _sees(county.inspector, named)
    a = services.do_review(a, actor=county.inspector, decision="explain", text="查无实据", now=clock())
    assert a.status == "explained"


def test_family_disputes_only_for_mediators_and_leaders(county, register, clock):
    cats = seed_categories()
    a = register(kind="dispute", category=cats["S06.04"].pk)
    assert a.sensitivity == "family"
    assert _sees(county.mediator_a, a) and _sees(county.township_leader, a) and _sees(county.county_leader, a)
    assert not _sees(county.cadre_a, a) and not _sees(county.civil_staff, a)
    a = services.do_solve_on_spot(a, actor=county.mediator_a, what="调解成功", now=clock())
    assert a.status == "solved_on_spot"


def test_wrong_roles_get_permission_denied(county, register, clock):
    a = register()
    with pytest.raises(PermissionDenied):
        services.do_escalate(a, actor=county.dept_handler, reason="x", now=clock())
    with pytest.raises(PermissionDenied):
        services.do_supervise(a, actor=county.cadre_a, now=clock())
    with pytest.raises(PermissionDenied):
        services.do_flag_accountability(a, actor=county.cadre_a, reason="x", now=clock())


def test_reporters_phones_are_revealed_to_the_handler_and_leaders_only(county, register, clock):
    a = register()
    report = a.reports.get()
    assert not can_reveal(county.cadre_a, a) and not can_reveal(county.dept_handler, a)
    assert can_reveal(county.township_leader, a)
    with pytest.raises(PermissionDenied):
        services.reveal_phone(report, actor=county.cadre_a)
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修", now=clock())
    report.appeal.refresh_from_db()
    assert services.reveal_phone(report, actor=county.dept_handler) == PHONE_A
