"""The deadline sweep: yellow near the deadline, red past it with one event, lights off when closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from minqing.appeals import services
from minqing.appeals.models import AppealEvent
from minqing.appeals.sweeps import sweep
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


def test_it_turns_yellow_then_red_once(county, register, clock):
    a = register()
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修", due=clock() + dt.timedelta(days=10), now=clock())
    start = a.received_at
    assert sweep(start + dt.timedelta(days=1)).yellow == 0
    a.refresh_from_db()
    assert a.warning == ""
    assert sweep(a.due_at - dt.timedelta(hours=12)).yellow == 1
    a.refresh_from_db()
    assert a.warning == "yellow"
    late = a.due_at + dt.timedelta(hours=1)
    assert sweep(late).red == 1
    assert sweep(late + dt.timedelta(hours=1)).red == 0  # claimed once: no second event
    a.refresh_from_db()
    assert a.warning == "red"
    assert AppealEvent.objects.filter(appeal=a, action="overdue").count() == 1
    assert Event.objects.filter(action="appeal.overdue", object_id=str(a.pk)).count() == 1


def test_paused_and_closed_cases_carry_no_light(county, register, clock):
    a = register()
    b = register()
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修", due=clock() + dt.timedelta(hours=2), now=clock())
    services.do_suspend(a, actor=county.dept_handler, reason="停工", now=clock())
    services.do_solve_on_spot(b, actor=county.cadre_a, what="好了", now=clock())
    result = sweep(clock(24 * 60))
    assert result.red == 0
    assert not AppealEvent.objects.filter(action="overdue").exists()


def test_the_command_runs(county, register, capsys):
    register()
    call_command("sweep", now="2030-01-01T09:00+08:00")
    assert "红灯（新逾期）1 件" in capsys.readouterr().out
