"""Every write of household checklists: defining them, answering them on a visit, and opening an
appeal from a failed item. Validated, in one transaction, with its audit event.

A version once answered is frozen: edits are refused and a new version is made instead, so the
answers given to the old one keep the questions and pass rules they were given under.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from minqing.accounts.admins import county_of
from minqing.appeals import services as appeal_services
from minqing.appeals.models import Appeal, Channel
from minqing.audit.log import record
from minqing.households.models import Household, Tag
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import (
    AnswerType,
    Checklist,
    ChecklistAnswer,
    ChecklistAppeal,
    ChecklistItem,
    ChecklistResponse,
    ChecklistVersion,
    Comparison,
)

OUT_OF_JURISDICTION = "不在您的管辖范围内"
FROZEN = "该版本已有走访作答，不能修改；请发布新版本"
YES = {"yes", "y", "true", "1", "是", "有", "达标"}
NO = {"no", "n", "false", "0", "否", "无", "未达标"}


# --- definitions ----------------------------------------------------------------------------


def _may_define(actor: Any, county: str) -> None:
    """County leaders (and the system, actor None) define the county's checklists."""
    if actor is None:
        return
    scope = jurisdiction.scope_of(actor)
    if county_of(actor) == county:  # the county's system administrator sets them up too
        return
    if not (scope.is_superuser or (scope.leads(county) and scope.sees_place(county))):
        raise PermissionDenied("只有县级领导可以设置走访清单")


def _decimal(value: Any, label: str) -> Decimal:
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为数字")
    try:
        out = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}应为数字") from exc
    if not out.is_finite() or abs(out) >= Decimal("1e12"):
        raise ValidationError(f"{label}超出范围")
    return out.quantize(Decimal("0.01"))


def clean_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Validate item definitions: code, label, answer_type and the pass rule of the type."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(items or (), start=1):
        if not isinstance(item, Mapping):
            raise ValidationError(f"第 {n} 项格式无效")
        code = str(item.get("code") or "").strip()
        label = str(item.get("label") or "").strip()
        if not code or not code.replace("_", "").replace("-", "").isalnum() or len(code) > 40:
            raise ValidationError(f"第 {n} 项：编码无效（字母、数字、下划线，至多 40 个字符）")
        if code in seen:
            raise ValidationError(f"第 {n} 项：编码“{code}”重复")
        seen.add(code)
        if not label or len(label) > 200:
            raise ValidationError(f"第 {n} 项：请填写问题（至多 200 字）")
        kind = item.get("answer_type")
        row: dict[str, Any] = {"code": code, "label": label, "answer_type": kind, "position": n,
                               "group": str(item.get("group") or "")[:40], "unit": str(item.get("unit") or "")[:20],
                               "pass_value": None, "comparison": "", "threshold": None, "choices": [],
                               "passing_choices": []}
        if kind == AnswerType.YES_NO:
            row["pass_value"] = bool(item.get("pass_value", True))
        elif kind == AnswerType.NUMBER:
            if item.get("threshold") is None:
                raise ValidationError(f"第 {n} 项：数字项须设达标线")
            row["threshold"] = _decimal(item["threshold"], f"第 {n} 项达标线")
            row["comparison"] = item.get("comparison") or Comparison.GTE
            if row["comparison"] not in Comparison.values:
                raise ValidationError(f"第 {n} 项：比较方式无效")
        elif kind == AnswerType.CHOICE:
            choices = [str(c).strip() for c in item.get("choices") or () if str(c).strip()]
            passing = [str(c).strip() for c in item.get("passing_choices") or ()]
            if len(choices) < 2 or len(set(choices)) != len(choices):
                raise ValidationError(f"第 {n} 项：选择项至少两个且不能重复")
            if not passing or not set(passing) <= set(choices):
                raise ValidationError(f"第 {n} 项：达标选项须在选项之中")
            row["choices"], row["passing_choices"] = choices, passing
        elif kind != AnswerType.NOTE:
            raise ValidationError(f"第 {n} 项：作答类型“{kind}”无效")
        out.append(row)
    if not out:
        raise ValidationError("清单至少要有一项")
    return out


def _tags(codes: Iterable[str]) -> list[str]:
    wanted = sorted({str(c).strip() for c in codes or () if str(c).strip()})
    unknown = sorted(set(wanted) - set(Tag.objects.filter(code__in=wanted).values_list("code", flat=True)))
    if unknown:
        raise ValidationError(f"未知的户标签：{'、'.join(unknown)}")
    return wanted


def _write_items(version: ChecklistVersion, rows: list[dict[str, Any]]) -> None:
    ChecklistItem.objects.bulk_create([ChecklistItem(version=version, region_id=version.region_id, **r)
                                       for r in rows])


@transaction.atomic
def create_checklist(*, actor: Any, county: Region | str, code: str, name: str, items: Iterable[Mapping[str, Any]],
                     tags: Iterable[str] = (), description: str = "", now: dt.datetime | None = None) -> Checklist:
    now = now or timezone.now()
    county_code = regioncode.normalize(getattr(county, "code", county))
    if regioncode.level_of(county_code) != regioncode.COUNTY:
        raise ValidationError("走访清单由县（区）设置")
    _may_define(actor, county_code)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("请填写清单名称（至多 100 字）")
    if Checklist.objects.filter(region_id=county_code, code=code).exists():
        raise ValidationError(f"清单编码“{code}”已存在")
    rows = clean_items(items)
    checklist = Checklist.objects.create(region_id=county_code, code=code, name=name, description=description,
                                         tags=_tags(tags), created_at=now)
    version = ChecklistVersion.objects.create(checklist=checklist, region_id=county_code, number=1,
                                              note="首版", created_at=now, created_by=_user(actor))
    _write_items(version, rows)
    record("checklist.created", actor=actor, obj=checklist, at=now,
           changes={"code": code, "name": name, "tags": checklist.tags, "items": [r["code"] for r in rows]})
    return checklist


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def current_version(checklist: Checklist) -> ChecklistVersion:
    return checklist.versions.order_by("-number").first()


def is_frozen(version: ChecklistVersion) -> bool:
    return ChecklistResponse.objects.filter(version=version).exists()


@transaction.atomic
def new_version(checklist: Checklist, *, actor: Any, items: Iterable[Mapping[str, Any]], note: str = "",
                now: dt.datetime | None = None) -> ChecklistVersion:
    """A new version with its own items; earlier versions and their answers stay as they were."""
    now = now or timezone.now()
    _may_define(actor, checklist.region_id)
    rows = clean_items(items)
    Checklist.objects.select_for_update().filter(pk=checklist.pk).first()
    number = (checklist.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    version = ChecklistVersion.objects.create(checklist=checklist, region_id=checklist.region_id, number=number,
                                              note=(note or "")[:300], created_at=now, created_by=_user(actor))
    _write_items(version, rows)
    record("checklist.version_created", actor=actor, obj=version, region_code=checklist.region_id, at=now,
           changes={"checklist": checklist.pk, "number": number, "items": [r["code"] for r in rows]})
    return version


@transaction.atomic
def replace_items(version: ChecklistVersion, *, actor: Any, items: Iterable[Mapping[str, Any]],
                  now: dt.datetime | None = None) -> ChecklistVersion:
    """Correct a version's items — only while nobody has answered it."""
    now = now or timezone.now()
    _may_define(actor, version.region_id)
    version = ChecklistVersion.objects.select_for_update().get(pk=version.pk)
    if is_frozen(version):
        raise ValidationError(FROZEN)
    rows = clean_items(items)
    ChecklistItem.objects.filter(version=version).delete()
    _write_items(version, rows)
    record("checklist.version_edited", actor=actor, obj=version, region_code=version.region_id, at=now,
           changes={"items": [r["code"] for r in rows]})
    return version


def applies_to(checklist: Checklist, household: Household) -> bool:
    if not regioncode.contains(checklist.region_id, household.region_id):
        return False
    if not checklist.tags:
        return True
    return household.tags.filter(code__in=checklist.tags).exists()


# --- answers --------------------------------------------------------------------------------


def judge(item: ChecklistItem, raw: Any) -> dict[str, Any]:
    """One answer's stored fields and whether it passes (ValidationError in Chinese if invalid)."""
    label = f"“{item.label}”"
    t = item.answer_type
    if t == AnswerType.YES_NO:
        if isinstance(raw, bool):
            value = raw
        elif isinstance(raw, int | str) and str(raw).strip().lower() in YES | NO:
            value = str(raw).strip().lower() in YES
        else:
            raise ValidationError(f"{label}应回答是或否")
        return {"value_bool": value, "passed": value == bool(item.pass_value)}
    if t == AnswerType.NUMBER:
        number = _decimal(raw, label)
        ok = number >= item.threshold if item.comparison != Comparison.LTE else number <= item.threshold
        return {"value_number": number, "passed": ok}
    text = str(raw).strip() if isinstance(raw, str | int | float) and not isinstance(raw, bool) else None
    if text is None:
        raise ValidationError(f"{label}的回答格式无效")
    if t == AnswerType.CHOICE:
        if text not in item.choices:
            raise ValidationError(f"{label}应从以下选项中选择：{'、'.join(item.choices)}")
        return {"value_text": text, "passed": text in item.passing_choices}
    if len(text) > 500:
        raise ValidationError(f"{label}不能超过 500 字")
    return {"value_text": text, "passed": None}


def _version_of(payload: Mapping[str, Any]) -> ChecklistVersion:
    raw = payload.get("version")
    if isinstance(raw, bool) or raw is None:
        raise ValidationError("清单须注明版本（version）")
    try:
        pk = int(raw)
    except (TypeError, ValueError) as exc:
        raise ValidationError("清单版本无效") from exc
    version = ChecklistVersion.objects.select_related("checklist").filter(pk=pk).first()
    if version is None or version.checklist.deleted_at is not None:
        raise ValidationError("清单版本不存在")
    return version


@transaction.atomic
def apply_visit_answers(visit: Any, checklist_payload: Any, *, actor: Any,
                        now: dt.datetime | None = None) -> ChecklistResponse:
    """Store the answers a visit carried: {"version": <ChecklistVersion id>, "answers": {code: value}}.

    The same visit and version again returns the first response unchanged (a resent record).
    Answers are kept on the version named — an old version stays answerable offline."""
    now = now or timezone.now()
    if not isinstance(checklist_payload, Mapping):
        raise ValidationError("清单内容（checklist）应为对象")
    version = _version_of(checklist_payload)
    existing = ChecklistResponse.objects.filter(visit=visit, version=version).first()
    if existing is not None:
        return existing
    if actor is not None:
        scope = jurisdiction.scope_of(actor)
        if not (scope.sees_place(visit.region_id) or visit.visitor_id == getattr(actor, "pk", None)):
            raise PermissionDenied(OUT_OF_JURISDICTION)
    household = visit.household
    if not applies_to(version.checklist, household):
        raise ValidationError(f"“{version.checklist.name}”不适用于该户")
    answers = checklist_payload.get("answers")
    if not isinstance(answers, Mapping) or not answers:
        raise ValidationError("清单至少要回答一项（answers）")
    items = {i.code: i for i in version.items.all()}
    unknown = sorted(str(k) for k in answers if k not in items)
    if unknown:
        raise ValidationError(f"清单第 {version.number} 版没有这些项：{'、'.join(unknown)}")
    judged = [(items[code], judge(items[code], raw)) for code, raw in answers.items() if raw is not None]
    if not judged:
        raise ValidationError("清单至少要回答一项（answers）")
    failed = [item.code for item, j in judged if j["passed"] is False]
    response = ChecklistResponse.objects.create(
        visit=visit, version=version, household=household, region_id=visit.region_id, answered_at=visit.visited_at,
        answered_by=visit.visitor, failed=len(failed), created_at=now)
    ChecklistAnswer.objects.bulk_create([
        ChecklistAnswer(response=response, item=item, household=household, region_id=visit.region_id,
                        answered_at=visit.visited_at, **j) for item, j in judged])
    record("checklist.answered", actor=actor, obj=response, at=now,
           changes={"visit": visit.pk, "household": household.pk, "version": version.pk,
                    "answered": sorted(i.code for i, _j in judged), "failed": sorted(failed)})
    return response


@transaction.atomic
def raise_item_appeal(answer: ChecklistAnswer, *, actor: Any, text: str = "",
                      now: dt.datetime | None = None) -> tuple[Appeal, bool]:
    """One step from a failed item to an appeal of the household (走访 channel), linked to the
    answer. Asked again, returns the appeal already opened. Returns (appeal, created)."""
    now = now or timezone.now()
    link = ChecklistAppeal.objects.select_related("appeal").filter(answer=answer).first()
    if link is not None:
        return link.appeal, False
    if answer.passed is not False:
        raise ValidationError("该项未判定为不达标，无需登记诉求")
    item = answer.item
    checklist = item.version.checklist
    household = answer.household
    village = Region.objects.get(code=answer.region_id)
    value = answer.value
    shown = ("是" if value else "否") if isinstance(value, bool) else str(value)
    body = (f"{village.name}{household.number}号户在{timezone.localtime(answer.answered_at):%Y-%m-%d}走访核查中，"
            f"“{checklist.name}”的“{item.label}”未达标（回答：{shown}{item.unit}）。")
    extra = (text or "").strip()
    if len(extra) > 4000:
        raise ValidationError("补充说明不能超过 4000 字")
    appeal = appeal_services.register_appeal(
        actor=actor, region=village, kind="problem", channel=Channel.VISIT,
        title=f"{checklist.name}：{item.label}未达标"[:200], text=body + (f"\n{extra}" if extra else ""),
        household=household, received_at=min(answer.answered_at, now), now=now)
    ChecklistAppeal.objects.create(answer=answer, appeal=appeal, region_id=answer.region_id, created_at=now)
    record("checklist.appeal_raised", actor=actor, obj=answer.response, at=now,
           changes={"answer": answer.pk, "item": item.code, "appeal": appeal.pk})
    return appeal, True
