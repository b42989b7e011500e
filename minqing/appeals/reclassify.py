"""A case's kind and sensitivity after intake: corrected by whoever decides the case under its
current sensitivity, and kept by a merge.

- `reclassify`: 更正类型/敏感级别, with a reason, one audited step. Whoever may triage the case as
  it stands may change it (a village cadre may protect an ordinary case as 举报; only the 纪委
  covering a 举报 may return it to ordinary, only its mediators or leaders a family case), so a
  correction never lets someone reach what they could not decide before.
- `stricter` / `guard_merge`: a merge keeps the stricter sensitivity of the two, moves the persons
  a 举报 names, and is refused when the actor cannot decide both cases (another place, another
  sensitivity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from minqing.accounts.models import User
from minqing.audit.log import record
from minqing.regions import jurisdiction

from . import access, rollup_store
from . import workflow as wf
from .models import Appeal, AppealEvent, Sensitivity

RANK = {Sensitivity.NORMAL: 0, Sensitivity.FAMILY: 1, Sensitivity.MISCONDUCT: 2}


def stricter(a: str, b: str) -> str:
    """举报 over family dispute over ordinary: the narrower audience wins."""
    return a if RANK.get(a, 0) >= RANK.get(b, 0) else b


def _may_decide(actor: Any, appeal: Appeal) -> bool:
    return actor is None or access.may_act(jurisdiction.scope_of(actor), appeal, "review")


def guard_merge(actor: Any, source: Appeal, target: Appeal) -> None:
    """Both cases visible to the actor and both theirs to decide, else the merge is refused."""
    if actor is None:
        return
    seen = jurisdiction.visible(actor, Appeal).filter(pk__in=[source.pk, target.pk]).count()
    if seen != 2:
        raise ValidationError("合并目标不存在或不在您的管辖范围内")
    if not (_may_decide(actor, source) and _may_decide(actor, target)):
        raise PermissionDenied("您的岗位不能决定其中一件诉求，不能跨地区或跨敏感级别合并")


def after_merge(source: Appeal, target: Appeal) -> str:
    """The target keeps the stricter sensitivity and every person the source's 举报 names."""
    strict = stricter(source.sensitivity, target.sensitivity)
    if strict != target.sensitivity:
        Appeal.objects.filter(pk=target.pk).update(sensitivity=strict)
    named = list(source.reported_users.values_list("pk", flat=True))
    if named:
        target.reported_users.add(*named)
    return strict


def _kind(value: str | None, current: str) -> str:
    if value in (None, ""):
        return current
    if value not in {k.value for k in wf.Kind}:
        raise ValidationError(f"诉求类型“{value}”无效")
    return value


def _sensitivity(value: str | None, kind: str, appeal: Appeal) -> str:
    if kind == wf.Kind.MISCONDUCT:
        if value not in (None, "", Sensitivity.MISCONDUCT):
            raise ValidationError("举报只能是“举报”敏感级别")
        return Sensitivity.MISCONDUCT
    if value in (None, ""):
        if appeal.kind == wf.Kind.MISCONDUCT:  # no longer a 举报: back to what its kind and category say
            from .services import sensitivity_of

            return sensitivity_of(kind, appeal.category)
        return appeal.sensitivity
    if value not in Sensitivity.values:
        raise ValidationError(f"敏感级别“{value}”无效")
    if value == Sensitivity.MISCONDUCT:
        raise ValidationError("只有举报类诉求才能设为“举报”级别，请同时把类型改为举报")
    return value


@transaction.atomic
def reclassify(appeal: Appeal, *, actor: Any, reason: str, kind: str | None = None,
               sensitivity: str | None = None, named: Iterable[int] = (),
               now: dt.datetime | None = None) -> Appeal:
    """更正诉求类型与敏感级别 (and the persons a 举报 names), one audited step with a reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("更正类型须写明理由")
    row = Appeal.objects.select_for_update().get(pk=appeal.pk)
    rollup_store.watch(row.pk)
    if actor is not None and not jurisdiction.visible(actor, Appeal).filter(pk=row.pk).exists():
        raise ValidationError("诉求不存在或不在您的管辖范围内")
    if not _may_decide(actor, row):
        raise PermissionDenied("您的岗位不能更正该诉求的类型")
    new_kind = _kind(kind, row.kind)
    new_sensitivity = _sensitivity(sensitivity, new_kind, row)
    named_ids = sorted({int(x) for x in named})
    if named_ids and User.objects.filter(pk__in=named_ids).count() != len(named_ids):
        raise ValidationError("被举报人不存在")
    added = sorted(set(named_ids) - set(row.reported_users.values_list("pk", flat=True)))
    changes: dict[str, Any] = {}
    if new_kind != row.kind:
        changes["kind"] = [row.kind, new_kind]
    if new_sensitivity != row.sensitivity:
        changes["sensitivity"] = [row.sensitivity, new_sensitivity]
    if added:
        changes["reported_users"] = added
    if not changes:
        raise ValidationError("类型与敏感级别没有变化")
    state = dict(row.state or {})
    if "kind" in state:
        state["kind"] = new_kind
    Appeal.objects.filter(pk=row.pk).update(kind=new_kind, sensitivity=new_sensitivity, state=state,
                                            version=F("version") + 1, updated_at=now)
    if added:
        row.reported_users.add(*added)
    AppealEvent.objects.create(appeal=row, region_id=row.region_id, action="reclassified", from_status=row.status,
                               to_status=row.status, level=row.level, at=now, actor_id=getattr(actor, "pk", None),
                               payload=changes, reason=reason)
    record("appeal.reclassified", actor=actor, obj=row, changes=changes, reason=reason, at=now)
    rollup_store.settle(row.pk)  # 举报 counts only in the 纪委's figures
    row.refresh_from_db()
    return row
