"""What a county set up only in the Django admin before: its kinds of dispute (矛盾纠纷类别), its
村民小组 outside the roster import, and the names of its divisions. One atomic function per change,
each with its audit event; nothing is deleted (a dispute kind is deactivated, a group or division
keeps its records and is renamed)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minqing.accounts.admins import check_county
from minqing.audit.log import diff, record
from minqing.disputes.models import DisputeKind
from minqing.regions.models import Level, Region, VillageGroup

from .rules import _admin, _state

KIND_FIELDS = ("code", "name", "category_code", "family", "order", "is_active")
CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


@transaction.atomic
def save_dispute_kind(kind: DisputeKind | None, *, actor, code: str, name: str, category_code: str = "",
                      family: bool = False, order: int = 0, reason: str = "", ip: str | None = None) -> DisputeKind:
    """Create (kind None) or edit a kind of dispute. Its code is fixed once made: disputes refer to it."""
    county = _admin(actor)
    name, code = (name or "").strip(), (code or "").strip()
    if not name:
        raise ValidationError("请填写类别名称")
    if kind is None:
        if not CODE.match(code):
            raise ValidationError("代码只能用小写字母、数字和下划线，以字母开头，至多 30 位")
        if DisputeKind.objects.filter(code=code).exists():
            raise ValidationError("这个代码已被使用")
    before = _state(kind, KIND_FIELDS) if kind else {}
    if kind is None:
        kind = DisputeKind(code=code)
    kind.name, kind.category_code = name[:40], (category_code or "").strip()[:40]
    kind.family, kind.order = bool(family), max(0, int(order or 0))
    kind.save()
    record("dispute_kind.saved" if before else "dispute_kind.created", actor=actor, obj=kind, region_code=county,
           changes=diff(before, _state(kind, KIND_FIELDS)), reason=reason, ip=ip)
    return kind


@transaction.atomic
def set_dispute_kind_active(kind: DisputeKind, *, actor, active: bool, reason: str = "",
                            ip: str | None = None) -> DisputeKind:
    """停用 a kind: new disputes cannot choose it; registered ones keep it."""
    county = _admin(actor)
    before = _state(kind, KIND_FIELDS)
    kind.is_active = active
    kind.save(update_fields=["is_active"])
    record("dispute_kind.reactivated" if active else "dispute_kind.deactivated", actor=actor, obj=kind,
           region_code=county, changes=diff(before, _state(kind, KIND_FIELDS)), reason=reason, ip=ip)
    return kind


@transaction.atomic
def save_village_group(group: VillageGroup | None, *, actor, name: str, village: Region | None = None,
                       number: int | None = None, reason: str = "", ip: str | None = None) -> VillageGroup:
    """Create a 村民小组 in a village of the actor's county, or rename one (its number stays: the
    households' records and the roster import match groups by village and number)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写小组名称")
    if group is None:
        if village is None or village.level != Level.VILLAGE or not village.is_active:
            raise ValidationError("请选择一个现有的村（社区）")
        check_county(actor, village.code)
        if not number or number < 1:
            raise ValidationError("请填写小组序号（从 1 开始）")
        if VillageGroup.objects.filter(region=village, number=number).exists():
            raise ValidationError(f"{village.name}已有第 {number} 组")
        group = VillageGroup.objects.create(region=village, number=number, name=name[:50])
        record("village_group.created", actor=actor, obj=group, region_code=village.code,
               changes={"number": number, "name": group.name}, reason=reason, ip=ip)
        return group
    check_county(actor, group.region_id)
    before = group.name
    group.name = name[:50]
    group.save(update_fields=["name"])
    record("village_group.renamed", actor=actor, obj=group, region_code=group.region_id,
           changes={"name": [before, group.name]}, reason=reason, ip=ip)
    return group


@transaction.atomic
def rename_region(region: Region, *, actor, name: str, reason: str, ip: str | None = None) -> Region:
    """Rename a township or village (e.g. 乡 becomes 镇). Its code, records and history stay."""
    check_county(actor, region.code)
    name, reason = (name or "").strip(), (reason or "").strip()
    if not name:
        raise ValidationError("请填写名称")
    if not reason:
        raise ValidationError("请填写更名的理由或文件")
    if region.level <= Level.COUNTY:
        raise ValidationError("只能更改本县乡镇和村（社区）的名称")
    before: dict[str, Any] = {"name": region.name}
    region.name = name[:100]
    region.save(update_fields=["name"])
    record("region.renamed", actor=actor, obj=region, region_code=region.code,
           changes=diff(before, {"name": region.name}), reason=reason, ip=ip)
    return region
