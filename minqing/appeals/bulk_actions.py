"""Bulk actions on the workbench (批量交办/延期/催办/督办): one action on many selected cases.

Each case is done exactly as if done alone — the same service function (its permission check, its
state check, one AppealEvent and one audit entry), in its own transaction. A case that is refused does
not undo the others (docs/decisions/0028): the result lists what was done and, case by case, what
was refused and why, and says that the others were kept.

``extend`` approves the pending extension requests of the selected cases (批量批准延期): the workflow
keeps the rule that whoever asked for an extension does not approve it, so a leader extends in bulk
exactly the cases whose units asked; a case with no request is refused with the workflow's reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from minqing.regions import jurisdiction

from . import services
from .models import Appeal

MAX_CASES = 200  # one request; a larger selection is refused as a whole, before anything is done

LABELS: Mapping[str, str] = {"assign": "批量交办", "extend": "批量延期", "remind": "批量催办",
                             "supervise": "批量督办"}
# The form / API fields each bulk action takes, and the service it runs per case.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "assign": ("unit", "person", "measures", "due", "opinion"),
    "extend": ("days", "note"),
    "remind": ("note",),
    "supervise": ("note",),
}
REQUIRED: Mapping[str, tuple[str, ...]] = {"assign": ("unit", "person", "measures")}
SERVICES: Mapping[str, Callable[..., Appeal]] = {
    "assign": services.do_assign, "extend": services.do_approve_extension, "remind": services.do_remind,
    "supervise": services.do_supervise,
}
FIELD_LABELS = {"unit": "承办单位", "person": "责任人", "measures": "办理措施", "due": "办理期限",
                "opinion": "交办意见", "days": "批准天数", "note": "说明"}
NOT_FOUND = "诉求不存在或不在您的管辖范围内"


@dataclass(frozen=True)
class Outcome:
    appeal_id: int
    number: str
    title: str
    ok: bool
    message: str = ""  # why it was refused (Chinese)


@dataclass
class BulkResult:
    action: str
    done: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)

    @property
    def label(self) -> str:
        return LABELS[self.action]

    def summary(self) -> str:
        """One Chinese sentence: how many done, how many refused, and that the done ones stand."""
        text = f"{self.label}：共 {len(self.done) + len(self.refused)} 件，已办理 {len(self.done)} 件"
        if self.refused:
            text += f"，未办理 {len(self.refused)} 件（逐件检查，未办理的不影响已办理的）"
        return text + "。"

    def as_dict(self) -> dict[str, Any]:
        row = lambda o: {"id": o.appeal_id, "number": o.number, "title": o.title, "reason": o.message}  # noqa: E731
        return {"action": self.action, "label": self.label, "summary": self.summary(),
                "done": [row(o) for o in self.done], "refused": [row(o) for o in self.refused]}


def _message(exc: Exception) -> str:
    msgs = getattr(exc, "messages", None)
    return "；".join(str(m) for m in msgs) if msgs else (str(exc) or "不允许此操作")


def clean_params(action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the action, empty ones left out; a missing required one refuses the whole request
    (nothing is done: the same fields go to every case)."""
    if action not in SERVICES:
        raise ValidationError(f"未知的批量操作：{action}")
    data = {k: v for k, v in params.items() if k in FIELDS[action] and v not in (None, "")}
    missing = [FIELD_LABELS[k] for k in REQUIRED.get(action, ()) if k not in data]
    if missing:
        raise ValidationError(f"{LABELS[action]}缺少必填项：{'、'.join(missing)}")
    if "days" in data:
        data["days"] = services._int(data["days"], "批准天数")
    return data


def run(actor: Any, action: str, appeal_ids: Iterable[int | str], params: Mapping[str, Any],
        now: dt.datetime | None = None) -> BulkResult:
    """Do ``action`` on each case, each alone; raises ValidationError only when nothing can start
    (unknown action, a required field missing, no case or too many)."""
    data = clean_params(action, params)
    ids = list(dict.fromkeys(int(i) for i in appeal_ids if str(i).strip().isdigit()))
    if not ids:
        raise ValidationError("请先勾选要办理的诉求")
    if len(ids) > MAX_CASES:
        raise ValidationError(f"一次最多办理 {MAX_CASES} 件，已选 {len(ids)} 件")
    visible = {a.pk: a for a in jurisdiction.visible(actor, Appeal).filter(pk__in=ids)}
    result = BulkResult(action)
    fn = SERVICES[action]
    for pk in ids:
        appeal = visible.get(pk)
        if appeal is None:
            result.refused.append(Outcome(pk, "", "", False, NOT_FOUND))
            continue
        try:
            with transaction.atomic():  # this case alone: its event and audit entry, or nothing
                done = fn(appeal, actor=actor, now=now, **data)
        except (ValidationError, PermissionDenied) as exc:
            result.refused.append(Outcome(pk, appeal.number, appeal.title, False, _message(exc)))
        else:
            result.done.append(Outcome(pk, done.number, done.title, True))
    return result
