"""POST /api/v1/appeals/bulk/{assign|extend|remind|supervise}: one action on many cases (bulk_actions.py).

One schema per action. The answer is 200 with, per case, done or refused and why (each case is checked
as if done alone; a refused case does not undo the others); 422 only when nothing could start
(a required field missing, no case, too many).

No ``from __future__ import annotations``: django-ninja reads each route's body annotation at run time."""

from typing import Any

from ninja import Field, Router, Schema

from . import bulk_actions

_IDS = Field(..., min_length=1, max_length=bulk_actions.MAX_CASES, description="诉求 id 列表")


class AppealBulkAssignIn(Schema):
    """批量交办（assign）：同一承办单位、责任人与措施。"""

    ids: list[int] = _IDS
    unit: int = Field(..., description="承办单位 id")
    person: str = Field(..., max_length=50, description="责任人（用户 id 或姓名）")
    measures: str = Field(..., max_length=2000, description="办理措施")
    due: str | None = Field(None, max_length=40,
                             description="办理期限：日期（视为当日 23:59:59）或日期时间；空则按县规则")
    opinion: str | None = Field(None, max_length=2000, description="交办意见")


class AppealBulkExtendIn(Schema):
    """批量延期（extend）：批准所选诉求中待审批的延期申请，按工作日顺延。"""

    ids: list[int] = _IDS
    days: int | None = Field(None, ge=1, le=365, description="批准天数（工作日；空则按申请天数）")
    note: str | None = Field(None, max_length=2000, description="说明")


class AppealBulkRemindIn(Schema):
    """批量催办（remind）。"""

    ids: list[int] = _IDS
    note: str | None = Field(None, max_length=2000, description="催办说明")


class AppealBulkSuperviseIn(Schema):
    """批量督办（supervise）：本人为督办领导。"""

    ids: list[int] = _IDS
    note: str | None = Field(None, max_length=2000, description="督办说明")


class AppealBulkCaseOut(Schema):
    id: int
    number: str
    title: str
    reason: str = Field(description="未办理的原因（中文）；已办理的为空")


class AppealBulkOut(Schema):
    action: str
    label: str
    summary: str
    done: list[AppealBulkCaseOut]
    refused: list[AppealBulkCaseOut]


SCHEMAS: dict[str, type[Schema]] = {"assign": AppealBulkAssignIn, "extend": AppealBulkExtendIn,
                                    "remind": AppealBulkRemindIn, "supervise": AppealBulkSuperviseIn}


def _route(router: Router, action: str) -> None:
    schema = SCHEMAS[action]

    def bulk(request, body: schema) -> dict[str, Any]:  # type: ignore[valid-type]
        data = body.model_dump(exclude_none=True)
        ids = data.pop("ids")
        return bulk_actions.run(request.user, action, ids, data).as_dict()

    router.post(f"/bulk/{action}", response=AppealBulkOut, url_name=f"bulk_{action}",
                operation_id=f"appeal_bulk_{action}", summary=f"{bulk_actions.LABELS[action]}（{action}）",
                description="逐件按单独办理时的权限与状态检查；每件一条流转记录和一条审计记录；"
                            "未办理的逐件列出原因，不影响已办理的。")(bulk)


def mount(router: Router) -> None:
    for action in SCHEMAS:
        _route(router, action)
