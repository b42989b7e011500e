"""值班带班: the roster a township or county office keeps, and check-ins at the post on the phone.

- The office of a place edits its roster: a post in the place's township office or county leadership
  unit whose place is that place, or a leader whose post covers it (the county over a township).
- A shift names someone holding a post inside the place, for one day, 值班 or 带班.
- A check-in (在岗签到) is the person's own, at most one a day per post place; it takes the day's
  shift of that place when they have one. The 走读 report counts the working days without one.
Every write is atomic and audited; a shift is cancelled (kept), never deleted.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minqing.accounts.models import Post, User
from minqing.accounts.roles import UnitKind
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import CheckIn, DutyKind, DutyShift

OFFICE_KINDS = frozenset({UnitKind.TOWNSHIP_OFFICE, UnitKind.LEADERSHIP})
ROSTER_LEVELS = frozenset({regioncode.COUNTY, regioncode.TOWNSHIP})
NOTE_MAX = 100


def may_edit_roster(user: Any, region_code: str) -> bool:
    scope = jurisdiction.scope_of(user)
    if scope.is_superuser:
        return True
    if any(p.region_code == region_code and p.unit_kind in OFFICE_KINDS for p in scope.posts):
        return True
    return any(p.role in ("county_secretary", "county_head", "county_leader")
               and regioncode.contains(p.region_code, region_code) for p in scope.posts)


def roster_places(user: Any) -> list[Region]:
    """The townships and counties whose roster this user edits."""
    scope = jurisdiction.scope_of(user)
    qs = Region.objects.all() if scope.is_superuser else \
        Region.objects.filter(jurisdiction.region_q(scope.figure_codes, "code"))
    places = qs.filter(level__in=sorted(ROSTER_LEVELS), is_active=True).order_by("code")[:500]
    return [r for r in places if may_edit_roster(user, r.code)]


def _roster_place(actor: Any, region: Region | str) -> Region:
    place = region if isinstance(region, Region) else Region.objects.filter(code=str(region)).first()
    if place is None:
        raise ValidationError("所选地方不存在")
    if regioncode.level_of(place.code) not in ROSTER_LEVELS:
        raise ValidationError("值班表按乡镇或县编排")
    if actor is not None and not may_edit_roster(actor, place.code):
        raise PermissionDenied("只有本乡镇（县）党政办或上级领导可以编排值班表")
    return place


def _holds_post_in(person: User, place: str, day: dt.date) -> bool:
    low, high = regioncode.subtree_range(place)
    return Post.objects.filter(Q(started_on__isnull=True) | Q(started_on__lte=day), user=person,
                               region_id__gte=low, region_id__lte=high).exclude(ended_on__lt=day).exists()


@transaction.atomic
def add_shift(*, actor: Any, region: Region | str, day: dt.date, kind: str, person: User, note: str = "",
              now: dt.datetime | None = None) -> DutyShift:
    now = now or timezone.now()
    place = _roster_place(actor, region)
    if kind not in DutyKind.values:
        raise ValidationError("请选择值班或带班")
    if not person.is_active or not _holds_post_in(person, place.code, day):
        raise ValidationError(f"{person}当天在{place.name}没有岗位，不能排班")
    if DutyShift.objects.alive().filter(region=place, day=day, kind=kind, person=person).exists():
        raise ValidationError(f"{person}已排在{day:%Y-%m-%d}的{DutyKind(kind).label}")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError(f"备注不能超过{NOTE_MAX}个字")
    shift = DutyShift.objects.create(region=place, day=day, kind=kind, person=person, phone_note=note,
                                     created_by=actor if getattr(actor, "pk", None) else None, created_at=now)
    record("duty.shift_added", actor=actor, obj=shift, at=now,
           changes={"day": day, "kind": kind, "person": person.pk})
    return shift


@transaction.atomic
def cancel_shift(shift: DutyShift, *, actor: Any, reason: str, now: dt.datetime | None = None) -> DutyShift:
    now = now or timezone.now()
    row = DutyShift.objects.select_for_update().get(pk=shift.pk)
    _roster_place(actor, row.region_id)
    if row.deleted_at is not None:
        raise ValidationError("该班次已取消")
    if not (reason or "").strip():
        raise ValidationError("请填写取消理由")
    if row.check_ins.exists():
        raise ValidationError("已有签到的班次不能取消")
    row.deleted_at = now
    row.save(update_fields=["deleted_at"])
    record("duty.shift_cancelled", actor=actor, obj=row, at=now, reason=reason.strip(),
           changes={"day": row.day, "kind": row.kind, "person": row.person_id})
    return row


def _coordinate(value: Any, limit: int, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError(f"{name}无效") from None
    if abs(number) > limit:
        raise ValidationError(f"{name}无效")
    return number


def post_place(user: User, day: dt.date) -> str | None:
    """Where the person checks in: their widest current post's place (a township leader's township)."""
    codes = list(Post.objects.filter(user=user).exclude(ended_on__lt=day).values_list("region_id", flat=True))
    return min(codes, key=lambda c: (len(regioncode.prefix(c)), c)) if codes else None


@transaction.atomic
def check_in(*, actor: User, latitude: Any = None, longitude: Any = None, note: str = "",
             now: dt.datetime | None = None) -> CheckIn:
    """在岗签到 by the person themselves; once a day; the day's shift is attached when there is one."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    place = post_place(actor, day)
    if place is None:
        raise PermissionDenied("您没有在岗岗位，无需签到")
    if CheckIn.objects.filter(person=actor, day=day).exists():
        raise ValidationError("今天已经签到")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("备注不能超过200个字")
    shift = DutyShift.objects.alive().filter(person=actor, day=day).order_by("kind", "id").first()
    lat, lng = _coordinate(latitude, 90, "纬度"), _coordinate(longitude, 180, "经度")
    if (lat is None) != (lng is None):
        raise ValidationError("经度和纬度须同时提供")
    row = CheckIn.objects.create(person=actor, region_id=shift.region_id if shift else place, shift=shift, day=day,
                                 at=now, latitude=lat, longitude=lng, note=note)
    record("duty.checked_in", actor=actor, obj=row, at=now,
           changes={"day": day, "shift": shift.pk if shift else None, "located": row.latitude is not None})
    return row


def roster(region_code: str, start: dt.date, end: dt.date) -> list[DutyShift]:
    return list(DutyShift.objects.alive().filter(region_id=region_code, day__gte=start, day__lte=end)
                .select_related("person").prefetch_related("check_ins").order_by("day", "kind", "id"))


def today_for(user: User, day: dt.date) -> dict[str, Any]:
    """What the phone page shows: today's shifts of the person and whether they checked in."""
    return {"shifts": list(DutyShift.objects.alive().filter(person=user, day=day).select_related("region")),
            "check_in": CheckIn.objects.filter(person=user, day=day).first(), "place": post_place(user, day)}
