"""The actions a page offers are computed per actor and per part: a co-unit's staff are not offered a
退单 or a 协办答复 the workflow would refuse for their own part (issue 16, builders' remnant)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.accounts.models import Post, Unit, User
from minqing.appeals import cohandling, queries, services

pytestmark = pytest.mark.django_db


def _staff(county, name: str, function: str) -> tuple[Unit, User]:
    unit = Unit.objects.create(name=name, kind="department", function=function, region=county.county)
    user = User.objects.create(username=function, display_name=f"{name}经办人")
    Post.objects.create(user=user, unit=unit, role="dept_handler", region=county.county,
                        started_on=dt.date(2020, 1, 1))
    return unit, user


def test_a_co_units_pending_return_hides_its_return_and_reply(county):
    t = timezone.now() - dt.timedelta(minutes=30)  # the 退单 window counts from now: the case is fresh
    step = iter(t + dt.timedelta(minutes=i) for i in range(1, 30))
    transport, t_staff = _staff(county, "县交通运输局", "transport")
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                 channel="visit", title="道路塌陷", text="村口道路塌陷", now=t)
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="修复", due=timezone.now() + dt.timedelta(days=20), now=next(step))
    a = cohandling.do_add_co_unit(a, actor=county.cadre_a, unit=transport, part="路面恢复", now=next(step))

    mine = set(queries.available_for(t_staff, a))
    assert {"return", "co_reply"} <= mine  # the co-unit's own part is open: both offered
    assert "co_reply" not in queries.available_for(county.dept_handler, a)  # the lead has no co-part

    a = cohandling.do_return(a, actor=t_staff, reason="路面恢复属水利施工范围", now=next(step))
    mine = set(queries.available_for(t_staff, a))
    assert not {"return", "co_reply"} & mine  # its 退单 is pending: neither is offered again
    assert "return" in queries.available_for(county.dept_handler, a)  # the lead's own 退单 still is
    assert {"approve_return", "reject_return"} <= set(queries.available_for(county.cadre_a, a))

    a = cohandling.do_reject_return(a, actor=county.cadre_a, reason="属道路职责", now=next(step))
    assert "co_reply" in queries.available_for(t_staff, a)
    a = cohandling.do_co_reply(a, actor=t_staff, reply="已恢复路面", now=next(step))
    assert not {"return", "co_reply"} & set(queries.available_for(t_staff, a))  # answered: nothing left


def test_a_return_past_its_window_is_not_offered(county):
    t = timezone.now() - dt.timedelta(days=30)  # received a month ago: beyond any 退单 window
    a = services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                 channel="visit", title="路灯坏了", text="路灯不亮", now=t)
    a = services.do_assign(a, actor=county.cadre_a, unit=county.units["housing"], person=county.dept_handler,
                           measures="更换", due=timezone.now() + dt.timedelta(days=20),
                           now=t + dt.timedelta(minutes=5))
    assert "return" not in queries.available_for(county.dept_handler, a)
    assert "add_progress" in queries.available_for(county.dept_handler, a)
