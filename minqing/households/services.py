"""Every write to households and residents: validated, in one transaction, with its audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from minqing.audit.log import diff, record
from minqing.lib import regioncode
from minqing.lib.idcard import IdNumberError, clean_id_number
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.lib.phone import PhoneError, clean_phone
from minqing.regions import jurisdiction
from minqing.regions.models import Region, VillageGroup

from . import crypto
from .models import Household, Relation, Resident, ResidentStatus, Tag

HOUSEHOLD_FIELDS = ("number", "head_name", "address", "group_id", "latitude", "longitude", "note")
RESIDENT_FIELDS = ("name", "gender", "birth_date", "relation")
MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def _household_state(h: Household) -> dict[str, Any]:
    state = {f: getattr(h, f) for f in HOUSEHOLD_FIELDS}
    state["region_id"] = h.region_id
    state["tags"] = sorted(h.tags.values_list("code", flat=True)) if h.pk else []
    return state


def _check_place(actor, region_code: str) -> None:
    if actor is not None and not jurisdiction.scope_of(actor).sees_place(region_code):
        raise PermissionDenied("不在您的管辖范围内")


@transaction.atomic
def create_household(*, actor, region_id: str, number: str, head_name: str, address: str,
                     tags: list[str] | None = None, reason: str = "", now: dt.datetime | None = None,
                     ip: str | None = None, **extra: Any) -> Household:
    _check_place(actor, region_id)
    _check_group(region_id, extra.get("group_id"))
    _free_number(region_id, number)
    now = now or timezone.now()
    h = Household(region_id=region_id, number=number, head_name=head_name, address=address,
                  created_at=now, updated_at=now, **extra)
    h.full_clean(exclude=["tags"])
    h.save()
    if tags:
        h.tags.set(Tag.objects.filter(code__in=tags))
    record("household.created", actor=actor, obj=h, changes=diff({}, _household_state(h)), reason=reason,
           ip=ip, at=now)
    return h


@transaction.atomic
def update_household(household: Household, *, actor, changes: dict[str, Any], reason: str = "",
                     tags: list[str] | None = None, base_version: int | None = None,
                     now: dt.datetime | None = None, ip: str | None = None) -> Household:
    """`base_version` is the version an offline client saw: a newer one on file is a conflict."""
    _check_place(actor, household.region_id)
    h = Household.objects.select_for_update().get(pk=household.pk)
    if base_version is not None and base_version != h.version:
        raise ValidationError(f"该户信息已被他人修改（当前版本 {h.version}，您的版本 {base_version}），请刷新后重试")
    before = _household_state(h)
    for name, value in changes.items():
        if name not in HOUSEHOLD_FIELDS:
            raise ValidationError(f"字段“{name}”不可修改")
        setattr(h, name, value)
    if "group_id" in changes:
        _check_group(h.region_id, h.group_id)
    if "number" in changes:
        _free_number(h.region_id, h.number, exclude=h.pk)
    h.full_clean(exclude=["tags"])
    if tags is not None:
        h.tags.set(Tag.objects.filter(code__in=tags))
    after = _household_state(h)
    changed = diff(before, after)
    if not changed:
        return h
    h.version += 1
    h.updated_at = now or timezone.now()
    h.save()
    record("household.updated", actor=actor, obj=h, changes=changed, reason=reason, ip=ip, at=h.updated_at)
    return h


@transaction.atomic
def remove_household(household: Household, *, actor, reason: str, now: dt.datetime | None = None,
                     ip: str | None = None) -> None:
    """注销: the household and its residents are marked removed, never deleted."""
    if not reason.strip():
        raise ValidationError("注销必须说明原因")
    _check_place(actor, household.region_id)
    now = now or timezone.now()
    Household.objects.filter(pk=household.pk).update(deleted_at=now, updated_at=now)
    Resident.objects.filter(household_id=household.pk, deleted_at__isnull=True).update(deleted_at=now)
    record("household.removed", actor=actor, obj=household, reason=reason, ip=ip, at=now)


def _personal(id_number: str | None, phone: str | None) -> dict[str, str]:
    """Validated personal fields, as the columns that store them."""
    out: dict[str, str] = {}
    errors: dict[str, str] = {}
    if id_number is not None:
        try:
            clean = clean_id_number(id_number) if id_number else ""
            out.update(id_number_enc=crypto.encrypt(clean), id_number_hash=crypto.lookup_hash(clean),
                       id_number_masked=mask_id_number(clean))
        except IdNumberError as exc:
            errors["id_number"] = str(exc)
    if phone is not None:
        try:
            clean = clean_phone(phone) if phone else ""
            out.update(phone_enc=crypto.encrypt(clean), phone_hash=crypto.lookup_hash(clean),
                       phone_masked=mask_phone(clean))
        except PhoneError as exc:
            errors["phone"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return out


def _id_free(id_hash: str, *, exclude: int | None = None) -> None:
    """One person, one record: an ID number already on file (anywhere) is refused, without saying where."""
    if not id_hash:
        return
    taken = Resident.objects.filter(id_number_hash=id_hash, deleted_at__isnull=True)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"id_number": "该身份证号码已登记在册，同一人不能登记两次"})


@transaction.atomic
def add_resident(household: Household, *, actor, name: str, relation: str = "other", gender: str = "",
                 birth_date: dt.date | None = None, id_number: str = "", phone: str = "",
                 reason: str = "", now: dt.datetime | None = None, ip: str | None = None) -> Resident:
    _check_place(actor, household.region_id)
    personal = _personal(id_number, phone)
    _id_free(personal.get("id_number_hash", ""))
    now = now or timezone.now()
    r = Resident(household=household, region_id=household.region_id, name=name, relation=relation,
                 gender=gender, birth_date=birth_date, created_at=now, updated_at=now, **personal)
    r.full_clean()
    r.save()
    changes = diff({}, {f: getattr(r, f) for f in RESIDENT_FIELDS})
    changes.update(diff({}, {"id_number": id_number, "phone": phone}, MASKERS))
    record("resident.created", actor=actor, obj=r, changes=changes, reason=reason, ip=ip, at=now)
    return r


@transaction.atomic
def update_resident(resident: Resident, *, actor, changes: dict[str, Any], reason: str = "",
                    now: dt.datetime | None = None, ip: str | None = None) -> Resident:
    _check_place(actor, resident.region_id)
    r = Resident.objects.select_for_update().get(pk=resident.pk)
    plain = {k: v for k, v in changes.items() if k in RESIDENT_FIELDS}
    unknown = set(changes) - set(RESIDENT_FIELDS) - set(Resident.PERSONAL_FIELDS)
    if unknown:
        raise ValidationError(f"字段“{'、'.join(sorted(unknown))}”不可修改")
    before = {f: getattr(r, f) for f in RESIDENT_FIELDS}
    for name, value in plain.items():
        setattr(r, name, value)
    personal = _personal(changes.get("id_number"), changes.get("phone"))
    _id_free(personal.get("id_number_hash", ""), exclude=r.pk)
    changed = diff(before, {f: getattr(r, f) for f in RESIDENT_FIELDS})
    for fld in Resident.PERSONAL_FIELDS:
        if fld in changes and personal.get(f"{fld}_hash") != getattr(r, f"{fld}_hash"):
            changed[fld] = [getattr(r, f"{fld}_masked"), personal[f"{fld}_masked"]]
    for name, value in personal.items():
        setattr(r, name, value)
    r.full_clean()
    if not changed:
        return r
    r.updated_at = now or timezone.now()
    r.save()
    record("resident.updated", actor=actor, obj=r, changes=changed, reason=reason, ip=ip, at=r.updated_at)
    return r


@transaction.atomic
def erase_resident(resident: Resident, *, actor, reason: str, now: dt.datetime | None = None,
                   ip: str | None = None) -> Resident:
    """PIPL erasure when retention ends: personal fields are blanked, the record and chain stay."""
    if not reason.strip():
        raise ValidationError("删除个人信息必须说明依据")
    _check_place(actor, resident.region_id)
    now = now or timezone.now()
    fields = dict.fromkeys(("id_number_enc", "id_number_hash", "id_number_masked", "phone_enc",
                            "phone_hash", "phone_masked"), "")
    Resident.objects.filter(pk=resident.pk).update(erased_at=now, updated_at=now, birth_date=None, **fields)
    record("resident.erased", actor=actor, obj=resident, changes={"erased": ["id_number", "phone",
                                                                             "birth_date"]},
           reason=reason, ip=ip, at=now)
    resident.refresh_from_db()
    return resident


@transaction.atomic
def reveal(resident: Resident, field_name: str, *, actor, reason: str = "", ip: str | None = None) -> str:
    """The clear value of one personal field, for a role allowed to see it; each reveal is logged."""
    if field_name not in Resident.PERSONAL_FIELDS:
        raise ValidationError("只能查看身份证号码或电话")
    if not jurisdiction.can_reveal(actor, resident):
        raise PermissionDenied("您的岗位无权查看完整个人信息")
    value = crypto.decrypt(getattr(resident, f"{field_name}_enc"))
    record("resident.revealed", actor=actor, obj=resident, changes={"field": field_name}, reason=reason,
           ip=ip)
    return value


# --- Structure: moving, splitting, merging households; people leaving -------------------------------


def _check_group(region_id: str, group_id: int | None) -> None:
    if group_id is not None and not VillageGroup.objects.filter(pk=group_id, region_id=region_id).exists():
        raise ValidationError({"group_id": "该村民小组不属于所选村（社区）"})


def _free_number(region_id: str, number: str, *, exclude: int | None = None) -> None:
    taken = Household.objects.filter(region_id=region_id, number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"number": f"户号“{number}”在该村已被使用"})


def _touch(h: Household, now: dt.datetime) -> None:
    Household.objects.filter(pk=h.pk).update(version=models.F("version") + 1, updated_at=now)


@transaction.atomic
def move_household(household: Household, *, actor, region_id: str, group_id: int | None = None,
                   number: str | None = None, reason: str = "", now: dt.datetime | None = None,
                   ip: str | None = None) -> Household:
    """迁往另一村或小组: the household and its residents (living or not) follow; past visits keep
    the village they happened in. Both the old and the new place must be the actor's."""
    _check_place(actor, household.region_id)
    _check_place(actor, region_id)
    if not Region.objects.filter(code=region_id, level=regioncode.VILLAGE, is_active=True).exists():
        raise ValidationError({"region_id": "请选择一个现行的村（社区）"})
    h = Household.objects.select_for_update().get(pk=household.pk)
    number = (number or h.number).strip()
    _check_group(region_id, group_id)
    _free_number(region_id, number, exclude=h.pk)
    before = {"region_id": h.region_id, "group_id": h.group_id, "number": h.number}
    after = {"region_id": region_id, "group_id": group_id, "number": number}
    changed = diff(before, after)
    if not changed:
        return h
    now = now or timezone.now()
    h.region_id, h.group_id, h.number = region_id, group_id, number
    h.version += 1
    h.updated_at = now
    h.save(update_fields=["region", "group", "number", "version", "updated_at"])
    Resident.objects.filter(household_id=h.pk).update(region_id=region_id, updated_at=now)
    record("household.moved", actor=actor, obj=h, changes=changed, reason=reason, ip=ip, at=now)
    return h


@transaction.atomic
def split_household(household: Household, *, actor, resident_ids: list[int], number: str, head_id: int,
                    address: str = "", reason: str = "", now: dt.datetime | None = None,
                    ip: str | None = None) -> Household:
    """分户: some members form a new household of the same village and group, ``head_id`` its head."""
    _check_place(actor, household.region_id)
    h = Household.objects.select_for_update().get(pk=household.pk)
    members = set(Resident.objects.filter(household_id=h.pk, deleted_at__isnull=True, status=ResidentStatus.LIVING)
                  .values_list("pk", flat=True))
    moving = set(resident_ids)
    if not moving or not moving <= members:
        raise ValidationError({"resident_ids": "请从本户现有成员中选择要分出的人"})
    if moving == members:
        raise ValidationError({"resident_ids": "不能把全部成员分出：至少留一人在原户"})
    if head_id not in moving:
        raise ValidationError({"head_id": "新户的户主须是分出的成员之一"})
    now = now or timezone.now()
    head = Resident.objects.get(pk=head_id)
    new = create_household(actor=actor, region_id=h.region_id, group_id=h.group_id, number=number.strip(),
                           head_name=head.name, address=address or h.address, reason=reason or f"由{h}分出",
                           now=now, ip=ip)
    Resident.objects.filter(pk__in=moving).update(household=new, updated_at=now)
    Resident.objects.filter(pk=head_id).update(relation=Relation.HEAD)
    _touch(h, now)
    record("household.split", actor=actor, obj=h, changes={"new_household": new.pk, "residents": sorted(moving)},
           reason=reason, ip=ip, at=now)
    return new


@transaction.atomic
def merge_households(target: Household, source: Household, *, actor, reason: str,
                     now: dt.datetime | None = None, ip: str | None = None) -> Household:
    """合户: every member of ``source`` joins ``target``; ``source`` is closed (kept, marked removed)."""
    if not reason.strip():
        raise ValidationError("合户必须说明原因")
    if target.pk == source.pk:
        raise ValidationError("不能把一户并入它自己")
    _check_place(actor, target.region_id)
    _check_place(actor, source.region_id)
    t, s = (Household.objects.select_for_update().get(pk=pk) for pk in (target.pk, source.pk))
    if t.deleted_at or s.deleted_at:
        raise ValidationError("已注销的户不能合并")
    now = now or timezone.now()
    moved = list(Resident.objects.filter(household_id=s.pk, deleted_at__isnull=True).values_list("pk", flat=True))
    Resident.objects.filter(pk__in=moved).update(household=t, region_id=t.region_id, updated_at=now)
    Resident.objects.filter(pk__in=moved, relation=Relation.HEAD).update(relation=Relation.OTHER)
    Household.objects.filter(pk=s.pk).update(deleted_at=now, updated_at=now)
    _touch(t, now)
    record("household.merged", actor=actor, obj=t, changes={"from_household": s.pk, "residents": moved},
           reason=reason, ip=ip, at=now)
    record("household.removed", actor=actor, obj=s, changes={"merged_into": t.pk}, reason=reason, ip=ip, at=now)
    return t


@transaction.atomic
def set_resident_status(resident: Resident, *, actor, status: str, on: dt.date | None = None, reason: str = "",
                        now: dt.datetime | None = None, ip: str | None = None) -> Resident:
    """迁出 / 死亡 (or back to living, when recorded by mistake): the record stays, with the date."""
    if status not in ResidentStatus.values:
        raise ValidationError({"status": "状态只能是在户、迁出或死亡"})
    if status != ResidentStatus.LIVING and not reason.strip():
        raise ValidationError({"reason": "标记迁出或死亡必须说明依据"})
    _check_place(actor, resident.region_id)
    r = Resident.objects.select_for_update().get(pk=resident.pk)
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    if on > timezone.localdate(now):
        raise ValidationError({"status_on": "日期不能晚于今天"})
    changed = diff({"status": r.status, "status_on": r.status_on},
                   {"status": status, "status_on": None if status == ResidentStatus.LIVING else on})
    if not changed:
        return r
    r.status, r.status_on = status, (None if status == ResidentStatus.LIVING else on)
    r.updated_at = now
    r.save(update_fields=["status", "status_on", "updated_at"])
    record("resident.status", actor=actor, obj=r, changes=changed, reason=reason, ip=ip, at=now)
    return r
