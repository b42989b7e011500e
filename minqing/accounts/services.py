"""Every write to staff, units and posts: checked, in one transaction, with its audit event.

`actor` None means the operator's command line (no county check); otherwise the actor must be the
system administrator (系统管理员) of the county the record lies in (see `admins.county_of`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from minqing.audit.log import diff, record
from minqing.lib import regioncode
from minqing.regions.models import Region

from . import codes
from .admins import check_county, county_code_of
from .models import ApiToken, CodePurpose, Post, SetupCode, Unit, User
from .roles import Rank, Role, UnitKind

SETUP_CODE_HOURS = codes.HOURS[CodePurpose.FIRST_LOGIN]
UNIT_FIELDS = ("name", "kind", "function", "region_id", "parent_id", "is_active")
STAFF_FIELDS = ("username", "display_name", "is_active", "county_id")
ATTRIBUTE_FIELDS = ("party_member", "birth_year", "rank")
OLDEST_BIRTH_YEAR = 1930
YOUNGEST_AGE = 16  # 劳动法: no one younger works a post


def _state(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


def _region(code: str) -> Region:
    try:
        code = regioncode.normalize(code)
    except (regioncode.RegionCodeError, ValueError):
        raise ValidationError(f"区划代码“{code}”无效") from None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError(f"区划代码“{code}”不存在，请先导入区划")
    return region


def _county_of_region(region: Region) -> str:
    if region.level < regioncode.COUNTY:
        raise ValidationError("所选区划在县级以上，请选择本县或以下的区划")
    return county_code_of(region.code)


# -- staff --------------------------------------------------------------------------------------

@transaction.atomic
def create_staff(*, actor, county: str, username: str, display_name: str, reason: str = "",
                 ip: str | None = None) -> User:
    """A staff account with no usable password: the person sets one with a setup code."""
    county_region = _region(county)
    check_county(actor, county_region.code)
    username = (username or "").strip()
    if not username:
        raise ValidationError("请填写登录名")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"登录名“{username}”已被使用")
    user = User(username=username, display_name=(display_name or "").strip(), county=county_region)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record("staff.created", actor=actor, obj=user, region_code=county_region.code,
           changes=diff({}, _state(user, STAFF_FIELDS)), reason=reason, ip=ip)
    return user


@transaction.atomic
def update_staff(user: User, *, actor, display_name: str, reason: str = "", ip: str | None = None) -> User:
    check_county(actor, user.county_id)
    before = _state(user, STAFF_FIELDS)
    user.display_name = (display_name or "").strip()
    user.save(update_fields=["display_name"])
    record("staff.updated", actor=actor, obj=user, region_code=user.county_id,
           changes=diff(before, _state(user, STAFF_FIELDS)), reason=reason, ip=ip)
    return user


def clean_attributes(party_member: Any, birth_year: Any, rank: Any, *, today: dt.date) -> dict[str, Any]:
    """党员 (True/False/None: not entered), year of birth (None: not entered) and 职级 ("" or a Rank)."""
    if party_member not in (None, True, False):
        raise ValidationError("党员一项只能填是、否或不填")
    year = None
    if birth_year not in (None, ""):
        try:
            year = int(birth_year)
        except (TypeError, ValueError):
            raise ValidationError(f"出生年份“{birth_year}”不是年份") from None
        if not OLDEST_BIRTH_YEAR <= year <= today.year - YOUNGEST_AGE:
            raise ValidationError(f"出生年份须在{OLDEST_BIRTH_YEAR}年到{today.year - YOUNGEST_AGE}年之间")
    rank = (rank or "").strip()
    if rank and rank not in Rank.values:
        raise ValidationError(f"无法识别职级“{rank}”")
    return {"party_member": party_member, "birth_year": year, "rank": rank}


@transaction.atomic
def set_attributes(user: User, *, actor, party_member: bool | None, birth_year: int | str | None, rank: str,
                   reason: str = "", ip: str | None = None, today: dt.date | None = None) -> User:
    """The figures the seeds count of a cadre (党员, 出生年份 for 35岁以下, 职级), by the county's
    system administrator; nothing is written (and no event) when nothing changed."""
    check_county(actor, user.county_id)
    values = clean_attributes(party_member, birth_year, rank, today=today or timezone.localdate())
    before = _state(user, ATTRIBUTE_FIELDS)
    if before == values:
        return user
    for name, value in values.items():
        setattr(user, name, value)
    user.save(update_fields=list(ATTRIBUTE_FIELDS))
    record("staff.attributes_set", actor=actor, obj=user, region_code=user.county_id,
           changes=diff(before, values), reason=reason, ip=ip)
    return user


@transaction.atomic
def deactivate_staff(user: User, *, actor, reason: str, ip: str | None = None,
                     today: dt.date | None = None) -> User:
    """停用: the account can no longer log in; its posts end today; tokens and codes are revoked.
    Never deleted: the audit trail names its actors."""
    check_county(actor, user.county_id)
    if not (reason or "").strip():
        raise ValidationError("请填写停用理由")
    if getattr(actor, "pk", None) == user.pk:
        raise ValidationError("不能停用自己的账号")
    today = today or timezone.localdate()
    now = timezone.now()
    before = _state(user, STAFF_FIELDS)
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = list(Post.objects.filter(user=user, ended_on__isnull=True).values_list("pk", flat=True))
    Post.objects.filter(pk__in=ended).update(ended_on=today)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    SetupCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    changes = diff(before, _state(user, STAFF_FIELDS)) | {"posts_ended": ended}
    record("staff.deactivated", actor=actor, obj=user, region_code=user.county_id, changes=changes,
           reason=reason, ip=ip)
    return user


@transaction.atomic
def reactivate_staff(user: User, *, actor, reason: str = "", ip: str | None = None) -> User:
    check_county(actor, user.county_id)
    before = _state(user, STAFF_FIELDS)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record("staff.reactivated", actor=actor, obj=user, region_code=user.county_id,
           changes=diff(before, _state(user, STAFF_FIELDS)), reason=reason, ip=ip)
    return user


# -- one-time codes (the rules are in codes.py) -----------------------------------------------------

def issue_setup_code(user: User, *, actor, ip: str | None = None, now: dt.datetime | None = None) -> str:
    """The system administrator's code for an account of the county (first log-in, SETUP_CODE_HOURS)."""
    check_county(actor, user.county_id)
    return codes.issue(user, actor=actor, purpose=CodePurpose.FIRST_LOGIN, ip=ip, now=now)


# -- units ----------------------------------------------------------------------------------------

def _clean_unit(unit: Unit) -> None:
    if unit.kind not in UnitKind.values:
        raise ValidationError("请选择单位类别")
    if not unit.name.strip():
        raise ValidationError("请填写单位名称")
    if unit.parent_id and unit.parent_id == unit.pk:
        raise ValidationError("上级单位不能是它自己")
    if unit.parent_id:
        parent = Unit.objects.get(pk=unit.parent_id)
        if county_code_of(parent.region_id) != county_code_of(unit.region_id):
            raise ValidationError("上级单位不在本县")


def _save_unit(unit: Unit) -> None:
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError:
        raise ValidationError(f"该区划下已有名为“{unit.name}”的单位") from None


@transaction.atomic
def create_unit(*, actor, name: str, kind: str, region: str, function: str = "", parent_id: int | None = None,
                reason: str = "", ip: str | None = None) -> Unit:
    place = _region(region)
    check_county(actor, _county_of_region(place))
    unit = Unit(name=(name or "").strip(), kind=kind, function=(function or "").strip(), region=place,
                parent_id=parent_id or None)
    _clean_unit(unit)
    _save_unit(unit)
    record("unit.created", actor=actor, obj=unit, changes=diff({}, _state(unit, UNIT_FIELDS)), reason=reason,
           ip=ip)
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, actor, changes: dict[str, Any], reason: str = "", ip: str | None = None) -> Unit:
    check_county(actor, county_code_of(unit.region_id))
    before = _state(unit, UNIT_FIELDS)
    for field in ("name", "kind", "function", "parent_id"):
        if field in changes:
            setattr(unit, field, (changes[field] or "").strip() if field != "parent_id" else changes[field] or None)
    if "region" in changes:
        place = _region(changes["region"])
        check_county(actor, _county_of_region(place))
        unit.region = place
    _clean_unit(unit)
    _save_unit(unit)
    record("unit.updated", actor=actor, obj=unit, changes=diff(before, _state(unit, UNIT_FIELDS)), reason=reason,
           ip=ip)
    return unit


@transaction.atomic
def set_unit_active(unit: Unit, *, actor, active: bool, reason: str, ip: str | None = None) -> Unit:
    """撤销/恢复 a unit. A unit with current posts is not closed: its people move first."""
    check_county(actor, county_code_of(unit.region_id))
    if not active:
        if not (reason or "").strip():
            raise ValidationError("请填写撤销理由")
        today = timezone.localdate()
        if Post.objects.filter(unit=unit).exclude(ended_on__lt=today).exists():
            raise ValidationError("该单位还有在岗人员，请先结束他们的岗位")
    before = _state(unit, UNIT_FIELDS)
    unit.is_active = active
    unit.save(update_fields=["is_active"])
    record("unit.deactivated" if not active else "unit.reactivated", actor=actor, obj=unit,
           changes=diff(before, _state(unit, UNIT_FIELDS)), reason=reason, ip=ip)
    return unit


# -- posts ----------------------------------------------------------------------------------------

POST_FIELDS = ("user_id", "unit_id", "role", "region_id", "started_on", "ended_on")


@transaction.atomic
def add_post(*, actor, user: User, unit: Unit, role: str, region: str | None = None,
             started_on: dt.date | None = None, reason: str = "", ip: str | None = None) -> Post:
    """A post (职务) in a unit covering a region subtree (its jurisdiction), by default the unit's."""
    if role not in Role.values:
        raise ValidationError("请选择职务")
    place = _region(region) if region else unit.region
    county = _county_of_region(place)
    check_county(actor, county)
    if county_code_of(unit.region_id) != county or (user.county_id and user.county_id != county):
        raise ValidationError("人员、单位和辖区必须在同一个县")
    if not unit.is_active:
        raise ValidationError("该单位已撤销")
    if not user.is_active:
        raise ValidationError("该账号已停用")
    if role == Role.SYSADMIN and (place.code != county or unit.kind != UnitKind.LEADERSHIP):
        raise ValidationError("系统管理员岗位须设在县委县政府，辖区为全县")
    post = Post(user=user, unit=unit, role=role, region=place, started_on=started_on or timezone.localdate())
    post.save()
    record("post.created", actor=actor, obj=post, changes=diff({}, _state(post, POST_FIELDS)), reason=reason,
           ip=ip)
    return post


@transaction.atomic
def end_post(post: Post, *, actor, reason: str = "", ended_on: dt.date | None = None,
             ip: str | None = None) -> Post:
    check_county(actor, county_code_of(post.region_id))
    if post.ended_on is not None:
        raise ValidationError("该岗位已结束")
    if getattr(actor, "pk", None) == post.user_id and post.role == Role.SYSADMIN:
        raise ValidationError("不能结束自己的系统管理员岗位")
    before = _state(post, POST_FIELDS)
    post.ended_on = ended_on or timezone.localdate()
    post.save(update_fields=["ended_on"])
    record("post.ended", actor=actor, obj=post, changes=diff(before, _state(post, POST_FIELDS)), reason=reason,
           ip=ip)
    return post


@transaction.atomic
def create_county_admin(*, county: str, username: str, display_name: str = "") -> tuple[User, str]:
    """The first system administrator of a county (the operator's command line): the county's
    leadership unit if missing, the account, its sysadmin post, and a one-time code to print."""
    place = _region(county)
    if place.level != regioncode.COUNTY:
        raise ValidationError(f"“{place.name}”不是县级区划，请给县（区、市）的代码")
    unit = Unit.objects.filter(region=place, kind=UnitKind.LEADERSHIP).order_by("pk").first()
    if unit is None:
        unit = create_unit(actor=None, name="县委县政府",
                           kind=UnitKind.LEADERSHIP, region=place.code, reason="建立县系统管理员")
    user = create_staff(actor=None, county=place.code, username=username, display_name=display_name or username,
                        reason="建立县系统管理员")
    add_post(actor=None, user=user, unit=unit, role=Role.SYSADMIN, region=place.code, reason="建立县系统管理员")
    return user, issue_setup_code(user, actor=None)
