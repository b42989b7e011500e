"""What a ledger row asks for, as workflow steps: the history of a new case, or the changes to a case
the row names by its number (the round trip: export → edit 进展/是否办结 in Excel → import).

Nothing here writes. A new case's steps go to ``appeals.bulk.plan`` (the workflow replays them with
every check it makes); an update is a list of service calls, checked first against the case's state
with the same ``workflow.apply`` (and the post's rights), so a bad row is reported before anything
is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minqing.appeals import access
from minqing.appeals import workflow as wf
from minqing.appeals.bulk import NewCase, Step
from minqing.appeals.models import Appeal, Triage
from minqing.appeals.services import actor_key, state_from_json
from minqing.lib.cells import CellError
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .layouts import Item

CLOSE_NOTE = "按导入台账办结"
VERIFY_NOTE = "按导入台账核查（台账记载已办结）"
STATUS_TEXT = {s.value: label for s, label in wf.STATUS_LABELS.items()}


def handler_key(name: str) -> str:
    """The workflow's key of the person a ledger names as 责任人 (not a user of the system)."""
    return f"ledger:{name or '责任人'}"


def new_case(item: Item, region: Region, unit_id: int | None, category: Any) -> NewCase:
    """The case a row describes, with the steps its columns record; CellError when the row says a case
    was closed in a way the workflow does not allow."""
    at = item.received_at
    steps: list[Step] = []
    if item.answer:
        steps.append(Step("explain_policy", max(at, item.answered_at or at), {"text": item.answer[:500]}))
    elif item.triage == Triage.EXPLAIN.value:
        steps.append(Step("explain_policy", at, {"text": item.measures or item.text}))
    elif item.triage == Triage.ON_SPOT.value and item.closed:
        payload = {"what": item.measures or item.progress or "现场解决"}
        if item.satisfaction:
            payload["satisfaction"] = item.satisfaction
        steps.append(Step("solve_on_spot", at, payload))
    elif item.triage == Triage.ASSIGN.value and item.due_at:
        steps.append(Step("assign", at, {"unit": str(unit_id) if unit_id else "-",
                                         "person": item.handler_name or "-", "measures": item.measures or "-",
                                         "due": item.due_at}))
        if item.progress:
            steps.append(Step("add_progress", at, {"note": item.progress}))
        if item.closed:
            steps.extend(_closing(item, max(item.closed_at or item.due_at, at)))
    return NewCase(region=region, kind=item.kind, channel=item.channel, title=item.title, text=item.text,
                   received_at=at, source_ref=item.source_ref, category=category, anonymous=item.anonymous,
                   reporters=item.reporters, handler_name=item.handler_name, steps=steps,
                   measures=item.answer or item.measures)


def _closing(item: Item, end: dt.datetime) -> list[Step]:
    """报结 by the named handler, 核查 by the importing person, 回访 with the ledger's 满意度, 办结.
    Without a 满意度 only an anonymous case may close (the workflow's rule): the row is refused."""
    outcome = "unsolved" if item.unsolved else "solved"
    note = CLOSE_NOTE + ("（未解决）" if item.unsolved else "")
    steps = [Step("submit_result", end, {"result": item.progress or item.measures or CLOSE_NOTE},
                  by=handler_key(item.handler_name)),
             Step("verify", end, {"passed": True, "note": VERIFY_NOTE})]
    if item.satisfaction:
        steps.append(Step("return_visit", end, {"satisfaction": item.satisfaction, "reopen": False}))
        steps.append(Step("close", end, {"outcome": outcome, "note": note}))
    elif item.anonymous:
        steps.append(Step("close", end, {"outcome": outcome, "reason": wf.CloseReason.ANONYMOUS.value,
                                         "note": note}))
    else:
        raise CellError("台账记载已办结，但未填写“群众满意度”：办结须经回访（匿名诉求除外），请填写满意度")
    return steps


# --- updates of existing cases (matched by 编号) ------------------------------------------------


@dataclass
class Update:
    item: Item
    appeal: Appeal
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (service function, kwargs)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


_SERVICE_ACTION = {"do_add_progress": "add_progress", "do_submit_result": "submit_result"}
_REPORTED = frozenset({wf.Status.AWAITING_VERIFICATION, wf.Status.AWAITING_RETURN_VISIT, wf.Status.AWAITING_CLOSURE})


def update(item: Item, appeal: Appeal, latest_note: str, *, actor: Any, now: dt.datetime) -> Update:
    """The service calls that bring ``appeal`` to what the row says (none when nothing changed)."""
    up = Update(item, appeal)
    status = wf.Status(appeal.status)
    closed = status in wf.CLOSED_STATUSES
    if item.progress and item.progress not in (latest_note, STATUS_TEXT.get(appeal.status, "")):
        up.calls.append(("do_add_progress", {"note": item.progress}))
    if item.closed and not closed and status not in _REPORTED:
        if status in (wf.Status.ASSIGNED, wf.Status.IN_PROGRESS):
            up.calls.append(("do_submit_result", {"result": item.progress or latest_note or CLOSE_NOTE}))
        else:
            up.errors.append(("是否办结", f"诉求当前为“{STATUS_TEXT[status.value]}”，不能在台账中直接办结，"
                                          "请在系统中办理"))
    if not item.closed and closed:
        up.errors.append(("是否办结", "诉求已办结，不能在台账中改为未办结"))
    if item.satisfaction != (appeal.satisfaction or ""):
        up.errors.append(("群众满意度", "满意度须在回访时登记，不能在台账中修改"))
    state = state_from_json(appeal.state)
    if state is None and up.calls:
        up.errors.append(("备注", f"诉求 {appeal.number} 没有办理记录，不能通过台账更新"))
        return up
    scope = jurisdiction.scope_of(actor) if actor is not None else None
    for name, kwargs in up.calls:  # the workflow and the post decide now, before anything is written
        action = _SERVICE_ACTION[name]
        column = "进展" if action == "add_progress" else "是否办结"
        if scope is not None and not access.may_act(scope, appeal, action):
            up.errors.append((column, f"您的岗位不能对该诉求执行“{wf.ACTIONS[action].label}”"))
            continue
        try:
            state, _event = wf.apply(state, wf.Action(action, actor_key(actor), max(now, state.last_at), kwargs))
        except wf.TransitionError as exc:
            up.errors.append((column, str(exc)))
    return up
