"""Appeals JSON API under /api/v1/appeals: list, detail with its timeline, create, one endpoint per
workflow action, the reports. Thin: parse → one service or query → answer. Outside the user's
jurisdiction an appeal does not exist (404); a visible appeal whose action the post may not take
answers 403; a refused transition answers 422 with the workflow's Chinese message."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.responses import NinjaJSONEncoder

from minqing.api.errors import BadRequest
from minqing.api.schemas import Page, paginate, window
from minqing.households.models import Household
from minqing.lib import idempotent
from minqing.regions import jurisdiction

from . import action_api, bulk_api, labels, listing, queries, reclassify, services
from . import workflow as wf
from .models import Appeal, Report

router = Router(tags=["appeals"])

class AppealOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    status: str
    status_label: str
    group: str
    level: str
    max_level: str
    region_id: str
    region_name: str
    category_id: int | None
    category: str | None
    urgency: str
    sensitivity: str
    channel: str
    received_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    warning: str
    unit_id: int | None
    unit: str | None
    handler_name: str
    satisfaction: str
    overdue: bool


class EventOut(Schema):
    id: int
    action: str
    label: str
    at: dt.datetime
    actor: str
    from_status: str
    to_status: str
    level: str
    reason: str
    payload: dict[str, Any]


class AppealDetail(AppealOut):
    text: str
    anonymous: bool
    triage: str
    measures: str
    response_due_at: dt.datetime | None
    responded_at: dt.datetime | None
    due_estimated: bool
    closed_on_time: bool | None
    reopen_count: int
    remind_count: int
    supervised_by: str | None
    supervise_level: str
    cost: Decimal | None
    fund_source: str
    accountability: bool
    merged_into: str | None
    household_id: int | None
    version: int
    reports_count: int
    events: list[EventOut]
    available_actions: list[str]


class AppealCreateIn(Schema):
    region: str = Field(..., description="区划代码（2/4/6/9/12位）")
    kind: str = Field(..., description="problem|suggestion|petition|dispute|misconduct|help|consultation")
    channel: str = Field(..., description="visit|meeting|reception|phone|letter|mailbox|email|web|social|transfer")
    title: str
    text: str
    category: int | str | None = Field(None, description="类别 id 或代码")
    urgency: str = "normal"
    household: int | None = None
    resident: int | None = None
    reporter_name: str = ""
    phone: str = ""
    anonymous: bool = False
    client_id: str | None = Field(None, description="离线登记的客户端编号：重复提交返回同一诉求")
    received_at: dt.datetime | None = None
    reported_users: list[int] = Field(default_factory=list, description="举报对象（工作人员账号 id）")


class ReportOut(Schema):
    id: int
    channel: str
    reporter_name: str
    phone: str  # masked
    anonymous: bool
    received_at: dt.datetime
    text: str
    household_id: int | None
    notified_at: dt.datetime | None


class PhoneRevealOut(Schema):
    phone: str


def _row(a: Appeal, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": a.id, "number": a.number, "title": a.title, "kind": a.kind, "status": a.status,
        "status_label": wf.STATUS_LABELS.get(wf.Status(a.status), a.status), "group": a.group, "level": a.level,
        "max_level": a.max_level, "region_id": a.region_id, "region_name": a.region.name,
        "category_id": a.category_id, "category": a.category.name if a.category_id else None,
        "urgency": a.urgency, "sensitivity": a.sensitivity, "channel": a.channel, "received_at": a.received_at,
        "due_at": a.due_at, "closed_at": a.closed_at, "warning": a.warning, "unit_id": a.unit_id,
        "unit": a.unit.name if a.unit_id else None, "handler_name": a.handler_name, "satisfaction": a.satisfaction,
        "overdue": a.group == wf.Group.OPEN and a.due_at is not None and a.due_at < now,
    }  # fmt: skip


# The list's columns as the API's rows read them (listing.page(values=…): dicts, no model per row).
LIST_VALUES = ("id", "number", "title", "kind", "status", "group", "level", "max_level", "region_id", "region__name",
               "category_id", "category__name", "urgency", "sensitivity", "channel", "received_at", "due_at",
               "closed_at", "warning", "unit_id", "unit__name", "handler_name", "satisfaction")


def _list_row(a: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """_row() from the list's columns, in the schema's field order."""
    group, due = a["group"], a["due_at"]
    return {
        "id": a["id"], "number": a["number"], "title": a["title"], "kind": a["kind"], "status": a["status"],
        "status_label": wf.STATUS_LABELS.get(wf.Status(a["status"]), a["status"]), "group": group,
        "level": a["level"], "max_level": a["max_level"], "region_id": a["region_id"],
        "region_name": a["region__name"], "category_id": a["category_id"], "category": a["category__name"],
        "urgency": a["urgency"], "sensitivity": a["sensitivity"], "channel": a["channel"],
        "received_at": a["received_at"], "due_at": due, "closed_at": a["closed_at"], "warning": a["warning"],
        "unit_id": a["unit_id"], "unit": a["unit__name"], "handler_name": a["handler_name"],
        "satisfaction": a["satisfaction"], "overdue": group == wf.Group.OPEN and due is not None and due < now,
    }  # fmt: skip


def _detail(user, a: Appeal) -> dict[str, Any]:
    events = queries.timeline(a)
    return {
        **_row(a, timezone.now()), "text": a.text, "anonymous": a.anonymous, "triage": a.triage,
        "measures": a.measures, "response_due_at": a.response_due_at, "responded_at": a.responded_at,
        "due_estimated": a.due_estimated, "closed_on_time": a.closed_on_time, "reopen_count": a.reopen_count,
        "remind_count": a.remind_count, "supervised_by": str(a.supervised_by) if a.supervised_by_id else None,
        "supervise_level": a.supervise_level, "cost": a.cost, "fund_source": a.fund_source,
        "accountability": a.accountability, "merged_into": a.merged_into.number if a.merged_into_id else None,
        "household_id": a.household_id, "version": a.version, "reports_count": a.reports.count(),
        "events": [{"id": e.id, "action": e.action, "label": labels.action_label(e.action), "at": e.at,
                    "actor": str(e.actor) if e.actor_id else "system", "from_status": e.from_status,
                    "to_status": e.to_status, "level": e.level, "reason": e.reason, "payload": e.payload or {}}
                   for e in events],
        "available_actions": queries.available_for(user, a),
    }  # fmt: skip


_FROM = Query(None, alias="from")  # `from` is a Python keyword
_TO = Query(None, alias="to")


class AppealPage(Schema):
    items: list[AppealOut]
    count: int = Field(..., description="件数：count_exact 为 false 时是估计数或下限")
    count_exact: bool
    next: str | None = Field(None, description="下一页游标：作为 after 传回")


@router.get("", response=AppealPage)
def list_appeals(request, region: str | None = None, status: str | None = None, group: str | None = None,
                 kind: str | None = None, category: int | None = None, unit: int | None = None,
                 overdue: bool | None = None, date_from: dt.date | None = _FROM,
                 date_to: dt.date | None = _TO, q: str | None = None, limit: int = 50,
                 offset: int = 0, after: str | None = None):
    """诉求列表，最新的在前. `region` takes 2/4/6/9/12-digit codes; `from`/`to` are days of receipt
    (inclusive). Deep pages go by cursor: pass the answer's `next` as `after`; `offset` reaches
    the first 1 000 rows only. `count` is exact up to 1 000 (`count_exact`), an estimate beyond."""
    limit, offset = window(limit, offset)
    if offset > listing.MAX_OFFSET:
        raise BadRequest(f"起始位置（offset）不能大于 {listing.MAX_OFFSET}，更深的页请用 next 游标（after）")
    try:
        cursor = listing.Cursor.parse(after) if after else None
    except listing.BadCursor:
        raise BadRequest("游标（after）无效，请用上一页返回的 next") from None
    qs = queries.appeals_for(request.user, region=region, status=status, group=group, kind=kind,
                             category=category, unit=unit, overdue=overdue, date_from=date_from,
                             date_to=date_to, q=q)
    page = listing.page(qs, size=limit, offset=0 if cursor else offset, after=cursor, values=LIST_VALUES)
    now = timezone.now()
    return _json({"items": [_list_row(a, now) for a in page.rows], "count": page.count.n,
                  "count_exact": page.count.exact, "next": str(page.next) if page.next else None})


def _json(body: dict[str, Any]) -> HttpResponse:
    """The answer as the schema would render it, without validating it again row by row: the rows are
    built here from typed columns in the schema's field order (tests/appeals/test_list_statements.py
    checks the bytes are the schema's). A third of a list request's Python time went to that check."""
    return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8")


def _register_once(user, data: dict[str, Any]) -> Appeal:
    """登记 keyed by the client's client_id: a resend, or a simultaneous copy, gets the first's appeal."""
    cid = data.get("client_id")

    def existing() -> Appeal | None:
        found = Report.objects.filter(client_id=cid).select_related("appeal").first() if cid else None
        if found is not None:
            idempotent.check_owner(found.received_by_id, user)
        return found.appeal if found else None

    return existing() or idempotent.create_once(lambda: services.register_appeal(actor=user, **data), existing)


@router.post("", response={201: AppealDetail})
def create_appeal(request, body: AppealCreateIn):
    """登记诉求."""
    data = body.model_dump()
    if data["household"] and not jurisdiction.visible(request.user, Household).filter(pk=data["household"]).exists():
        raise ValidationError("所选户不存在或不在您的管辖范围内")
    a = _register_once(request.user, data)
    return Status(201, _detail(request.user, queries.appeal_detail(request.user, a.pk)))


@router.get("/{int:appeal_id}", response=AppealDetail)
def get_appeal(request, appeal_id: int):
    """诉求详情：含全部流转记录（时间线）与当前可执行的操作."""
    return _detail(request.user, queries.appeal_detail(request.user, appeal_id))


def _answer(user, appeal_id: int) -> dict[str, Any]:
    return _detail(user, queries.appeal_detail(user, appeal_id))


action_api.mount(router, AppealDetail, _answer)
bulk_api.mount(router)  # POST /bulk/{assign|extend|remind|supervise}


class ReclassifyIn(Schema):
    reason: str = Field(..., max_length=2000, description="更正理由（必填）")
    kind: str | None = Field(None, description="problem / complaint / suggestion / dispute / misconduct …")
    sensitivity: str | None = Field(None, description="normal / family / misconduct")
    named: list[int] = Field(default_factory=list, description="举报所指的工作人员（用户 id）")


class ReclassifyOut(Schema):
    id: int
    kind: str
    sensitivity: str
    still_visible: bool = Field(description="false when the correction took the case out of one's sight")


@router.post("/{int:appeal_id}/reclassify", response=ReclassifyOut)
def reclassify_appeal(request, appeal_id: int, body: ReclassifyIn):
    """更正诉求类型与敏感级别：由按现有敏感级别有权决定该诉求的岗位执行，须写明理由，记入审计."""
    a = reclassify.reclassify(queries.appeal_detail(request.user, appeal_id), actor=request.user,
                              **body.model_dump())
    seen = jurisdiction.visible(request.user, Appeal).filter(pk=a.pk).exists()
    return {"id": a.pk, "kind": a.kind, "sensitivity": a.sensitivity, "still_visible": seen}


@router.get("/{int:appeal_id}/reports", response=Page[ReportOut])
def list_reports(request, appeal_id: int, limit: int = 100, offset: int = 0):
    """反映人（合并进来的也在内）；电话为脱敏形式."""
    a = queries.appeal_detail(request.user, appeal_id)
    page = paginate(queries.reports_of(request.user, a), limit, offset)
    page["items"] = [{"id": r.id, "channel": r.channel, "reporter_name": r.reporter_name, "phone": r.phone_masked,
                      "anonymous": r.anonymous, "received_at": r.received_at, "text": r.text,
                      "household_id": r.household_id, "notified_at": r.notified_at} for r in page["items"]]
    return page


@router.post("/{int:appeal_id}/reports/{int:report_id}/reveal", response=PhoneRevealOut)
def reveal_phone(request, appeal_id: int, report_id: int):
    """查看反映人完整电话：仅承办人及其上级领导（举报：纪委；家事纠纷：调解员），每次查看留痕."""
    a = queries.appeal_detail(request.user, appeal_id)
    report = jurisdiction.get_visible_or_404(request.user, Report.objects.filter(appeal=a), pk=report_id)
    return {"phone": services.reveal_phone(report, actor=request.user, ip=request.META.get("REMOTE_ADDR"))}


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


@router.post("/{int:appeal_id}/attachments", response={201: AttachmentOut})
def upload_attachment(request, appeal_id: int, file: UploadedFile = File(None)):  # noqa: B008 - ninja's idiom
    """上传照片或文件（jpg/png/pdf/docx/xlsx，≤10 MB）."""
    a = queries.appeal_detail(request.user, appeal_id)  # outside one's jurisdiction: 404 before anything else
    if file is None:
        raise ValidationError("请选择要上传的文件")
    att = services.add_attachment(a, actor=request.user, upload=file)
    return Status(201, {"id": att.id, "name": att.name, "content_type": att.content_type, "size": att.size,
                        "sha256": att.sha256})
