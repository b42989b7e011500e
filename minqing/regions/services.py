"""Villages merge and split (撤并, 拆分): codes change, history stays.

A merged village is kept, marked abolished with its successor; its groups move to the successor,
and its households and residents by one recorded event per moved household, so every household's
timeline shows where it came from. Appeals and other records that point at the old code keep
it: they happened there, and the old code still lies inside the same township's range.

The households' part sits above regions: it registers how its records move with a village
(`register_movers`, in its AppConfig.ready()) instead of regions importing it
(docs/decisions/0044-core-layering.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.lib import regioncode

from .models import Level, Region, VillageGroup


@dataclass(frozen=True)
class Movers:
    """How one part's records follow a village that changes; each answers how many records it moved.
    merge(old, into, *, actor, at, reason); split(old, new_codes, assignment, *, actor, at, reason) —
    assignment maps a record id → a new village code; split refuses (ValidationError) a record left
    unassigned or sent to a village not in the plan."""

    merge: Callable[..., int]
    split: Callable[..., int]


_movers: dict[str, Movers] = {}


def register_movers(name: str, movers: Movers) -> None:
    """A part whose records belong to a village (households) moves them when the village changes; the
    count each moved goes into the region event's changes under `name`."""
    _movers[name] = movers


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
    moved = {name: m.merge(old, into, actor=actor, at=now, reason=reason) for name, m in _movers.items()}
    Region.objects.filter(pk=old.pk).update(is_active=False, abolished_on=on, successor=into)
    record("region.merged", actor=actor, object_type="regions.region", object_id=old.code,
           region_code=into.code, changes={"into": into.code, **moved, "on": on}, reason=reason,
           at=now)
    return moved.get("households", 0)


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
    now = timezone.now()
    codes = [r.code for r in created]
    moved = {name: m.split(old, codes, assignment, actor=actor, at=now, reason=reason)
             for name, m in _movers.items()}
    Region.objects.filter(pk=old.pk).update(is_active=False, abolished_on=on, successor=created[0])
    record("region.split", actor=actor, object_type="regions.region", object_id=old.code, region_code=old.code,
           changes={"into": codes, **moved, "on": on}, reason=reason, at=now)
    return created
