"""Field work's lists on the printed household file (households.printing.register_list): the latest
visits to the household and the help given at the door, from visits the user may see."""

from __future__ import annotations

from typing import Any

from minqing.regions import jurisdiction

from .models import Visit, VisitHelp


def visits(user: Any, household: Any, limit: int) -> list[str]:
    rows = (jurisdiction.visible(user, Visit).filter(household=household).select_related("visitor")
            .order_by("-visited_at", "-id")[:limit])
    return [f"{v.visited_at:%Y-%m-%d} {v.visitor}：{(v.note or '').strip()[:60] or '走访'}" for v in rows]


def help_given(user: Any, household: Any, limit: int) -> list[str]:
    seen = jurisdiction.visible(user, Visit).filter(household=household)
    rows = VisitHelp.objects.filter(visit__in=seen).select_related("visit").order_by("-visit__visited_at")[:limit]
    return [f"{x.visit.visited_at:%Y-%m-%d} {x.get_kind_display()}"
            f"{f' {x.amount}元' if x.amount else ''}{f' {x.goods}' if x.goods else ''}" for x in rows]


def register() -> None:
    from minqing.households.printing import register_list

    register_list("visits", visits)
    register_list("help", help_given)
