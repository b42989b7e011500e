"""The demo county's appeals: every state, work for every demo account, an intact audit chain.
The demo is built once for this module (400 households) and rolled back afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Count

from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent, Report
from minqing.audit.log import verify
from minqing.regions.jurisdiction import visible

ANCHOR = dt.date(2025, 6, 16)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from minqing.demo.generator import DemoOptions, load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=400), progress=lambda _m: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.usefixtures("demo")


@pytest.mark.django_db
def test_the_demo_has_appeals_in_every_state():
    counts = dict(Appeal.objects.values_list("status").annotate(n=Count("id")))
    assert set(counts) == {s.value for s in wf.Status}, counts
    assert 200 <= sum(counts.values()) <= 400
    assert counts["solved_on_spot"] + counts["closed_solved"] > sum(counts.values()) / 2


@pytest.mark.django_db
def test_the_escalation_funnel_narrows():
    found = Appeal.objects.exclude(group="merged").count()
    township = Appeal.objects.filter(max_level__in=["township", "county"]).count()
    county = Appeal.objects.filter(max_level="county").count()
    assert found > township > county > 0


@pytest.mark.django_db
def test_every_demo_account_has_work():
    from minqing.accounts.models import User

    for name in ("demo-county", "demo-township", "demo-village-a", "demo-village-b", "demo-dept"):
        user = User.objects.get(username=name)
        qs = visible(user, Appeal)
        assert qs.filter(group="open").exists(), name
    dept = User.objects.get(username="demo-dept")
    assert Appeal.objects.filter(handler=dept, unit__function="housing").exists()


@pytest.mark.django_db
def test_merged_cases_moved_their_reports_and_the_columns_match_the_state():
    merged = Appeal.objects.filter(status="merged")
    assert merged.exists()
    assert not Report.objects.filter(appeal__in=merged).exists()
    for a in merged[:5]:
        assert a.merged_into_id and a.state["merged_into"] == a.merged_into.number
        assert a.merged_into.reports.count() >= 2
    for a in Appeal.objects.order_by("id")[:50]:
        assert a.state["status"] == a.status
        assert a.events.order_by("at", "id").last().to_status == a.status


@pytest.mark.django_db
def test_demo_events_are_ordered_and_the_chain_verifies():
    assert AppealEvent.objects.filter(action="register").count() == Appeal.objects.count()
    assert verify() == []


@pytest.mark.django_db
def test_misconduct_and_family_cases_stay_narrow():
    from minqing.accounts.models import User

    misconduct = Appeal.objects.filter(sensitivity="misconduct")
    assert misconduct.exists() and Appeal.objects.filter(sensitivity="family").exists()
    county = User.objects.get(username="demo-county")
    assert not visible(county, Appeal).filter(sensitivity="misconduct").exists()
    inspector = User.objects.get(username="c-discipline-1")
    assert visible(inspector, Appeal).filter(sensitivity="misconduct").count() == misconduct.count()
    for a in misconduct:
        for named in a.reported_users.all():
            assert not visible(named, Appeal).filter(pk=a.pk).exists()
    village = User.objects.get(username="demo-village-a")
    assert not visible(village, Appeal).filter(sensitivity="family").exists()


@pytest.mark.django_db
def test_the_demo_has_co_handled_cases_answered_pending_and_returned():
    from minqing.accounts.models import User
    from minqing.appeals import dispatch_metrics
    from minqing.appeals.models import CoUnit

    parts = CoUnit.objects.select_related("unit", "appeal")
    answered = parts.filter(active=True, answered_at__isnull=False, unit__function="transport")
    pending = parts.filter(active=True, answered_at__isnull=True)
    assert answered.exists() and pending.filter(unit__function="transport").exists()
    assert pending.filter(unit__function="water").exists()  # 改派 after transport's approved 退单
    assert parts.filter(active=False, unit__function="transport").exists()  # the returned part, kept
    assert AppealEvent.objects.filter(action="return", appeal__co_units__isnull=False).exists()
    for p in parts:
        assert p.appeal.unit.function == "housing" and p.appeal.group == "open"
    staff = User.objects.get(username="d-transport-1")
    assert visible(staff, Appeal).filter(pk__in=[p.appeal_id for p in answered]).exists()
    dept = User.objects.get(username="demo-dept")
    assert visible(dept, Appeal).filter(co_units__isnull=False).distinct().count() == 3
    start = min(p.since for p in parts).date()
    rows = {r["unit"]: r for r in dispatch_metrics.section("511722000000", start, dt.date.today())["units"]}
    transport = next(r for name, r in rows.items() if "交通运输" in name)
    assert transport["returns"].numerator >= 1  # 退单率 shows the co-unit's 退单
