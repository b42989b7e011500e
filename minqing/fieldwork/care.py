"""Writes of the people-facing records: 关爱服务档案 (care files), 集访 (group petitions) and 为民办实事
(practical things done). Each in one transaction with its audit event; out of the actor's
jurisdiction → PermissionDenied; bad input → ValidationError (Chinese).

The help a care file lists is not stored on it: it is the help at the door (VisitHelp) recorded on
the visits to the person's household, read through the same jurisdiction filter (care_history).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from minqing.appeals import services as appeal_services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Channel
from minqing.audit.log import record
from minqing.households.models import Resident
from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .checks import OUT_OF_JURISDICTION, _money, _place, _text, _users
from .models import CareFile, CareKind, Deed, GroupPetition, PetitionLevel, VisitHelp

# 信访工作条例 第十八条: five or more people bringing one matter in person choose at most five
# representatives; fewer than five is an ordinary visit, not a 集访.
GROUP_MINIMUM = 5
MAX_REPRESENTATIVES = 5


def _date(value: Any, label: str, today: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError(f"{label}无效") from exc
    if not isinstance(value, dt.date):
        raise ValidationError(f"请填写{label}")
    if value > today:
        raise ValidationError(f"{label}不能晚于今天")
    return value


def _whole(value: Any, label: str, low: int, high: int, *, required: bool = True) -> int | None:
    if value is None or value == "":
        if required:
            raise ValidationError(f"请填写{label}")
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{label}无效") from exc
    if not low <= number <= high:
        raise ValidationError(f"{label}应在{low}至{high}之间")
    return number


# --- 关爱服务档案 ---------------------------------------------------------------------------------


@transaction.atomic
def open_care_file(*, actor: Any, resident: Resident | int, kind: str, opened_on: Any = None,
                   carer: Any = None, needs: str = "", now: dt.datetime | None = None) -> CareFile:
    """Put a vulnerable person under care (one open file per person and kind)."""
    now = now or timezone.now()
    if kind not in CareKind.values:
        raise ValidationError(f"关爱类别“{kind}”无效")
    person = jurisdiction.visible(actor, Resident).alive().filter(pk=getattr(resident, "pk", resident)).first()
    if person is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if not jurisdiction.scope_of(actor).sees_place(person.region_id):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if CareFile.objects.alive().filter(resident=person, kind=kind, closed_on__isnull=True).exists():
        raise ValidationError("此人已有同类关爱服务档案")
    who = _users([carer])[0] if carer else None
    row = CareFile.objects.create(resident=person, household_id=person.household_id, region_id=person.region_id,
                                  kind=kind, carer=who, opened_on=_date(opened_on or timezone.localdate(now),
                                                                        "建档日期", timezone.localdate(now)),
                                  needs=_text(needs, 2000, "关爱需求"), created_by=actor, created_at=now)
    record("field.care.opened", actor=actor, obj=row, at=now,
           changes={"resident": person.pk, "kind": kind, "carer": who.pk if who else None,
                    "opened_on": row.opened_on})
    return row


@transaction.atomic
def close_care_file(care: CareFile | int, *, actor: Any, closed_on: Any = None, reason: str = "",
                    now: dt.datetime | None = None) -> CareFile:
    """The person no longer needs the care (moved, grown up, deceased): the file is kept, closed."""
    now = now or timezone.now()
    row = jurisdiction.visible(actor, CareFile).alive().select_for_update().filter(
        pk=getattr(care, "pk", care)).first()
    if row is None or not jurisdiction.scope_of(actor).sees_place(row.region_id):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if row.closed_on:
        raise ValidationError("该档案已结束关爱")
    why = _text(reason, 500, "结束原因")
    if not why:
        raise ValidationError("请填写结束关爱的原因")
    row.closed_on = _date(closed_on or timezone.localdate(now), "结束日期", timezone.localdate(now))
    if row.closed_on < row.opened_on:
        raise ValidationError("结束日期不能早于建档日期")
    row.save(update_fields=["closed_on"])
    record("field.care.closed", actor=actor, obj=row, at=now, reason=why, changes={"closed_on": row.closed_on})
    return row


def care_history(user: Any, care: CareFile) -> QuerySet:
    """The help at the door given to the person's household since the file was opened (help that
    names another member is left out), newest first."""
    since = dt.datetime.combine(care.opened_on, dt.time(), timezone.get_current_timezone())
    qs = jurisdiction.visible(user, VisitHelp).filter(
        visit__household_id=care.household_id, visit__deleted_at__isnull=True, visit__visited_at__gte=since)
    if care.closed_on:
        qs = qs.filter(visit__visited_at__lt=since.replace(year=care.closed_on.year, month=care.closed_on.month,
                                                           day=care.closed_on.day) + dt.timedelta(days=1))
    return (qs.filter(Q(resident__isnull=True) | Q(resident_id=care.resident_id))
            .select_related("visit", "visit__visitor").order_by("-visit__visited_at", "-id"))


# --- 集访 ---------------------------------------------------------------------------------------


def _names(text: Any) -> list[str]:
    raw = str(text or "").replace("，", "\n").replace(",", "\n").replace("、", "\n")
    names = [_text(n, 50, "代表姓名") for n in raw.splitlines()]
    return [n for n in names if n]


@transaction.atomic
def record_group_petition(*, actor: Any, level: str, occurred_on: Any, headcount: Any, representatives: Any = "",
                          appeal: Appeal | int | str | None = None, region: Any = None, title: str = "",
                          text: str = "", now: dt.datetime | None = None) -> GroupPetition:
    """集访: five or more people bringing one matter to an office of ``level``. Either an existing
    petition case (by id or number) or a new one registered here (kind 信访事项, channel 接待日)."""
    now = now or timezone.now()
    if level not in PetitionLevel.values:
        raise ValidationError(f"集访层级“{level}”无效")
    day = _date(occurred_on, "集访日期", timezone.localdate(now))
    people = _whole(headcount, "集访人数", GROUP_MINIMUM, 100000)
    names = _names(representatives)
    if len(names) > MAX_REPRESENTATIVES:
        raise ValidationError(f"集访代表不超过{MAX_REPRESENTATIVES}人")
    if appeal not in (None, ""):
        key = getattr(appeal, "pk", appeal)
        qs = jurisdiction.visible(actor, Appeal).filter(deleted_at__isnull=True)
        case = (qs.filter(pk=int(key)) if str(key).isdigit() else qs.filter(number=str(key).strip())).first()
        if case is None:
            raise ValidationError("未找到该案件，或不在您的管辖范围内")
        if case.kind != wf.Kind.PETITION.value:
            raise ValidationError("只有信访事项可以登记为集访")
        if GroupPetition.objects.filter(appeal=case).exists():
            raise ValidationError("该案件已登记为集访")
    else:
        place = _place(actor, region)
        when = dt.datetime.combine(day, dt.time(9), timezone.get_current_timezone())
        case = appeal_services.register_appeal(
            actor=actor, region=place, kind=wf.Kind.PETITION.value, channel=Channel.RECEPTION,
            title=_text(title, 200, "集访事由") or "群众集体来访", text=_text(text, 5000, "集访诉求") or
            _text(title, 200, "集访事由") or "群众集体来访", received_at=min(when, now), now=now)
    row = GroupPetition.objects.create(appeal=case, region_id=case.region_id, level=level, occurred_on=day,
                                       headcount=people, representatives="\n".join(names), created_by=actor,
                                       created_at=now)
    record("field.group_petition.recorded", actor=actor, obj=row, at=now,
           changes={"appeal": case.pk, "level": level, "occurred_on": day, "headcount": people,
                    "representatives": len(names)})
    return row


# --- 为民办实事 -----------------------------------------------------------------------------------


@transaction.atomic
def record_deed(*, actor: Any, region: Any, title: str, done_on: Any, description: str = "",
                beneficiaries: Any = None, cost: Any = None, appeal: Appeal | int | None = None,
                leader: Any = None, now: dt.datetime | None = None) -> Deed:
    """为民办实事: what was done, where and when, for how many people, at what cost, answering which case."""
    now = now or timezone.now()
    place = _place(actor, region, figures=True)
    if regioncode.level_of(place.code) < regioncode.COUNTY:
        raise ValidationError("实事所在地须在县、乡镇或村（社区）")
    what = _text(title, 200, "实事名称")
    if not what:
        raise ValidationError("请填写办了什么实事")
    case = None
    if appeal:
        case = jurisdiction.visible(actor, Appeal).filter(pk=getattr(appeal, "pk", appeal),
                                                          deleted_at__isnull=True).first()
        if case is None:
            raise ValidationError("所关联的案件不存在或不在您的管辖范围内")
        if not regioncode.contains(place.code, case.region_id) and not regioncode.contains(case.region_id,
                                                                                            place.code):
            raise ValidationError("所关联的案件不在实事所在地")
    money: Decimal | None = _money(cost)
    row = Deed.objects.create(region=place, title=what, description=_text(description, 5000, "实事说明"),
                              done_on=_date(done_on, "办结日期", timezone.localdate(now)),
                              beneficiaries=_whole(beneficiaries, "受益群众人数", 0, 10_000_000, required=False),
                              cost=money, appeal=case, leader=_users([leader])[0] if leader else None,
                              created_by=actor, created_at=now)
    record("field.deed.recorded", actor=actor, obj=row, at=now,
           changes={"region": place.code, "title": what, "done_on": row.done_on, "appeal": case.pk if case else None,
                    "beneficiaries": row.beneficiaries, "cost": str(money) if money is not None else None})
    return row
