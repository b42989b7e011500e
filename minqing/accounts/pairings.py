"""包联 pairings (a cadre answers for a village) and 五人走访组 visit teams, written by the county's
system administrator: one atomic function per change, each with its audit event. Nothing is
deleted: a pairing ends on a date; a team member leaves by a recorded event."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.regions.models import Region

from .admins import check_county, county_code_of
from .models import Pairing, User, VisitTeam, VisitTeamMember
from .roles import TeamRole


def _village(code: str) -> Region:
    region = Region.objects.filter(code=code, level=regioncode.VILLAGE).first()
    if region is None:
        raise ValidationError("请选择一个村（社区）")
    return region


def _same_county(user: User, county: str) -> None:
    if user.county_id != county:
        raise ValidationError("该人员不是本县的账号")
    if not user.is_active:
        raise ValidationError("该账号已停用")


@transaction.atomic
def create_pairing(*, actor, cadre: User, village: str, started_on: dt.date | None = None, reason: str = "",
                   ip: str | None = None) -> Pairing:
    place = _village(village)
    county = county_code_of(place.code)
    check_county(actor, county)
    _same_county(cadre, county)
    if Pairing.objects.filter(cadre=cadre, region=place, household__isnull=True, ended_on__isnull=True).exists():
        raise ValidationError("该干部已包联这个村")
    pairing = Pairing.objects.create(cadre=cadre, region=place, started_on=started_on or timezone.localdate())
    record("pairing.created", actor=actor, obj=pairing, reason=reason, ip=ip,
           changes={"cadre": [None, cadre.username], "village": [None, place.name],
                    "started_on": [None, pairing.started_on]})
    return pairing


@transaction.atomic
def end_pairing(pairing: Pairing, *, actor, reason: str = "", ended_on: dt.date | None = None,
                ip: str | None = None) -> Pairing:
    check_county(actor, county_code_of(pairing.region_id))
    if pairing.ended_on is not None:
        raise ValidationError("该包联已结束")
    pairing.ended_on = ended_on or timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    record("pairing.ended", actor=actor, obj=pairing, changes={"ended_on": [None, pairing.ended_on]},
           reason=reason, ip=ip)
    return pairing


@transaction.atomic
def create_visit_team(*, actor, county: str, name: str, year: int, villages: list[str], reason: str = "",
                      ip: str | None = None) -> VisitTeam:
    check_county(actor, county)
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写走访组名称")
    places = [_village(code) for code in villages]
    if not places:
        raise ValidationError("请选择要走访的村")
    if any(county_code_of(p.code) != county for p in places):
        raise ValidationError("所选的村不在本县")
    team = VisitTeam.objects.create(name=name[:100], region_id=county, year=int(year))
    team.villages.set(places)
    record("visit_team.created", actor=actor, obj=team, reason=reason, ip=ip,
           changes={"name": [None, team.name], "year": [None, team.year],
                    "villages": [None, sorted(p.code for p in places)]})
    return team


@transaction.atomic
def add_team_member(team: VisitTeam, *, actor, user: User, role: str, reason: str = "",
                    ip: str | None = None) -> VisitTeamMember:
    check_county(actor, team.region_id)
    _same_county(user, county_code_of(team.region_id))
    if role not in TeamRole.values:
        raise ValidationError("请选择组内角色")
    if VisitTeamMember.objects.filter(team=team, user=user).exists():
        raise ValidationError("此人已在该走访组")
    member = VisitTeamMember.objects.create(team=team, user=user, role=role)
    record("visit_team.member_added", actor=actor, obj=team, region_code=team.region_id, reason=reason, ip=ip,
           changes={"member": [None, user.username], "role": [None, role]})
    return member
