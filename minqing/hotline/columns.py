"""The columns of a 12345 work-order export, and one row read into an ``OrderIn``.

Hotline platforms name their columns differently (工单编号 or 工单号, 来电时间 or 受理时间, 诉求内容
or 来电内容 …); each field below lists the names seen in county exports. A file whose headers name
every required field is read as it is; otherwise the page asks which column holds which field (the
mapping step) and passes ``mapping`` {field: header}."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.dateparse import parse_datetime

from minqing.appeals import workflow as wf
from minqing.lib import cells
from minqing.lib.cells import CellError, norm_header
from minqing.lib.phone import PhoneError, clean_phone


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the name an error names when the file has no header of its own for it
    aliases: tuple[str, ...]
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("order_no", "工单编号", ("工单编号", "工单号", "工单流水号", "受理编号", "事项编号"), True),
    Column("received_at", "来电时间", ("来电时间", "受理时间", "登记时间", "创建时间", "派单时间"), True),
    Column("caller", "来电人", ("来电人", "来电人姓名", "诉求人", "市民姓名", "联系人")),
    Column("phone", "联系电话", ("联系电话", "来电号码", "联系方式", "手机号码", "电话")),
    Column("title", "工单标题", ("工单标题", "诉求标题", "标题", "事项标题")),
    Column("text", "诉求内容", ("诉求内容", "来电内容", "工单内容", "问题描述", "事项内容"), True),
    Column("order_type", "诉求类型", ("诉求类型", "工单类型", "来电类型", "业务类型")),
    Column("category", "问题分类", ("问题分类", "诉求分类", "事项分类", "分类")),
    Column("address", "问题发生地", ("问题发生地", "发生地址", "事发地址", "诉求地址", "地址")),
    Column("place", "所属乡镇", ("所属乡镇", "乡镇(街道)", "所属街道", "属地", "所属区域")),
    Column("unit", "承办单位", ("承办单位", "办理单位", "责任单位", "主办单位")),
    Column("time_limit", "办理时限", ("办理时限", "办结时限", "处理时限", "截止时间")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)

# 诉求类型 → the case's kind (anything else: 问题).
KINDS = {"投诉": wf.Kind.PROBLEM, "求助": wf.Kind.HELP, "咨询": wf.Kind.CONSULTATION, "建议": wf.Kind.SUGGESTION,
         "意见建议": wf.Kind.SUGGESTION, "举报": wf.Kind.MISCONDUCT, "表扬": wf.Kind.SUGGESTION}


def detect(headers: list[str]) -> dict[str, int]:
    """field → column index, by the known names (the first match wins)."""
    names = [norm_header(h) for h in headers]
    found: dict[str, int] = {}
    for col in COLUMNS:
        for alias in col.aliases:
            if norm_header(alias) in names:
                found[col.key] = names.index(norm_header(alias))
                break
    return found


def resolve(headers: list[str], mapping: dict[str, str] | None) -> tuple[dict[str, int], list[str]]:
    """field → column index from the user's mapping over the detected one; and the required fields
    still missing (Chinese labels)."""
    index = detect(headers)
    names = [norm_header(h) for h in headers]
    for key, header in (mapping or {}).items():
        if key in BY_KEY and header and norm_header(header) in names:
            index[key] = names.index(norm_header(header))
    return index, [BY_KEY[k].label for k in REQUIRED if k not in index]


def _when(raw: Any) -> dt.datetime | None:
    """A cell's date-time; a JSON post may also send ISO 8601 with its offset."""
    if isinstance(raw, str) and (parsed := parse_datetime(raw.strip())) is not None and parsed.tzinfo is not None:
        return parsed
    return cells.when(raw)


@dataclass(frozen=True)
class OrderIn:
    """One work order, checked: what ``importer.load`` registers."""

    line: int  # 第N行 of the file, or the Nth order of a JSON post
    order_no: str
    received_at: dt.datetime
    text: str
    title: str = ""
    caller: str = ""
    phone: str = ""
    order_type: str = ""
    category: str = ""
    address: str = ""
    place: str = ""
    unit: str = ""
    time_limit: dt.datetime | None = None

    @property
    def kind(self) -> str:
        return KINDS.get(self.order_type.strip(), wf.Kind.PROBLEM).value


def read(line: int, values: dict[str, Any], label: dict[str, str]) -> tuple[OrderIn | None, list[tuple[int, str, str]]]:
    """One row (field → raw cell) as an OrderIn, or its errors (line, column as the file names it,
    message). ``label`` gives each field's column name in this file."""
    errors: list[tuple[int, str, str]] = []
    out: dict[str, Any] = {}

    def bad(key: str, message: str) -> None:
        errors.append((line, label.get(key, BY_KEY[key].label), message))

    for col in COLUMNS:
        raw = values.get(col.key)
        try:
            if col.key in ("received_at", "time_limit"):
                out[col.key] = _when(raw)
                if col.key == "time_limit" and out[col.key] is not None:
                    out[col.key] = cells.end_of_day(out[col.key])  # a date as deadline: the end of that day
            elif col.key in ("order_no", "phone"):
                if col.key == "phone":
                    cells.reject_long_number(raw)
                out[col.key] = cells.identifier(raw)
            else:
                out[col.key] = cells.text(raw) if col.key != "text" else str(raw or "").strip()
        except CellError as exc:
            bad(col.key, str(exc))
            continue
        if col.required and not out[col.key]:
            bad(col.key, "不能为空")
    limits = {"order_no": 64, "title": 200, "caller": 50, "address": 200, "unit": 100, "order_type": 20}
    for key, limit in limits.items():
        if len(out.get(key) or "") > limit:
            bad(key, f"不能超过 {limit} 个字")
    if out.get("phone"):
        try:
            out["phone"] = clean_phone(out["phone"])
        except PhoneError as exc:
            bad("phone", str(exc))
    if errors:
        return None, errors
    return OrderIn(line=line, **{k: v if v is not None else ("" if k != "time_limit" else None)
                                 for k, v in out.items()}), []
