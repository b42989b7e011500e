"""Issue 16 item 6: a typed date means the end of that day; extension and resume count working days on
the 调休 calendar; an estimated deadline says so; the sweep runs by itself (jobs/periodic.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minqing.appeals import clock as appeal_clock
from minqing.appeals import deadlines, services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent
from minqing.jobs import periodic
from minqing.jobs.models import PeriodicRun
from minqing.lib.workdays import TZ, WorkCalendar

CAL = WorkCalendar.default()


def _assigned(county, clock, register, due=None):
    a = register()
    return services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                              measures="修路", due=due, now=clock())


# --- a date alone --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_date_without_time_is_the_end_of_that_day(county, register, clock):
    a = _assigned(county, clock, register, due="2025-03-20")
    local = a.due_at.astimezone(TZ)
    assert (local.date(), local.time()) == (dt.date(2025, 3, 20), dt.time(23, 59, 59))
    b = _assigned(county, clock, register, due=dt.date(2025, 3, 21))
    assert b.due_at.astimezone(TZ).time() == dt.time(23, 59, 59)
    c = _assigned(county, clock, register, due="2025-03-20T17:30+08:00")  # a time given is kept
    assert c.due_at.astimezone(TZ).time() == dt.time(17, 30)


@pytest.mark.django_db
def test_the_api_reads_a_date_as_the_end_of_that_day(county, register, client, bearer):
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                 channel="visit", title="路坏了", text="三组的路坏了")
    when = (dt.datetime.now(TZ) + dt.timedelta(days=9)).date()
    r = client.post(f"/api/v1/appeals/{a.pk}/actions/assign", content_type="application/json",
                    data={"unit": county.units["housing"].pk, "person": county.dept_handler.pk,
                          "measures": "修", "due": when.isoformat()}, headers=bearer(county.cadre_a))
    assert r.status_code == 200, r.content
    a.refresh_from_db()
    assert a.due_at.astimezone(TZ) == dt.datetime.combine(when, dt.time(23, 59, 59), TZ)


# --- working days: the calendar ------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 11, 30)), st.integers(0, 40),
       st.times())
def test_n_working_days_never_end_before_the_start_and_skip_every_day_off(day, n, t):
    start = dt.datetime.combine(day, t, TZ)
    due = CAL.add_workdays(start, n).due
    assert due >= start
    assert CAL.workdays_between(start, due) == n
    if n:
        assert CAL.is_workday(due)  # it ends on a working day, never a weekend or holiday


def test_extension_honours_tiaoxiu_saturdays_and_skips_holidays():
    s = wf.AppealState(kind=wf.Kind.PROBLEM, status=wf.Status.EXTENSION_REQUESTED, level=wf.Level.VILLAGE,
                       last_at=dt.datetime(2025, 2, 1, tzinfo=TZ),
                       due=dt.datetime(2025, 2, 7, 23, 59, 59, tzinfo=TZ))  # Friday before a 调休 Saturday
    assert appeal_clock.extended_due(s, 1, CAL).due.date() == dt.date(2025, 2, 8)  # 调休上班
    s = wf.AppealState(kind=wf.Kind.PROBLEM, status=wf.Status.EXTENSION_REQUESTED, level=wf.Level.VILLAGE,
                       last_at=dt.datetime(2025, 9, 1, tzinfo=TZ),
                       due=dt.datetime(2025, 9, 30, 23, 59, 59, tzinfo=TZ))
    assert appeal_clock.extended_due(s, 1, CAL).due.date() == dt.date(2025, 10, 9)  # 国庆 1–8 skipped
    petition = wf.AppealState(kind=wf.Kind.PETITION, status=wf.Status.EXTENSION_REQUESTED, level=wf.Level.VILLAGE,
                              last_at=dt.datetime(2025, 9, 1, tzinfo=TZ),
                              due=dt.datetime(2025, 9, 30, 23, 59, 59, tzinfo=TZ))
    assert appeal_clock.extended_due(petition, 30, CAL).due.date() == dt.date(2025, 10, 30)  # statute: 日


@settings(max_examples=100, deadline=None)
@given(st.dates(dt.date(2024, 1, 1), dt.date(2026, 10, 31)), st.integers(1, 30))
def test_an_extension_never_moves_a_deadline_earlier(day, n):
    due = dt.datetime.combine(day, dt.time(23, 59, 59), TZ)
    s = wf.AppealState(kind=wf.Kind.PROBLEM, status=wf.Status.EXTENSION_REQUESTED, level=wf.Level.VILLAGE,
                       last_at=due - dt.timedelta(days=1), due=due)
    moved = appeal_clock.extended_due(s, n, CAL).due
    assert moved > due and CAL.workdays_between(due, moved) == n


# --- working days: the services ------------------------------------------------------------


@pytest.mark.django_db
def test_extension_through_the_service_counts_working_days(county, register, clock):
    a = _assigned(county, clock, register, due="2025-09-26")  # a Friday; 国庆 follows
    a = services.do_request_extension(a, actor=county.dept_handler, days=5, reason="材料", now=clock())
    a = services.do_approve_extension(a, actor=county.county_leader, now=clock())
    # Sun 28 (调休上班), Mon 29, Tue 30, (Oct 1–8 off), Thu 9, Fri 10 — 14 calendar days
    assert a.due_at.astimezone(TZ).date() == dt.date(2025, 10, 10)
    assert not a.due_estimated


@pytest.mark.django_db
def test_an_extension_into_an_unannounced_year_is_estimated(county, register, clock):
    a = _assigned(county, clock, register, due="2026-12-30")
    a = services.do_request_extension(a, actor=county.dept_handler, days=10, reason="年底", now=clock())
    a = services.do_approve_extension(a, actor=county.county_leader, now=clock())
    assert a.due_at.year == 2027 and a.due_estimated


@pytest.mark.django_db
def test_resume_moves_the_deadline_by_the_working_time_paused(county, register, clock):
    a = _assigned(county, clock, register)  # Monday 2025-03-03; the rule counts working days
    friday = dt.datetime(2025, 3, 7, 17, 0, tzinfo=TZ)
    monday = dt.datetime(2025, 3, 10, 9, 0, tzinfo=TZ)
    before = a.due_at
    a = services.do_suspend(a, actor=county.dept_handler, reason="等材料", now=friday)
    a = services.do_resume(a, actor=county.dept_handler, now=monday)
    # Friday 17:00–24:00 and Monday 0:00–9:00 are working time; the weekend costs nothing.
    moved = a.due_at - before
    assert moved == dt.timedelta(hours=16) or (  # …unless the due itself crossed a day off
        CAL.working_seconds(before, a.due_at)[0] == 16 * 3600)
    assert moved < monday - friday  # a calendar clock would have moved it 64 hours


@pytest.mark.django_db
def test_a_resume_with_a_typed_date_uses_it(county, register, clock):
    a = _assigned(county, clock, register)
    a = services.do_suspend(a, actor=county.dept_handler, reason="等材料", now=clock())
    a = services.do_resume(a, actor=county.dept_handler, due="2025-04-30", now=clock())
    assert a.due_at.astimezone(TZ) == dt.datetime(2025, 4, 30, 23, 59, 59, tzinfo=TZ)


# --- the estimated mark where deadlines show -----------------------------------------------


@pytest.mark.django_db
def test_the_ledger_export_says_an_estimated_deadline(county, register, clock):
    from minqing.ledgers.exporters.rectification import ledger_rows

    a = _assigned(county, clock, register, due="2025-04-30")
    Appeal.objects.filter(pk=a.pk).update(due_estimated=True)
    rows = ledger_rows(county.county.code, dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    assert any("办理期限为预计" in str(cell) for row in rows for cell in row)  # in 备注


@pytest.mark.django_db
def test_the_case_page_marks_an_estimated_deadline(county, register, clock, login):
    a = _assigned(county, clock, register, due="2025-04-30")
    Appeal.objects.filter(pk=a.pk).update(due_estimated=True)
    page = login(county.cadre_a).get(f"/appeals/{a.pk}/").content.decode()
    assert 'class="estimated"' in page


# --- the sweep runs by itself ----------------------------------------------------------------


@pytest.mark.django_db
def test_one_process_per_interval_takes_the_sweep(county, register, clock, settings):
    settings.MINQING_SWEEP_MINUTES = 5
    a = _assigned(county, clock, register, due="2025-03-04")
    now = dt.datetime.now(TZ)
    assert periodic.claim("sweep", 5, now)
    assert not periodic.claim("sweep", 5, now + dt.timedelta(minutes=1))  # another process: skips
    assert periodic.claim("sweep", 5, now + dt.timedelta(minutes=6))
    PeriodicRun.objects.all().delete()
    assert periodic.tick() == ["sweep"]
    assert periodic.tick() == []  # not due again yet
    a.refresh_from_db()
    assert a.warning == "red"
    assert AppealEvent.objects.filter(appeal=a, action="overdue").count() == 1
    assert PeriodicRun.objects.get(name="sweep").message.startswith("黄灯")


@pytest.mark.django_db
def test_the_worker_runs_the_sweep_and_zero_turns_it_off(county, register, clock, settings):
    from django.core.management import call_command

    a = _assigned(county, clock, register, due="2025-03-04")
    settings.MINQING_SWEEP_MINUTES = 0
    call_command("worker", once=True)
    a.refresh_from_db()
    assert a.warning == ""
    settings.MINQING_SWEEP_MINUTES = 5
    call_command("worker", once=True)
    a.refresh_from_db()
    assert a.warning == "red"


def test_deadlines_module_default_is_unchanged():
    assert deadlines.default_policy("resolve", "problem", "normal").unit == "workdays"
