"""The dispatch catalogue (派单目录) and settings as services, the workflow policy of one case's county,
and the co-handling rows that follow the workflow snapshot.

The catalogue is versioned: ``save_rule`` never edits a row; it retires the current version of the
(category, place) pair and writes the next one, both in one transaction with an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import Unit
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.regions.models import Region

from . import deadlines
from . import workflow as wf
from .models import Appeal, Category, CoUnit, DispatchRule, DispatchSetting

DEFAULT_RETURN_DAYS = 1
MAX_RETURN_DAYS = 10


# --- settings and the policy of one case --------------------------------------------------------


def return_days(region_code: str) -> int:
    county = regioncode.county_of(region_code).ljust(12, "0")
    value = DispatchSetting.objects.filter(region_id=county).values_list("return_days", flat=True).first()
    return DEFAULT_RETURN_DAYS if value is None else value


def policy_for(appeal: Appeal, action: str, base: wf.WorkflowPolicy) -> wf.WorkflowPolicy:
    """The county's calendar and 退单 window, read only for the actions that count days by them."""
    if action not in ("return", "request_recheck", "request_reexamine"):
        return base
    return replace(base, calendar=deadlines.calendar(), return_days=return_days(appeal.region_id))


@transaction.atomic
def set_return_days(county: Region, days: int, *, actor: Any, ip: str | None = None) -> DispatchSetting:
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_RETURN_DAYS:
        raise ValidationError(f"退单时限须是0到{MAX_RETURN_DAYS}之间的整数（工作日）")
    row, _ = DispatchSetting.objects.select_for_update().get_or_create(region=county)
    before, row.return_days = row.return_days, days
    row.save()
    record("dispatch.return_days", actor=actor, object_type="dispatchsetting", object_id=row.pk,
           region_code=county.code, changes={"return_days": [before, days]}, ip=ip)
    return row


# --- the catalogue ----------------------------------------------------------------------------


def _category_chain(category_id: int | None) -> list[int]:
    chain: list[int] = []
    while category_id is not None and category_id not in chain:
        chain.append(category_id)
        category_id = Category.objects.filter(pk=category_id).values_list("parent_id", flat=True).first()
    return chain


def suggest(category_id: int | None, region_code: str) -> DispatchRule | None:
    """The current entry for the case's category and place: the nearest place first (the village's,
    then the township's, then the county's), within it the nearest category (a parent covers its children)."""
    chain = _category_chain(category_id)
    if not chain:
        return None
    places = [region_code, *regioncode.ancestors(region_code)]
    rules = {(r.category_id, r.region_id): r for r in DispatchRule.objects.filter(
        is_current=True, category_id__in=chain, region_id__in=places).select_related("unit", "category")}
    for place in places:
        for cat in chain:
            if (cat, place) in rules:
                return rules[(cat, place)]
    return None


def _units(ids: Iterable[int], label: str) -> list[Unit]:
    wanted = sorted(set(ids))
    found = list(Unit.objects.filter(pk__in=wanted, is_active=True))
    if len(found) != len(wanted):
        raise ValidationError(f"{label}不存在或已停用")
    return found


@transaction.atomic
def save_rule(*, actor: Any, county: Region, category_id: int, region_code: str, unit_id: int,
              co_unit_ids: Iterable[int] = (), duty: str = "", ip: str | None = None,
              now: dt.datetime | None = None) -> DispatchRule:
    """A new version of the (category, place) entry; the current one (if any) is retired, kept."""
    now = now or timezone.now()
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    if category is None:
        raise ValidationError("类别不存在或已停用")
    region = Region.objects.filter(code=region_code).first()
    if region is None or not regioncode.contains(county.code, region.code):
        raise ValidationError("地点不存在或不在本县")
    (unit,) = _units([unit_id], "主办单位")
    co = _units(co_unit_ids, "协办单位")
    if unit in co:
        raise ValidationError("主办单位不能同时是协办单位")
    current = (DispatchRule.objects.select_for_update().filter(category=category, region=region, is_current=True)
               .first())
    version = 1
    if current is not None:
        current.is_current, current.retired_at, current.retired_by = False, now, actor
        current.save(update_fields=["is_current", "retired_at", "retired_by"])
        version = current.version + 1
    rule = DispatchRule.objects.create(category=category, region=region, unit=unit, duty=duty.strip()[:200],
                                       version=version, created_at=now, created_by=actor)
    rule.co_units.set(co)
    record("dispatch.rule_saved", actor=actor, object_type="dispatchrule", object_id=rule.pk,
           region_code=region.code, at=now, ip=ip,
           changes={"category": category.code, "unit": [current.unit_id if current else None, unit.pk],
                    "co_units": sorted(u.pk for u in co), "version": version})
    return rule


@transaction.atomic
def retire_rule(rule: DispatchRule, *, actor: Any, reason: str = "", ip: str | None = None) -> DispatchRule:
    rule = DispatchRule.objects.select_for_update().get(pk=rule.pk)
    if not rule.is_current:
        raise ValidationError("该派单目录条目已停用")
    rule.is_current, rule.retired_at, rule.retired_by = False, timezone.now(), actor
    rule.save(update_fields=["is_current", "retired_at", "retired_by"])
    record("dispatch.rule_retired", actor=actor, object_type="dispatchrule", object_id=rule.pk,
           region_code=rule.region_id, reason=reason, ip=ip, changes={"version": rule.version})
    return rule


def history(category_id: int, region_code: str) -> list[DispatchRule]:
    return list(DispatchRule.objects.filter(category_id=category_id, region_id=region_code)
                .select_related("unit", "created_by", "retired_by").prefetch_related("co_units")
                .order_by("-version"))


# --- co-handling rows ---------------------------------------------------------------------------


def sync_co_units(appeal: Appeal, state: wf.AppealState) -> None:
    """The CoUnit rows follow the snapshot's co parts; a part gone (approved 退单) stays, inactive."""
    rows = {(r.unit_id, r.since): r for r in CoUnit.objects.filter(appeal=appeal)}
    keep: set[int] = set()
    for part in state.co_parts:
        key = (int(part.unit), part.since)
        row = rows.get(key) or CoUnit(appeal=appeal, unit_id=int(part.unit), since=part.since)
        row.part, row.due_at, row.reply, row.answered_at = part.part, part.due, part.reply, part.answered_at
        row.return_reason, row.active = part.return_reason, True
        row.save()
        keep.add(row.pk)
    CoUnit.objects.filter(appeal=appeal, active=True).exclude(pk__in=keep).update(active=False)
