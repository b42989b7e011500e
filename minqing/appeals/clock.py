"""Moving a case's deadline on the 调休 working-day calendar: an extension and the resume after a pause.

The pure workflow only adds what it is given; these functions compute it (docs/decisions/0029):
- an extension of N days is N WORKING days after the current deadline's day (a weekend or holiday is
  skipped, a 调休 working Saturday counts); a petition's extension stays in calendar days, as the
  statute (信访工作条例 §36, 延长期限不得超过30日) counts it;
- resuming moves the deadline by the WORKING time the pause took (a pause over a weekend costs the
  case nothing), when the case's rule counts working days; by the elapsed time otherwise;
- the result is ``estimated`` when it counted a day of a year whose holidays are not announced.
"""

from __future__ import annotations

import datetime as dt

from minqing.lib import workdays
from minqing.lib.workdays import Deadline, WorkCalendar

from . import deadlines
from . import workflow as wf


def extended_due(state: wf.AppealState, days: int, cal: WorkCalendar | None = None) -> Deadline:
    """The deadline after an extension of ``days`` (never earlier than the current one)."""
    assert state.due is not None
    if state.kind is wf.Kind.PETITION:
        return Deadline(state.due + dt.timedelta(days=days), False)
    cal = cal or deadlines.calendar()
    moved = cal.add_workdays(state.due, days)
    return moved if moved.due >= state.due else Deadline(state.due, moved.estimated)


def resumed_due(state: wf.AppealState, *, unit: str, now: dt.datetime,
                cal: WorkCalendar | None = None) -> Deadline | None:
    """The deadline once the open pause ends at ``now``; None when the case has no deadline or pause."""
    if state.due is None or not state.pauses or state.pauses[-1][1] is not None:
        return None
    start = state.pauses[-1][0]
    if now <= start:
        return Deadline(state.due, False)
    if unit != "workdays":
        return Deadline(state.due + (now - start), False)
    cal = cal or deadlines.calendar()
    seconds, est1 = cal.working_seconds(start, now)
    due, est2 = cal.advance_working_seconds(workdays.to_local(state.due), seconds)
    return Deadline(due, est1 or est2)
