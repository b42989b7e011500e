"""The set-up services through the JSON API (/api/v1/setup/…), for a county's system administrator.
The same service functions as the pages: the same checks, the same audit events."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from pydantic import conint

from minqing.accounts import services
from minqing.accounts.admins import county_of
from minqing.accounts.models import Post, Unit, User
from minqing.appeals import dispatch
from minqing.appeals.models import DeadlineRule, DispatchRule
from minqing.lib import regioncode, schedule
from minqing.regions.models import Region

from . import rules
from .access import client_ip

router = Router(tags=["setup"])


def _county(request) -> str:
    code = county_of(request.user)
    if code is None:
        raise PermissionDenied("只有县系统管理员可以进行系统设置")
    return code


def _county_or_404(request) -> str:
    """For a URL that names one set-up object: to someone who administers no county, no county's
    object exists (404, like any record out of reach); lists and creation answer 403 instead."""
    code = county_of(request.user)
    if code is None:
        raise Http404
    return code


class StaffIn(Schema):
    username: str
    display_name: str


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    is_active: bool
    password_set: bool
    party_member: bool | None = None
    birth_year: int | None = None
    rank: str = ""


class StaffAttributesIn(Schema):
    party_member: bool | None = Field(None, description="党员: true, false, or null when not known")
    birth_year: int | None = Field(None, description="year of birth (35岁以下 is counted from it)")
    rank: str = Field("", description="职级 code: county_principal … village, other; empty when not known")


class StaffReasonIn(Schema):
    reason: str = ""


class CodeOut(Schema):
    code: str
    expires_in_hours: int


class PostIn(Schema):
    unit_id: int
    role: str
    region: str | None = None
    started_on: dt.date | None = None


class PostOut(Schema):
    id: int
    unit_id: int
    role: str
    region_id: str
    started_on: dt.date | None
    ended_on: dt.date | None


class UnitIn(Schema):
    name: str
    kind: str
    region: str
    function: str = ""
    parent_id: int | None = None


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    function: str
    region_id: str
    parent_id: int | None
    is_active: bool


class CategoryIn(Schema):
    name: str
    parent_id: int | None = None
    gbt_code: str = ""
    default_unit_function: str = ""


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    level: int
    gbt_code: str
    is_active: bool


class DeadlineRuleIn(Schema):
    stage: str
    amount: int
    unit: str
    kind: str = ""
    category_id: int | None = None
    urgency: str = ""


class DeadlineRuleOut(DeadlineRuleIn):
    id: int
    is_active: bool


class ScheduleIn(Schema):
    text: str
    reason: str = ""


class ScheduleOut(Schema):
    year: int
    known: bool
    text: str
    missing_years: list[int]


class ScheduleSaved(Schema):
    days: int
    changed: int
    recomputed: int


def _staff_out(u: User) -> dict:
    return {"id": u.pk, "username": u.username, "display_name": u.display_name, "is_active": u.is_active,
            "password_set": u.has_usable_password(), "party_member": u.party_member, "birth_year": u.birth_year,
            "rank": u.rank}


def _staff(request, pk: int) -> User:
    return get_object_or_404(User, pk=pk, county_id=_county_or_404(request))


@router.get("/staff", response=list[StaffOut])
def list_staff(request):
    return [_staff_out(u) for u in User.objects.filter(county_id=_county(request)).order_by("username")]


@router.post("/staff", response={201: StaffOut})
def create_staff(request, body: StaffIn):
    user = services.create_staff(actor=request.user, county=_county(request), username=body.username,
                                 display_name=body.display_name, ip=client_ip(request))
    return 201, _staff_out(user)


@router.put("/staff/{pk}/attributes", response=StaffOut, summary="Set a cadre's party membership, birth year, rank")
def set_staff_attributes(request, pk: int, body: StaffAttributesIn):
    return _staff_out(services.set_attributes(_staff(request, pk), actor=request.user, ip=client_ip(request),
                                              party_member=body.party_member, birth_year=body.birth_year,
                                              rank=body.rank))


@router.post("/staff/{pk}/deactivate", response=StaffOut)
def deactivate_staff(request, pk: int, body: StaffReasonIn):
    return _staff_out(services.deactivate_staff(_staff(request, pk), actor=request.user, reason=body.reason,
                                                ip=client_ip(request)))


@router.post("/staff/{pk}/code", response=CodeOut)
def issue_code(request, pk: int):
    """A one-time code for the person to set their password; returned once, stored hashed."""
    code = services.issue_setup_code(_staff(request, pk), actor=request.user, ip=client_ip(request))
    return {"code": code, "expires_in_hours": services.SETUP_CODE_HOURS}


@router.post("/staff/{pk}/posts", response={201: PostOut})
def add_post(request, pk: int, body: PostIn):
    county = _county_or_404(request)
    low, high = regioncode.subtree_range(county)
    unit = get_object_or_404(Unit, pk=body.unit_id, region_id__gte=low, region_id__lte=high)
    return 201, services.add_post(actor=request.user, user=_staff(request, pk), unit=unit, role=body.role,
                                  region=body.region, started_on=body.started_on, ip=client_ip(request))


@router.post("/posts/{pk}/end", response=PostOut)
def end_post(request, pk: int, body: StaffReasonIn):
    post = get_object_or_404(Post, pk=pk, user__county_id=_county_or_404(request))
    return services.end_post(post, actor=request.user, reason=body.reason, ip=client_ip(request))


@router.get("/units", response=list[UnitOut])
def list_units(request):
    low, high = regioncode.subtree_range(_county(request))
    return list(Unit.objects.filter(region_id__gte=low, region_id__lte=high).order_by("region_id", "name"))


@router.post("/units", response={201: UnitOut})
def create_unit(request, body: UnitIn):
    _county(request)
    return 201, services.create_unit(actor=request.user, ip=client_ip(request), **body.dict())


@router.post("/categories", response={201: CategoryOut})
def create_category(request, body: CategoryIn):
    _county(request)
    return 201, rules.save_category(None, actor=request.user, ip=client_ip(request), **body.dict())


@router.get("/deadline-rules", response=list[DeadlineRuleOut])
def list_deadline_rules(request):
    _county(request)
    return list(DeadlineRule.objects.order_by("-is_active", "stage", "pk"))


@router.post("/deadline-rules", response={201: DeadlineRuleOut})
def create_deadline_rule(request, body: DeadlineRuleIn):
    _county(request)
    return 201, rules.save_deadline_rule(None, actor=request.user, ip=client_ip(request), **body.dict())


@router.get("/holidays/{year}", response=ScheduleOut)
def get_holidays(request, year: int):
    _county_or_404(request)
    return {"year": year, "known": year in rules.deadlines.calendar().known_years,
            "text": schedule.render(rules.year_days(year)), "missing_years": rules.years_to_enter()}


@router.put("/holidays/{year}", response=ScheduleSaved)
def put_holidays(request, year: int, body: ScheduleIn):
    """Enter the year's State Council schedule; open appeals' estimated deadlines are recomputed."""
    _county_or_404(request)
    return rules.enter_year_schedule(actor=request.user, year=year, text=body.text, reason=body.reason,
                                     ip=client_ip(request))


# -- the dispatch catalogue (派单目录) -------------------------------------------------------------


class DispatchRuleIn(Schema):
    category_id: int = Field(..., ge=1, le=2**31 - 1)
    region: str = Field(..., max_length=12, description="地点代码（县或乡镇）")
    unit_id: int = Field(..., ge=1, le=2**31 - 1, description="主办单位")
    co_unit_ids: list[conint(ge=1, le=2**31 - 1)] = Field(default_factory=list, max_length=20,
                                                          description="默认协办单位")
    duty: str = Field("", max_length=200, description="对应的权责清单事项")


class DispatchRuleOut(Schema):
    id: int
    category_id: int
    region_id: str
    unit_id: int
    co_unit_ids: list[int]
    duty: str
    version: int
    is_current: bool
    created_at: dt.datetime
    retired_at: dt.datetime | None

    @staticmethod
    def resolve_co_unit_ids(obj) -> list[int]:
        return sorted(u.pk for u in obj.co_units.all())


class ReturnDaysIn(Schema):
    return_days: int = Field(..., ge=0, le=10, description="收到后多少个工作日内可退单")


class ReturnDaysOut(Schema):
    return_days: int


@router.get("/dispatch-rules", response=list[DispatchRuleOut])
def list_dispatch_rules(request, history: bool = False):
    """The county's current catalogue (history=true: every version, the retired ones too)."""
    low, high = regioncode.subtree_range(_county(request))
    qs = DispatchRule.objects.filter(region_id__gte=low, region_id__lte=high).prefetch_related("co_units")
    return list((qs if history else qs.filter(is_current=True)).order_by("category_id", "region_id", "-version"))


@router.post("/dispatch-rules", response={201: DispatchRuleOut})
def save_dispatch_rule(request, body: DispatchRuleIn):
    """A new entry, or a new version of the (category, place) entry; the previous version is kept."""
    county = Region.objects.get(code=_county(request))
    return 201, dispatch.save_rule(actor=request.user, county=county, category_id=body.category_id,
                                   region_code=body.region, unit_id=body.unit_id, co_unit_ids=body.co_unit_ids,
                                   duty=body.duty, ip=client_ip(request))


@router.put("/dispatch-settings", response=ReturnDaysOut)
def put_dispatch_settings(request, body: ReturnDaysIn):
    county = Region.objects.get(code=_county(request))
    return dispatch.set_return_days(county, body.return_days, actor=request.user, ip=client_ip(request))
