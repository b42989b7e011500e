"""Pydantic's validation errors in Chinese: which field (by its Chinese name) and what is wrong.

Ninja answers a wrong type or a missing field with pydantic's English list; a cadre's phone or a
county system integrating with the API gets instead one Chinese sentence per field, e.g.
"标题：太长（最多 200 个字）", plus the same as a list with the field's path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Field names the API takes, in Chinese; an unknown name is shown as it is.
FIELD_NAMES = {
    "title": "标题", "text": "内容", "note": "备注", "region": "区划", "kind": "类型", "kinds": "类型",
    "channel": "来源渠道", "category": "类别", "urgency": "紧急程度", "household": "户", "resident": "群众",
    "reporter_name": "反映人姓名", "phone": "电话", "anonymous": "是否匿名", "client_id": "记录编号",
    "received_at": "受理时间", "visited_at": "走访时间", "held_at": "活动时间", "limit": "每页条数",
    "offset": "起始位置", "page": "页码", "q": "检索词", "reason": "理由", "field": "字段", "status": "状态",
    "unit": "单位", "units": "单位", "due_at": "办理期限", "what": "办理情况", "satisfaction": "满意度",
    "version": "版本", "base_version": "所依据的版本", "period": "期间", "from": "开始日期", "to": "结束日期",
    "date_from": "开始日期", "date_to": "结束日期", "username": "用户名", "password": "密码", "code": "编码",
    "name": "名称", "address": "地址", "id_number": "身份证号", "birth_date": "出生日期", "gender": "性别",
    "relation": "与户主关系", "enterprise": "企业", "raised": "企业反映", "appeals": "诉求", "device": "设备",
    "records": "记录", "parties": "当事人", "body": "请求内容", "payload": "请求内容", "action": "操作",
    "comment": "意见", "answers": "答案", "tags": "标签", "group": "分组", "number": "编号",
}

# pydantic error type → what is wrong ({…} filled from the error's ctx).
WHAT = {
    "missing": "必填",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "decimal_parsing": "应为数字", "decimal_type": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文字", "string_unicode": "应为文字",
    "string_too_long": "太长（最多 {max_length} 个字）", "string_too_short": "太短（至少 {min_length} 个字）",
    "too_long": "项数太多（最多 {max_length} 项）", "too_short": "项数太少（至少 {min_length} 项）",
    "greater_than_equal": "不能小于 {ge}", "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}", "less_than": "应小于 {lt}",
    "list_type": "应为列表", "tuple_type": "应为列表", "set_type": "应为列表",
    "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "datetime_parsing": "应为日期时间（如 2025-03-05T10:00:00+08:00）", "datetime_type": "应为日期时间",
    "datetime_from_date_parsing": "应为日期时间（如 2025-03-05T10:00:00+08:00）",
    "date_parsing": "应为日期（如 2025-03-05）", "date_type": "应为日期", "date_from_datetime_parsing": "应为日期",
    "date_from_datetime_inexact": "应为日期（不含时刻）", "time_parsing": "应为时刻（如 09:30）",
    "enum": "应为以下之一：{expected}", "literal_error": "应为以下之一：{expected}",
    "json_invalid": "不是有效的 JSON", "json_type": "不是有效的 JSON",
    "uuid_parsing": "应为 UUID", "uuid_type": "应为 UUID", "url_parsing": "应为网址",
    "extra_forbidden": "不是可用的字段", "frozen_field": "不可修改",
}


def field_label(loc: Iterable[Any]) -> str:
    """The field's Chinese name, with list positions as 第 n 项 (the body/query prefix dropped)."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"第 {item + 1} 项")
        elif item not in ("body", "query", "path", "form", "header", "cookie", "file"):
            parts.append(FIELD_NAMES.get(str(item), str(item)))
    return "·".join(parts) or "请求内容"


def what_is_wrong(error: Mapping[str, Any]) -> str:
    template = WHAT.get(error.get("type", ""))
    if template is None:
        msg = str(error.get("msg") or "")
        # value errors raised by our own validators are Chinese already; anything else is named generally
        return msg.removeprefix("Value error, ") if any("\u4e00" <= c <= "\u9fff" for c in msg) else "格式不正确"
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("（：")


def describe(errors: Iterable[Mapping[str, Any]]) -> tuple[str, list[dict[str, str]]]:
    """One Chinese sentence for all the errors, and each as {"field", "message"}."""
    items = [{"field": field_label(e.get("loc") or ()), "message": what_is_wrong(e)} for e in errors]
    return "；".join(f"{i['field']}：{i['message']}" for i in items), items
