"""The demo county reads true: loaded at 05:42 (before the old fixed 09:00), nothing in it is dated
after the moment it loads, so the first action on a fresh case is accepted; each class of problem
is handled by a unit whose work it is; dispute agreements answer their claims; household notes
fit the household; every demo cadre has work planned for the day. Built once, rolled back."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.apps import apps
from django.db import models, transaction
from django.db.models import Max

from minqing.demo.generator import TZ

ANCHOR = dt.date(2025, 6, 16)
NOW = dt.datetime.combine(ANCHOR, dt.time(5, 42), TZ)
# Deadlines and validity ends lie ahead by nature; everything else records something that happened.
AHEAD = ("due", "deadline", "expires", "until", "valid", "locked_until", "next_", "remind_at", "starts", "ends",
         "planned", "scheduled")


WALL: list[dt.datetime] = []  # the real clock when loading began: audit rows of the load itself carry it


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from minqing.demo.generator import DemoOptions, load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            WALL.append(dt.datetime.now(TZ))
            load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=400, now=NOW), progress=lambda _m: None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.django_db]


def test_nothing_is_dated_after_the_moment_it_loads():
    late = []
    for model in apps.get_models():
        if not model.__module__.startswith("minqing."):
            continue
        for f in model._meta.get_fields():
            if not isinstance(f, models.DateTimeField) or any(w in f.name for w in AHEAD):
                continue
            rows = model.objects.all()
            if model._meta.label == "audit.Event":  # written at the wall clock by the import itself
                rows = rows.filter(at__lt=WALL[0])
            latest = rows.aggregate(m=Max(f.name))["m"]
            if latest is not None and latest > NOW:
                late.append(f"{model._meta.label}.{f.name} {latest.astimezone(TZ):%Y-%m-%d %H:%M}")
    assert not late, late


def test_the_first_action_after_loading_is_accepted():
    from minqing.accounts.models import User
    from minqing.accounts.roles import VILLAGE_CADRE_ROLES
    from minqing.appeals import services
    from minqing.appeals.models import Appeal

    fresh = Appeal.objects.filter(status="registered", kind="problem").order_by("-received_at").first()
    assert fresh is not None
    cadre = User.objects.filter(posts__region_id=fresh.region_id, posts__role__in=VILLAGE_CADRE_ROLES).first()
    # refused with "操作时间不能早于上一条记录" when the demo's events ran on to 09:00
    done = services.do_solve_on_spot(fresh, actor=cadre, what="已入户核实并现场解决", satisfaction="satisfied",
                                     now=NOW + dt.timedelta(minutes=1))
    assert done.status == "solved_on_spot"


def test_each_case_is_handled_by_a_unit_whose_work_it_is():
    from minqing.appeals import workflow as wf
    from minqing.appeals.demo_builder import FUNCTION_WORDS
    from minqing.appeals.models import Appeal

    wrong = []
    # a case waiting on its 退单 sits with the unit that says it is not its work: the point of the 退单
    cases = Appeal.objects.filter(unit__kind="department").exclude(kind="misconduct").exclude(
        status=wf.Status.RETURN_REQUESTED.value)
    for a in cases.select_related("unit", "category__parent"):
        words = a.title + a.text[:200]
        said = [fn for pattern, fn in FUNCTION_WORDS if re.search(pattern, words)]
        cat = a.category
        filed = (cat.default_unit_function or (cat.parent.default_unit_function if cat.parent else "")) if cat else ""
        # the words decide first (低保 is 民政's, 医保 the 医保局's), else the class; 信访局 coordinates the rest
        whose = said[0] if said else (filed or "petitions")
        if a.unit.function != whose:
            wrong.append(f"{a.title}（{cat.name if cat else '—'}）→ {a.unit.name}")
    assert not wrong, wrong[:10]
    assert cases.filter(unit__function="housing").exists()
    assert not cases.filter(title__contains="低保", unit__function="housing").exists()


def test_dispute_agreements_answer_their_claims():
    from minqing.disputes.demo import TERMS
    from minqing.disputes.models import Term

    terms = list(Term.objects.select_related("agreement__dispute__appeal"))
    assert terms
    for t in terms:
        title = t.agreement.dispute.appeal.title
        assert t.text in TERMS[title], f"{title}: {t.text}"


def test_household_notes_and_tags_fit_the_household():
    from minqing.fieldwork.models import Visit
    from minqing.households.models import Household

    def living(h):
        return [ANCHOR.year - r.birth_date.year for r in h.residents.filter(status="living")]

    alone = Visit.objects.filter(note__startswith="老人独居").select_related("household")
    assert alone.exists()
    for v in alone:
        ages = living(v.household)
        assert len(ages) == 1 and ages[0] >= 60, (v.note, ages)
    for h in Household.objects.filter(tags__code="dujulaoren"):
        ages = living(h)
        assert len(ages) == 1 and ages[0] >= 60, ages
    for v in Visit.objects.filter(note__startswith="了解孩子上学").select_related("household")[:200]:
        assert min(living(v.household)) < 16


def test_every_demo_cadre_has_work_planned_on_the_day_it_loads():
    from minqing.accounts.models import User
    from minqing.fieldwork import plans

    for name in ("demo-village-a", "demo-village-b"):
        assert plans.due_for(User.objects.get(username=name), ANCHOR), name
