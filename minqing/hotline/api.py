"""/api/v1/hotline: the 12345 platform posts work orders and fetches the replies."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema

from minqing.jobs.kinds import _region_for

from .importer import OrderImportError, load, read_json
from .models import HotlineOrder
from .replies import feed

router = Router(tags=["12345"])
MAX_ORDERS = 500


class HotlineOrderIn(Schema):
    order_no: str = Field(min_length=1, max_length=64, description="工单编号（工单号）")
    received_at: str = Field(min_length=1, max_length=40, description="来电时间（ISO 8601）")
    text: str = Field(min_length=1, max_length=8000, description="诉求内容")
    title: str = Field("", max_length=200, description="工单标题")
    caller: str = Field("", max_length=50, description="来电人")
    phone: str = Field("", max_length=30, description="联系电话")
    order_type: str = Field("", max_length=20, description="诉求类型：投诉、求助、咨询、建议、举报……")
    category: str = Field("", max_length=60, description="问题分类（与本县类别名称相同时采用）")
    address: str = Field("", max_length=200, description="问题发生地")
    place: str = Field("", max_length=60, description="所属乡镇或村（社区）名称")
    unit: str = Field("", max_length=100, description="承办单位")
    time_limit: str = Field("", max_length=40, description="办理时限")


class HotlineOrdersIn(Schema):
    region: str = Field(min_length=2, max_length=12, description="接收工单的县或乡镇区划代码")
    orders: list[HotlineOrderIn] = Field(min_length=1, max_length=MAX_ORDERS)
    dry_run: bool = False


class HotlineOrdersOut(Schema):
    rows: int
    created: int
    existing: int = Field(description="工单号已导入过、本次跳过的条数")
    dry_run: bool
    numbers: list[str] = Field(description="新登记诉求的本地编号")


class HotlineReplyOut(Schema):
    order_no: str = Field(description="工单编号")
    unit: str = Field(description="承办单位")
    outcome: str = Field(description="办理结果")
    reply: str = Field(description="回复内容")
    closed_at: dt.datetime | None = Field(description="办结时间")
    satisfaction: str = Field(description="满意度")
    number: str = Field(description="本地诉求编号")
    updated_at: dt.datetime


class HotlineRepliesOut(Schema):
    items: list[HotlineReplyOut]
    next_since: dt.datetime | None = Field(description="下次请求的 since")


class HotlineRepliesQuery(Schema):
    since: dt.datetime | None = Field(None, description="只返回此时间之后有变化的工单（ISO 8601）")


@router.post("/orders", response=HotlineOrdersOut, url_name="hotline_orders",
             summary="推送12345工单（按工单号去重）")
def post_orders(request, body: HotlineOrdersIn):
    try:
        region = _region_for(request.user, body.region)
    except Http404 as exc:
        raise ValidationError("区划不在您的管辖范围内") from exc
    try:
        orders = read_json([o.dict() for o in body.orders])
        result = load(orders, region=region, actor=request.user, dry_run=body.dry_run, via=HotlineOrder.Via.API,
                      unit="条")
    except OrderImportError as exc:
        raise ValidationError("\n".join(exc.lines())) from exc
    return {"rows": result.rows, "created": result.created, "existing": result.existing, "dry_run": result.dry_run,
            "numbers": result.numbers}


@router.get("/replies", response=HotlineRepliesOut, url_name="hotline_replies",
            summary="12345工单办理回复（办理结果、回复内容、办结时间）")
def get_replies(request, q: Query[HotlineRepliesQuery]):
    items = feed(request.user, q.since)
    return {"items": [vars(r) for r in items], "next_since": items[-1].updated_at if items else q.since}
