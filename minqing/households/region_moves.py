"""Households and residents follow their village when it merges or splits (撤并, 拆分).

Registered into regions in this part's AppConfig.ready() (`regions.services.register_movers`):
regions changes the places, this part moves what it holds, one recorded event per moved household
(docs/decisions/0044-core-layering.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from minqing.audit.log import record
from minqing.lib import regioncode

from .models import Household, Resident


@transaction.atomic
def merge_into(old: Any, into: Any, *, actor: Any, at: dt.datetime, reason: str) -> int:
    """Move the households and residents of village `old` into `into`; a household number already
    used there is prefixed with the old village's code. Returns the households moved."""
    moved = 0
    taken = set(Household.objects.filter(region=into).values_list("number", flat=True))
    for h in Household.objects.filter(region=old).order_by("id"):
        number = h.number if h.number not in taken else f"{regioncode.normalize(old.code)[-3:]}-{h.number}"
        taken.add(number)
        Household.objects.filter(pk=h.pk).update(region=into, number=number, updated_at=at,
                                                 version=h.version + 1)
        record("household.moved", actor=actor, obj=h, region_code=into.code, at=at,
               changes={"region_id": [old.code, into.code], "number": [h.number, number]}, reason=reason)
        moved += 1
    Resident.objects.filter(region=old).update(region=into)
    return moved


@transaction.atomic
def split_into(old: Any, codes: list[str], assignment: dict[int, str], *, actor: Any, at: dt.datetime,
               reason: str) -> int:
    """Move each household of `old` (and its residents) to the new village `assignment` names for it;
    every household must be assigned, to one of `codes`. Returns the households moved."""
    households = list(Household.objects.filter(region=old).order_by("id"))
    missing = [h.pk for h in households if h.pk not in assignment]
    if missing:
        raise ValidationError(f"还有 {len(missing)} 户未指定归属的新村")
    for h in households:
        target = regioncode.normalize(assignment[h.pk])
        if target not in codes:
            raise ValidationError(f"户 {h.pk} 指定的新村 {target} 不在拆分方案中")
        Household.objects.filter(pk=h.pk).update(region_id=target, group=None, updated_at=at,
                                                 version=h.version + 1)
        Resident.objects.filter(household_id=h.pk).update(region_id=target)
        record("household.moved", actor=actor, obj=h, region_code=target, at=at,
               changes={"region_id": [old.code, target]}, reason=reason)
    return len(households)
