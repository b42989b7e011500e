"""Shared by every field-work write: the checks of times, places, coordinates, money and text limits
(Chinese errors), the households and places a person may write to, and the version conflict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.accounts.models import User
from minqing.appeals.models import Appeal, Channel
from minqing.households.models import Household, Resident, Tag
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import (
    ActivityKind,
)

OUT_OF_JURISDICTION = "不在您的管辖范围内"
FUTURE_SLACK = dt.timedelta(minutes=10)  # phones' clocks drift a little

# Where an appeal raised at an activity came in (appeals.Channel).
ACTIVITY_CHANNEL = {
    ActivityKind.RECEPTION: Channel.RECEPTION,
    ActivityKind.RESEARCH: Channel.VISIT,
    ActivityKind.ONSITE_OFFICE: Channel.VISIT,
}


class VersionConflict(Exception):
    """The record changed on the server since the phone read it."""

    def __init__(self, current: int, base: int | None):
        self.current, self.base = current, base
        super().__init__(f"该记录已被他人修改（当前版本 {current}，您的版本 {base}），请刷新后重试")


EARLIEST_YEAR = 1950


def _aware(value: Any, label: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError(f"{label}格式无效，应为 ISO 时间，例如 2024-05-01T09:30:00+08:00") from exc
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"请填写{label}")
    if value.year < EARLIEST_YEAR:  # year 1 would be stored by PostgreSQL and break every list showing it
        raise ValidationError(f"{label}不能早于 {EARLIEST_YEAR} 年")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _not_future(value: dt.datetime, now: dt.datetime, label: str) -> None:
    if value > now + FUTURE_SLACK:
        raise ValidationError(f"{label}不能晚于当前时间")


def _coordinate(value: Any, low: int, high: int, label: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(f"{label}无效") from exc
    if not low <= number <= high:
        raise ValidationError(f"{label}超出范围")
    return number.quantize(Decimal("0.000001"))


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(f"金额“{value}”无效") from exc
    if amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError("金额超出范围")
    return amount.quantize(Decimal("0.01"))


def _text(value: Any, limit: int, label: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字")
    return text


def _visible_household(actor: Any, household: Household | int | None) -> Household:
    pk = getattr(household, "pk", household)
    if pk is None:
        raise ValidationError("请选择走访的户")
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise ValidationError("所选户无效") from exc
    if not Household.objects.alive().filter(pk=pk).exists():
        raise ValidationError("所选户不存在或已注销")
    found = jurisdiction.visible(actor, Household).filter(pk=pk).first() if actor is not None else \
        Household.objects.get(pk=pk)
    if found is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    return found


def _place(actor: Any, code: Any, *, figures: bool = False) -> Region:
    """The region of a code; within the actor's places (or, with `figures`, their figure region:
    a department head holds on-site office days and research across the county)."""
    if code is None or code == "":
        raise ValidationError("请选择所在地（区划）")
    try:
        normalized = regioncode.normalize(code)
    except (regioncode.RegionCodeError, TypeError, ValueError) as exc:
        raise ValidationError(f"区划“{code}”无效") from exc
    region = Region.objects.filter(code=normalized).first()
    if region is None:
        raise ValidationError(f"区划“{code}”不存在")
    scope = jurisdiction.scope_of(actor) if actor is not None else None
    if scope is not None and not scope.sees_place(region.code) and not (figures and scope.sees_figures(region.code)):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    return region


def _users(ids: Iterable[Any]) -> list[User]:
    pks = sorted({int(getattr(u, "pk", u)) for u in ids})
    users = list(User.objects.filter(pk__in=pks, is_active=True))
    if len(users) != len(pks):
        raise ValidationError("同行人员不存在")
    return users


def _tag_codes(codes: Iterable[str], label: str) -> list[str]:
    wanted = sorted({str(c).strip() for c in codes or () if str(c).strip()})
    known = set(Tag.objects.filter(code__in=wanted).values_list("code", flat=True))
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise ValidationError(f"{label}中有未知标签：{'、'.join(unknown)}")
    return wanted


def _ids(values: Iterable[Any] | None, label: str) -> list[int]:
    out: list[int] = []
    for v in values or ():
        try:
            out.append(int(getattr(v, "pk", v)))
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"{label}无效") from exc
    return sorted(set(out))


def _residents(actor: Any, values: Iterable[Any] | None, *, household: Household | None = None,
               within: str | None = None) -> list[Any]:
    """Residents the actor may see (of one household, or living under a place), each named once."""
    ids = _ids(values, "所选群众")
    if not ids:
        return []
    qs = jurisdiction.visible(actor, Resident).alive().filter(pk__in=ids) if actor is not None else \
        Resident.objects.filter(pk__in=ids)
    if household is not None:
        qs = qs.filter(household=household)
    if within is not None:
        qs = qs.filter(jurisdiction.region_q([within]))
    found = list(qs)
    if len(found) != len(ids):
        raise ValidationError("所选群众不在本户或不在您的管辖范围内" if household is not None else
                              "所选群众不在活动所在地或不在您的管辖范围内")
    return found


def _cases(actor: Any, values: Iterable[Any] | None) -> list[Any]:
    """Cases (appeals) the actor may see: the ones a visit or a day was about."""
    ids = _ids(values, "所带案件")
    if not ids:
        return []
    found = list(jurisdiction.visible(actor, Appeal).filter(pk__in=ids, deleted_at__isnull=True))
    if len(found) != len(ids):
        raise ValidationError("所带案件不存在或不在您的管辖范围内")
    return found
