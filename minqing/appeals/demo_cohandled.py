"""Co-handled cases (主办/协办) in the demo county, made through the services after the bulk load.

The bulk builder (demo_builder.py) writes no co-unit rows, so without this step the demo showed no
协办 on a case page and no co-unit in 退单率. Three cases in the first demo village, escalated to its
township and assigned there to 住建局 (the demo department's unit) with 交通运输局 co-handling:
one whose co-unit answered, one whose co-unit has not yet, and one whose co-unit returned its part
(退单), approved and re-assigned to 水利局 (改派), which has not answered. Every step is dated before
the load's ``now`` (nothing in the demo lies after the moment it loads).
"""

from __future__ import annotations

import datetime as dt

from minqing.lib import workdays

from . import cohandling, services
from .demo_cast import Cast
from .models import Appeal, Category

# (title, text, co-unit's part); words chosen so the class (人居环境整治 → 住建局) decides the lead unit.
CASES = [
    ("小区雨污管网堵塞污水漫溢", "安置小区雨污管网堵塞，污水漫到院坝，气味很大，请尽快疏通改造。",
     "管网开挖后恢复人行便道和路面"),
    ("场镇老街排水沟垮塌", "老街排水沟一段垮塌，下雨时积水倒灌进临街住户家中，请尽快修复。",
     "排水沟沿线临时交通管制和路面恢复"),
    ("安置点垃圾中转站异味扰民", "安置点旁边的垃圾中转站夏天异味很重，周边住户反映强烈，请整治。",
     "中转站进出场地硬化"),
]


def load(*, cast: Cast, village: str, now: dt.datetime) -> list[Appeal]:
    """The three cases, started about nine, six and four working hours' worth of days before ``now``."""
    category = Category.objects.filter(code="S02").first()
    cadre, township = cast.cadres[village][0], cast.township_secretary(cast.township_of[village])
    housing, transport, water = (cast.units[f"dept:{fn}"] for fn in ("housing", "transport", "water"))
    person = cast.u("demo-dept") or cast.u("d-housing-1")
    co_staff = cast.u("d-transport-1")
    made = []
    for i, (title, text, part) in enumerate(CASES):
        t = workdays.to_local(now) - dt.timedelta(days=(9, 6, 4)[i], hours=2)

        def at(hours: float, start: dt.datetime = t) -> dt.datetime:
            return start + dt.timedelta(hours=hours)

        a = services.register_appeal(actor=cadre, region=village, kind="problem", channel="visit", title=title,
                                     text=text, category=category, reporter_name="周明", received_at=at(0),
                                     now=at(0))
        a = services.do_escalate(a, actor=cadre, reason="需县级部门办理，提请乡镇研判", now=at(1))
        due = at(24 * 20).replace(hour=17, minute=30)  # about fifteen working days on
        a = services.do_review(a, actor=township, decision="assign", opinion="住建局主办，交通运输局协办",
                               unit=housing, person=person, measures="查明原因，限期整改到位", due=due, now=at(3))
        a = cohandling.do_add_co_unit(a, actor=township, unit=transport, part=part, now=at(3.5))
        if i == 2:  # the co-unit returned its part the same day; the township re-assigned it to 水利局
            a = cohandling.do_return(a, actor=co_staff, reason="场地硬化不属交通运输部门职责", now=at(5))
            a = cohandling.do_approve_return(a, actor=township, returned_unit=transport, unit=water,
                                             opinion="同意退单，改由水利局协办", now=at(7))
        a = services.do_add_progress(a, actor=person, note="已到现场查看，制定整改方案", now=at(26))
        if i == 0:  # the co-unit answered its part
            a = cohandling.do_co_reply(a, actor=co_staff, reply="已恢复人行便道和路面，经现场查验合格", now=at(50))
        made.append(a)
    return made
