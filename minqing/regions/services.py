"""Villages merge and split (撤并, 拆分): codes change, history stays.

A merged village is kept, marked abolished with its successor; its households, residents and
groups move to the successor by one recorded event per moved household, so every household's
timeline shows where it came from. Appeals and other records that point at the old code keep
it: they happened there, and the old code still lies inside the same township's range."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.households.models import Household, Resident
from minqing.lib import regioncode

from .models import Level, Region, VillageGroup


@transaction.atomic
def merge_village(old: Region, into: Region, *, actor, on: dt.date, reason: str) -> int:
    """Move everything of `old` into `into` and abolish `old`; returns the households moved."""
    if old.level != Level.VILLAGE or into.level != Level.VILLAGE:
        raise ValidationError("只能合并村（社区）")
    if old.pk == into.pk or not old.is_active or not into.is_active:
        raise ValidationError("合并的两个村必须不同且都在用")
    if not reason.strip():
        raise ValidationError("撤并必须说明依据（文件名、文号）")
    now = timezone.now()
    offset = VillageGroup.objects.filter(region=into).count()
    for g in VillageGroup.objects.filter(region=old).order_by("number"):
        VillageGroup.objects.filter(pk=g.pk).update(region=into, number=offset + g.number,
                                                    name=f"{old.name}{g.name}")
    moved = 0
    taken = set(Household.objects.filter(region=into).values_list("number", flat=True))
    for h in Household.objects.filter(region=old).order_by("id"):
        number = h.number if h.number not in taken else f"{regioncode.normalize(old.code)[-3:]}-{h.number}"
        taken.add(number)
        Household.objects.filter(pk=h.pk).update(region=into, number=number, updated_at=now,
                                                 version=h.version + 1)
        record("household.moved", actor=actor, obj=h, region_code=into.code, at=now,
               changes={"region_id": [old.code, into.code], "number": [h.number, number]}, reason=reason)
        moved += 1
    Resident.objects.filter(region=old).update(region=into)
    Region.objects.filter(pk=old.pk).update(is_active=False, abolished_on=on, successor=into)
    record("region.merged", actor=actor, object_type="regions.region", object_id=old.code,
           region_code=into.code, changes={"into": into.code, "households": moved, "on": on}, reason=reason,
           at=now)
    return moved


@transaction.atomic
def split_village(old: Region, parts: dict[str, str], assignment: dict[int, str], *, actor, on: dt.date,
                  reason: str) -> list[Region]:
    """Split `old` into new villages {code: name}; `assignment` maps household id → new code
    (every household of `old` must be assigned). `old` is abolished; its successor is the first part."""
    if old.level != Level.VILLAGE or not old.is_active:
        raise ValidationError("只能拆分在用的村（社区）")
    township = regioncode.parent_code(old.code)
    created = []
    for code, name in parts.items():
        full = regioncode.normalize(code)
        if regioncode.parent_code(full) != township or Region.objects.filter(code=full).exists():
            raise ValidationError(f"新村代码 {code} 无效或已被使用")
        created.append(Region.objects.create(code=full, name=name, level=Level.VILLAGE, parent_id=township))
    households = list(Household.objects.filter(region=old).order_by("id"))
    missing = [h.pk for h in households if h.pk not in assignment]
    if missing:
        raise ValidationError(f"还有 {len(missing)} 户未指定归属的新村")
    now = timezone.now()
    for h in households:
        target = regioncode.normalize(assignment[h.pk])
        if target not in {r.code for r in created}:
            raise ValidationError(f"户 {h.pk} 指定的新村 {target} 不在拆分方案中")
        Household.objects.filter(pk=h.pk).update(region_id=target, group=None, updated_at=now,
                                                 version=h.version + 1)
        Resident.objects.filter(household_id=h.pk).update(region_id=target)
        record("household.moved", actor=actor, obj=h, region_code=target, at=now,
               changes={"region_id": [old.code, target]}, reason=reason)
    Region.objects.filter(pk=old.pk).update(is_active=False, abolished_on=on, successor=created[0])
    record("region.split", actor=actor, object_type="regions.region", object_id=old.code, region_code=old.code,
           changes={"into": [r.code for r in created], "households": len(households), "on": on},
           reason=reason, at=now)
    return created
