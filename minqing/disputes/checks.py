"""The small checks and helpers every dispute step shares: the clock and the locks, the audit event,
the post's right to the step, and the parsing of what a mediator typed (Chinese errors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date

from minqing.accounts.models import User
from minqing.appeals import access
from minqing.appeals import services as appeals
from minqing.appeals import workflow as wf
from minqing.appeals.categories import seed_categories
from minqing.appeals.models import Appeal, Category
from minqing.audit.log import record
from minqing.lib.logfilter import scrub
from minqing.lib.workdays import TZ
from minqing.regions import jurisdiction

from .models import Dispute, DisputeKind

RISK_FLAGS = ("petition", "group", "violence")
FAMILY_CATEGORY_CODE = "S06.04"  # 婚姻家庭 in appeals/categories.py


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _locked(dispute: Dispute, now: dt.datetime | None) -> tuple[Dispute, dt.datetime]:
    """Lock the appeal, then the dispute (the order of every appeal service and its hooks, so a
    mediator's step and an appeal action at once cannot deadlock), then read the clock: a step
    that waited is not refused as earlier than the one it waited for."""
    Appeal.objects.select_for_update().filter(pk=dispute.appeal_id).values_list("pk", flat=True).first()
    return Dispute.objects.select_for_update().get(pk=dispute.pk), _now(now)


def _user(actor: Any) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _audit(action: str, dispute: Dispute, actor: Any, changes: Mapping[str, Any], at: dt.datetime,
           reason: str = "") -> None:
    record(f"dispute.{action}", actor=actor, object_type="disputes.dispute", object_id=dispute.pk,
           region_code=dispute.appeal.region_id, changes=dict(changes), reason=scrub(reason), at=at)


def _may(actor: Any, appeal: Appeal, action: str) -> None:
    """The post must allow the appeal action this step stands for (see access.may_act)."""
    if actor is None:
        return
    if not access.may_act(jurisdiction.scope_of(actor), appeal, action):
        raise PermissionDenied(f"您的岗位不能对该纠纷执行“{wf.ACTIONS[action].label}”")


def _status(appeal: Appeal) -> wf.Status:
    return wf.Status(appeal.status)


def _text(value: Any, label: str, *, required: bool = True, limit: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError(f"请填写{label}")
    if limit is not None and len(text) > limit:
        raise ValidationError(f"{label}不能超过{limit}个字")
    return text


def _choice(value: Any, choices: Iterable[str], label: str) -> str:
    if value not in set(choices):
        raise ValidationError(f"{label}“{value}”无效")
    return str(value)


def _date(value: Any, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ).date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value)) if value not in (None, "") else None
    if parsed is None:
        raise ValidationError(f"{label}格式无效，应为日期（如 2025-03-01）")
    return parsed


def _moment(value: Any, label: str, default: dt.datetime) -> dt.datetime:
    if value in (None, ""):
        return default
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, TZ)
    try:
        return appeals._aware(value, label)
    except ValidationError:
        raise ValidationError(f"{label}格式无效") from None


def _flags(risks: Iterable[str] | None) -> dict[str, bool]:
    chosen = set(risks or ())
    unknown = chosen - set(RISK_FLAGS)
    if unknown:
        raise ValidationError(f"风险类型无效：{'、'.join(sorted(unknown))}（可选 petition、group、violence）")
    return {f"risk_{name}": name in chosen for name in RISK_FLAGS}


def kind_by_code(code: Any) -> DisputeKind:
    kind = DisputeKind.objects.filter(is_active=True).filter(
        **({"pk": int(code)} if str(code).isdigit() else {"code": str(code)})).first()
    if kind is None:
        raise ValidationError(f"纠纷类型“{code}”不存在")
    return kind


def _category(kind: DisputeKind, family: bool) -> Category | None:
    """The appeals category the appeal is filed under: family → 婚姻家庭 (the family rule)."""
    code = FAMILY_CATEGORY_CODE if family else kind.category_code
    if not code:
        return None
    found = Category.objects.filter(code=code).first()
    if found is None:  # a fresh county: the seeds' categories are created on first use
        found = seed_categories(None).get(code)
    return found
