"""The answer back to the hotline (回复): for each 12345 order whose case is concluded, 工单编号, 承办单位,
办理结果, 回复内容, 办结时间 and 满意度 — as an .xlsx in the hotline's column names and as a JSON feed
(``since``: what changed after the last fetch). Only cases the user may see (jurisdiction.visible)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db.models import QuerySet

from minqing.appeals import workflow as wf
from minqing.appeals.models import AppealEvent
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction

from .models import HotlineOrder

HEADERS = ("工单编号", "承办单位", "办理结果", "回复内容", "办结时间", "满意度", "本地编号")
OUTCOME = {
    wf.Status.CLOSED_SOLVED.value: "已解决", wf.Status.SOLVED_ON_SPOT.value: "已解决（现场解决）",
    wf.Status.CLOSED_UNSOLVED.value: "未解决", wf.Status.EXPLAINED.value: "已解释说明（政策解答）",
    wf.Status.REFERRED.value: "已导入法定途径",
}  # fmt: skip
# The event whose text is the reply, by action: the latest one of a case is its 回复内容.
REPLY_TEXT = {"submit_result": "result", "explain_policy": "text", "solve_on_spot": "what", "refer": "body",
              "close": "note"}
CONCLUDED = tuple(OUTCOME)
MAX_FEED = 500


@dataclass(frozen=True)
class Reply:
    order_no: str
    unit: str
    outcome: str
    reply: str
    closed_at: dt.datetime | None
    satisfaction: str
    number: str
    updated_at: dt.datetime

    def row(self) -> list[Any]:
        at = self.closed_at.astimezone(TZ) if self.closed_at else None
        return [self.order_no, self.unit, self.outcome, self.reply,
                at.strftime("%Y-%m-%d %H:%M:%S") if at else "", self.satisfaction, self.number]


def concluded(user: Any, *, region_code: str | None = None) -> QuerySet:
    """The user's 12345 orders whose case is concluded (closed, explained, referred, solved on the spot)."""
    qs = jurisdiction.visible(user, HotlineOrder).filter(appeal__deleted_at__isnull=True,
                                                         appeal__status__in=CONCLUDED)
    if region_code:
        qs = qs.filter(jurisdiction.region_q([region_code], "appeal__region"))
    return qs.select_related("appeal", "appeal__unit")


def replies(orders: QuerySet) -> list[Reply]:
    rows = list(orders)
    texts: dict[int, str] = {}
    events = (AppealEvent.objects.filter(appeal_id__in=[o.appeal_id for o in rows], action__in=list(REPLY_TEXT))
              .order_by("at", "id").values_list("appeal_id", "action", "payload"))
    for appeal_id, action, payload in events:
        value = str((payload or {}).get(REPLY_TEXT[action]) or "").strip()
        if value and not (action == "close" and appeal_id in texts):  # a closing note never hides the result
            texts[appeal_id] = value
    labels = {s.value: label for s, label in wf.SATISFACTION_ZH.items()}
    return [Reply(order_no=o.order_no, unit=(o.appeal.unit.name if o.appeal.unit_id else "") or o.unit_name,
                  outcome=OUTCOME.get(o.appeal.status, ""), reply=texts.get(o.appeal_id, ""),
                  closed_at=o.appeal.closed_at, satisfaction=labels.get(o.appeal.satisfaction, ""),
                  number=o.appeal.number, updated_at=o.appeal.updated_at) for o in rows]


def feed(user: Any, since: dt.datetime | None, *, limit: int = MAX_FEED) -> list[Reply]:
    """Concluded orders whose case changed after ``since``, oldest change first (page by next ``since``)."""
    qs = concluded(user)
    if since is not None:
        qs = qs.filter(appeal__updated_at__gt=since)
    return replies(qs.order_by("appeal__updated_at", "appeal_id")[:limit])


def xlsx(rows: list[Reply]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet("办理回复")
    head = wb.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for col, (name, width) in enumerate(zip(HEADERS, (22, 24, 18, 60, 20, 12, 24), strict=True)):
        ws.write_string(0, col, name, head)
        ws.set_column(col, col, width, wrap if name == "回复内容" else None)
    for r, reply in enumerate(rows, start=1):
        for c, value in enumerate(reply.row()):
            ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()
