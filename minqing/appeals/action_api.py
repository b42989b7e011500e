"""One API route per workflow action, each with its own body schema, so OpenAPI tells an integrator
exactly which fields each action needs. The schemas are built from the service functions' keyword
parameters (services.ACTION_FUNCTIONS — what ``services.perform`` accepts), typed by FIELDS below.

No ``from __future__ import annotations`` here: django-ninja reads the body annotation of each
generated view, which must be the class itself, not a string naming a local variable.
"""

import inspect
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Router, Schema
from pydantic import conint, create_model

from . import queries, services
from . import workflow as wf

_SMALL = {"ge": 1, "le": 3650}  # days: an over-long integer is a 422, never a database error
_ID = {"ge": 1, "le": 2**31 - 1}

# field → (type, pydantic Field keywords); descriptions are the workflow's Chinese field names.
FIELDS: dict[str, tuple[Any, dict[str, Any]]] = {
    "decision": (Literal["solve_on_spot", "assign", "explain", "escalate"], {}),
    "opinion": (str, {"max_length": 4000}),
    "what": (str, {"max_length": 4000}),
    "satisfaction": (Literal[tuple(s.value for s in wf.Satisfaction)], {}),
    "unit": (int, _ID),
    "person": (int | str, {"description": "账号 id 或姓名"}),
    "measures": (str, {"max_length": 4000}),
    "due": (str, {"description": "日期或日期时间（ISO 8601）", "max_length": 40}),
    "text": (str, {"max_length": 4000}),
    "reason": (str, {"max_length": 4000}),
    "note": (str, {"max_length": 4000}),
    "cost": (Decimal, {"ge": 0, "max_digits": 12, "decimal_places": 2, "description": "金额（元）"}),
    "fund_source": (str, {"max_length": 100}),
    "evidence": (str, {"max_length": 4000}),
    "leader": (int, {**_ID, "description": "督办领导账号 id（缺省为本人）"}),
    "level": (Literal[tuple(lv.value for lv in wf.Level)], {}),
    "days": (int, _SMALL),
    "result": (str, {"max_length": 4000}),
    "passed": (bool, {}),
    "method": (str, {"max_length": 50}),
    "reopen": (bool, {}),
    "cadre_rating": (Literal[tuple(s.value for s in wf.Satisfaction)],
                     {"description": "群众对承办干部的评价（群众评议，五级，可不填）"}),
    "outcome": (Literal["solved", "unsolved"], {}),
    "told": (Literal[services.TOLD_METHODS], {"description": "已告知群众办理结果的方式（不填：待通知发出后记录）"}),
    "target": (int | str, {"description": "目标诉求 id 或编号"}),
    "persons": (list[str], {}),
    "body": (str, {"max_length": 200}),
    "part": (str, {"max_length": 4000}),
    "co_units": (list[conint(ge=1, le=2**31 - 1)], {"max_length": 20, "description": "协办单位 id 列表"}),
    "reply": (str, {"max_length": 4000}),
    "returned_unit": (int, {**_ID, "description": "缺省为唯一待审核的退单"}),
}
# Where one action gives a field a narrower meaning than the others.
OVERRIDES: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {
    ("close", "reason"): (Literal[tuple(r.value for r in wf.CloseReason)], {"description": "未回访即办结的原因"}),
    ("return", "unit"): (int, {**_ID, "description": "退回自己那部分的协办单位 id（缺省：本人所在单位）"}),
    ("co_reply", "unit"): (int, {**_ID, "description": "协办单位 id（缺省：本人所在的协办单位）"}),
    ("approve_return", "unit"): (int, {**_ID, "description": "改派到的单位 id"}),
}
# review with decision=assign (or solve_on_spot …) carries that decision's own fields.
REVIEW_EXTRA = ("what", "satisfaction", "unit", "person", "measures", "due", "text", "reason")
_SKIP = ("appeal", "actor", "now", "files")  # files: POST …/attachments


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


def fields_of(action: str) -> tuple[list[str], list[str]]:
    """(required, optional) body fields of an action, as its service function takes them."""
    params = inspect.signature(services.ACTION_FUNCTIONS[action]).parameters.values()
    required = [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.name not in _SKIP
                and p.default is inspect.Parameter.empty]
    optional = [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.name not in _SKIP
                and p.default is not inspect.Parameter.empty]
    if action == "review":
        optional += [f for f in REVIEW_EXTRA if f not in required + optional]
    return required, optional


def body_schema(action: str) -> type[Schema]:
    required, optional = fields_of(action)
    defs: dict[str, Any] = {}
    for name in required + optional:
        kind, extra = OVERRIDES.get((action, name), FIELDS[name])
        label = wf.FIELD_LABELS.get(name, name)
        extra = {"description": label, **extra} if "description" not in extra else {
            **extra, "description": f"{label}：{extra['description']}"}
        defs[name] = (kind, Field(..., **extra)) if name in required else (kind | None, Field(None, **extra))
    spec = wf.ACTIONS[action]
    model = create_model(f"Appeal{_camel(action)}In", __base__=Schema, **defs)
    model.__doc__ = f"{spec.label}（{action}）"
    return model


def _route(router: Router, action: str, response: type[Schema], answer: Callable[[Any, int], Any]) -> None:
    schema = body_schema(action)

    def act(request, appeal_id: int, body: schema):  # type: ignore[valid-type]
        a = queries.appeal_detail(request.user, appeal_id)
        services.perform(a, action, actor=request.user, payload=body.model_dump(exclude_none=True))
        return answer(request.user, appeal_id)

    spec = wf.ACTIONS[action]
    router.post(f"/{{int:appeal_id}}/actions/{action}", response=response, url_name="act",
                operation_id=f"appeal_{action}", summary=f"{spec.label}（{action}）",
                description=f"执行工作流操作“{spec.label}”；当前状态不允许时答 422（中文说明）。")(act)


def mount(router: Router, response: type[Schema], answer: Callable[[Any, int], Any]) -> None:
    """One POST /{appeal_id}/actions/<name> per action; ``answer(user, appeal_id)`` is the reply."""
    for action in services.ACTION_FUNCTIONS:
        _route(router, action, response, answer)
