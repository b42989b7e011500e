"""Django glue for deadlines: the county's holiday table and deadline rules on top of lib/workdays.

Defaults when the county has set no rule (docs/domain.md "Deadlines"):
- petitions (信访事项): the statute — acceptance decided within 15 calendar days, handled within
  60 calendar days; a county rule may only shorten these, never lengthen them;
- response (first contact): 2 hours for an emergency, 24 hours otherwise (hotline practice);
- resolution: emergency 24 hours; consultation 1 working day; help 5 working days; urgent 5
  working days; everything else 15 working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from minqing.lib import workdays
from minqing.lib.workdays import Deadline, DeadlinePolicy, WorkCalendar

from .models import Category, DeadlineRule, HolidayOverride

RESPONSE, RESOLVE = DeadlineRule.Stage.RESPONSE.value, DeadlineRule.Stage.RESOLVE.value

STATUTORY = {
    RESPONSE: workdays.PETITION_ACCEPTANCE,  # 信访工作条例: decide acceptance within 15 days
    RESOLVE: workdays.PETITION_HANDLING,  # … handle within 60 days
}


# Outer deadlines another part sets on a case (a 12345 work order's 办理时限, hotline/apps.py): the
# county's default never runs past one, and a deadline typed by the assigner may not either.
Ceiling = Callable[[Any], "tuple[dt.datetime, str] | None"]  # the appeal → (the limit, what sets it)
_ceilings: list[Ceiling] = []


def register_ceiling(ceiling: Ceiling) -> None:
    if ceiling not in _ceilings:  # ready() may run twice in tests
        _ceilings.append(ceiling)


def ceiling_of(appeal: Any) -> tuple[dt.datetime, str] | None:
    """The earliest outer deadline on the case, with what sets it, or None."""
    limits = [c for f in _ceilings if (c := f(appeal)) is not None]
    return min(limits, key=lambda c: c[0]) if limits else None


def default_policy(stage: str, kind: str, urgency: str) -> DeadlinePolicy:
    if kind == "petition":
        return STATUTORY[stage]
    if stage == RESPONSE:
        return DeadlinePolicy(2, "hours") if urgency == "emergency" else DeadlinePolicy(24, "hours")
    if urgency == "emergency":
        return DeadlinePolicy(24, "hours")
    if kind == "consultation":
        return DeadlinePolicy(1, "workdays")
    if kind == "help" or urgency == "urgent":
        return DeadlinePolicy(5, "workdays")
    return DeadlinePolicy(15, "workdays")


@lru_cache(maxsize=1)
def _base_calendar() -> WorkCalendar:
    return WorkCalendar.default()


def calendar() -> WorkCalendar:
    """The announced years plus the county's edits; a year the county entered rows for is known."""
    rows = list(HolidayOverride.objects.values_list("date", "is_workday", "name"))
    if not rows:
        return _base_calendar()
    return _base_calendar().with_overrides({d: w for d, w, _n in rows}, {d: n for d, _w, n in rows if n},
                                           known_years={d.year for d, _w, _n in rows})


def _category_chain(category_id: int | None) -> list[int]:
    """The category and its ancestors, nearest first (a rule on a parent covers its children)."""
    chain: list[int] = []
    while category_id is not None and category_id not in chain:
        chain.append(category_id)
        category_id = Category.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()
    return chain


def rule_for(stage: str, *, kind: str, category_id: int | None, urgency: str) -> DeadlinePolicy:
    """The most specific county rule (kind, then category — nearer beats ancestor — then urgency);
    the statutory default when none matches. For petitions the statute caps any county rule."""
    chain = _category_chain(category_id)
    rules = DeadlineRule.objects.filter(is_active=True, stage=stage, kind__in=["", kind], urgency__in=["", urgency])
    best: tuple[tuple[int, int, int], DeadlineRule] | None = None
    for rule in rules:
        if rule.category_id is not None and rule.category_id not in chain:
            continue
        depth = len(chain) - chain.index(rule.category_id) if rule.category_id is not None else 0
        score = (bool(rule.kind), depth, bool(rule.urgency))
        if best is None or score > best[0]:
            best = (score, rule)
    fallback = default_policy(stage, kind, urgency)
    if best is None:
        return fallback
    policy = DeadlinePolicy(best[1].amount, best[1].unit)  # type: ignore[arg-type]
    return policy if kind != "petition" else _shorter(policy, fallback)


def _shorter(a: DeadlinePolicy, b: DeadlinePolicy) -> DeadlinePolicy:
    start = dt.datetime(2025, 3, 3, 9, tzinfo=workdays.TZ)  # any date: compare lengths, not dates
    cal = _base_calendar()
    return a if workdays.compute_due(start, a, cal).due <= workdays.compute_due(start, b, cal).due else b


def due_for(stage: str, *, kind: str, category_id: int | None, urgency: str, start: dt.datetime,
            cal: WorkCalendar | None = None) -> Deadline:
    policy = rule_for(stage, kind=kind, category_id=category_id, urgency=urgency)
    return workdays.compute_due(start, policy, cal or calendar())
