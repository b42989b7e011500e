"""The demo county's field work: a year of every kind, real appeal texts, rounds, quotas in
every colour, an intact audit chain. Built once for this module (300 households), rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from minqing.audit.log import verify
from minqing.fieldwork import metrics
from minqing.fieldwork.models import (
    Activity,
    ActivityKind,
    FieldAppeal,
    ResearchSubtopic,
    VillageListItem,
    Visit,
    VisitHelp,
    VisitRound,
)

ANCHOR = dt.date(2025, 6, 16)
COUNTY = "511722000000"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from minqing.demo.generator import DemoOptions, load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(DemoOptions(seed=11, anchor=ANCHOR, households=300), progress=lambda _m: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.django_db]


def test_a_year_of_every_kind():
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert kinds == set(ActivityKind.values)
    first, last = (Visit.objects.order_by(f).values_list("visited_at", flat=True).first() for f in
                   ("visited_at", "-visited_at"))
    assert (last - first).days > 330 and last.date() <= ANCHOR
    assert Visit.objects.count() > 300 * 3
    assert set(VisitHelp.objects.values_list("kind", flat=True)) >= {"survival_check", "temporary_relief",
                                                                     "condolence_money", "condolence_goods"}
    assert VillageListItem.objects.filter(done_at__isnull=False).exists()
    assert VillageListItem.objects.filter(done_at__isnull=True).exists()
    assert ResearchSubtopic.objects.exclude(findings="").exists()
    assert Activity.objects.filter(kind="research", subtopic__isnull=False).exists()
    assert Activity.objects.filter(kind="onsite_office").exclude(decisions="").exists()


def test_field_appeals_carry_real_texts_and_link_their_origin():
    links = FieldAppeal.objects.select_related("appeal", "visit", "activity")
    assert links.filter(visit__isnull=False).exists() and links.filter(activity__kind="reception").exists()
    for link in links[:50]:
        assert len(link.appeal.text) > 10
        origin = link.visit or link.activity
        assert origin.region_id == link.appeal.region_id or link.activity is not None
        if link.visit:
            assert link.visit.household_id == link.appeal.household_id and link.visit.problems_found
    mediated = links.filter(activity__kind="mediation")
    assert mediated.exists() and all(m.appeal.kind == "dispute" and m.solved_on_spot for m in mediated)


def test_rounds_narrow_like_the_seeds():
    assert VisitRound.objects.count() >= 37 * 3
    for r in VisitRound.objects.all():
        assert r.households_visited >= r.households_with_problems >= r.sent_to_township >= r.sent_to_county
    f = metrics.funnel(COUNTY, ANCHOR - dt.timedelta(days=365), ANCHOR)
    assert f["visited"] > f["found"] > f["township"] > f["county"] > 0


def test_coverage_and_quotas_in_every_colour():
    month = metrics.coverage(COUNTY, ANCHOR.replace(day=1), ANCHOR)
    assert month["households"] == 300 and 0.3 < month["rate"] <= 1
    assert len(month["children"]) == 37
    from minqing.fieldwork import quotas

    rows = quotas.report(COUNTY, dt.date(2025, 1, 1), dt.date(2025, 12, 31), today=ANCHOR)
    colours = {r["status"] for r in rows}
    # the year still runs: its yearly rules are 进行中 (ongoing), the ended months judged
    assert colours == {"green", "yellow", "red", "ongoing"}
    rules = {r["rule"] for r in rows}
    assert rules == {"onsite_office", "frontline_days", "paired_visits", "reception_days"}


def test_the_audit_chain_is_intact():
    assert verify() == []
