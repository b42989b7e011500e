"""Every write of enterprise liaison: registering enterprises and projects, pairing leaders,
recording visits, and opening the appeals a visit raises (through minqing.appeals.services, so
they are routed and supervised like any other). Validated, one transaction, audit event each.

Visits made offline carry the phone's client_id: the same id again returns the first visit and
its appeals unchanged (POST /api/v1/enterprises/visits is the sync route for them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minqing.accounts.admins import county_of
from minqing.accounts.models import Post, User
from minqing.accounts.roles import Role
from minqing.appeals import services as appeal_services
from minqing.appeals.models import Appeal, Channel
from minqing.audit.log import record
from minqing.households import crypto
from minqing.lib import regioncode
from minqing.lib.masking import mask_phone
from minqing.lib.phone import PhoneError, clean_phone
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import Enterprise, EnterpriseAppeal, EnterpriseKind, EnterpriseVisit, LiaisonPairing

OUT_OF_JURISDICTION = "不在您的管辖范围内"
LIAISON_ROLES = (Role.COUNTY_SECRETARY, Role.COUNTY_HEAD, Role.COUNTY_LEADER, Role.DEPT_HEAD)
FUTURE_SLACK = dt.timedelta(minutes=10)


def _text(value: Any, limit: int, label: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise ValidationError(f"{label}不能超过 {limit} 个字")
    return text


def _aware(value: Any, label: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValidationError(f"{label}格式无效，应为 ISO 时间") from exc
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"请填写{label}")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _may_manage(actor: Any, code: str) -> None:
    """County or township leaders covering the place register enterprises and pair leaders."""
    if actor is None:
        return
    scope = jurisdiction.scope_of(actor)
    admin_of = county_of(actor)  # the county's system administrator sets the register up too
    if not (scope.is_superuser or scope.leads(code) or (admin_of and regioncode.contains(admin_of, code))):
        raise PermissionDenied("只有辖区领导可以登记重点企业（项目）和安排联系领导")


def _phone(phone: str) -> dict[str, str]:
    if not phone:
        return {"phone_enc": "", "phone_hash": "", "phone_masked": ""}
    try:
        clean = clean_phone(phone)
    except PhoneError as exc:
        raise ValidationError(str(exc)) from exc
    return {"phone_enc": crypto.encrypt(clean), "phone_hash": crypto.lookup_hash(clean),
            "phone_masked": mask_phone(clean)}


def _region(code: Any) -> Region:
    try:
        normalized = regioncode.normalize(getattr(code, "code", code))
    except (regioncode.RegionCodeError, TypeError, ValueError) as exc:
        raise ValidationError(f"区划“{code}”无效") from exc
    region = Region.objects.filter(code=normalized).first()
    if region is None:
        raise ValidationError(f"区划“{code}”不存在")
    return region


@transaction.atomic
def register_enterprise(*, actor: Any, region: Region | str, name: str, kind: str, sector: str = "",
                        address: str = "", contact_name: str = "", phone: str = "", note: str = "",
                        now: dt.datetime | None = None) -> Enterprise:
    now = now or timezone.now()
    place = _region(region)
    if regioncode.level_of(place.code) < regioncode.COUNTY:
        raise ValidationError("重点企业（项目）须登记到县、乡镇或村")
    _may_manage(actor, place.code)
    if kind not in EnterpriseKind.values:
        raise ValidationError(f"类型“{kind}”无效")
    name = _text(name, 200, "名称")
    if not name:
        raise ValidationError("请填写企业（项目）名称")
    ent = Enterprise.objects.create(
        region=place, name=name, kind=kind, sector=_text(sector, 100, "行业"), address=_text(address, 200, "地址"),
        contact_name=_text(contact_name, 50, "联系人"), note=_text(note, 5000, "备注"), created_at=now,
        updated_at=now, **_phone(phone))
    record("enterprise.created", actor=actor, obj=ent, at=now,
           changes={"name": name, "kind": kind, "region": place.code, "phone": ent.phone_masked})
    return ent


def liaison_roles_of(user: User | int, on: dt.date) -> set[str]:
    """The liaison posts the person holds at some time from `on` to today (a pairing may be
    entered for a post that began after the date written on it, or back-dated)."""
    uid = getattr(user, "pk", user)
    latest = max(on, timezone.localdate())
    return set(Post.objects.filter(user_id=uid, role__in=[str(r) for r in LIAISON_ROLES])
               .filter(Q(started_on__isnull=True) | Q(started_on__lte=latest))
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on)).values_list("role", flat=True))


@transaction.atomic
def pair_leader(enterprise: Enterprise, leader: User, *, actor: Any, started_on: dt.date | None = None,
                now: dt.datetime | None = None) -> LiaisonPairing:
    """Pair a county leader or department head with an enterprise (一张表、心连心)."""
    now = now or timezone.now()
    started_on = started_on or timezone.localdate(now)
    _may_manage(actor, enterprise.region_id)
    if not liaison_roles_of(leader, started_on):
        raise ValidationError("联系领导须为县级领导或县级部门主要负责人")
    if LiaisonPairing.objects.filter(enterprise=enterprise, leader=leader, ended_on__isnull=True).exists():
        raise ValidationError("该领导已联系此企业（项目）")
    pairing = LiaisonPairing.objects.create(enterprise=enterprise, leader=leader, region_id=enterprise.region_id,
                                            started_on=started_on, created_at=now)
    record("enterprise.paired", actor=actor, obj=pairing, at=now,
           changes={"enterprise": enterprise.pk, "leader": leader.pk, "started_on": started_on})
    return pairing


@transaction.atomic
def end_pairing(pairing: LiaisonPairing, *, actor: Any, ended_on: dt.date | None = None,
                now: dt.datetime | None = None) -> LiaisonPairing:
    now = now or timezone.now()
    _may_manage(actor, pairing.region_id)
    ended_on = ended_on or timezone.localdate(now)
    if pairing.ended_on is not None:
        raise ValidationError("该联系已结束")
    if ended_on < pairing.started_on:
        raise ValidationError("结束日期不能早于开始日期")
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    record("enterprise.unpaired", actor=actor, obj=pairing, at=now, changes={"ended_on": ended_on})
    return pairing


def _clean_appeals(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out, seen = [], set()
    for n, item in enumerate(items or (), start=1):
        if not isinstance(item, Mapping):
            raise ValidationError(f"第 {n} 条诉求格式无效")
        text = _text(item.get("text"), 5000, f"第 {n} 条诉求内容")
        title = _text(item.get("title"), 200, f"第 {n} 条诉求标题") or text[:30]
        if not text:
            raise ValidationError(f"第 {n} 条诉求：请填写诉求内容")
        cid = _text(item.get("client_id"), 64, "诉求编号") or None
        if cid and cid in seen:
            raise ValidationError(f"第 {n} 条诉求编号重复")
        seen.add(cid)
        # the category the visitor chose (code or id); none leaves it to the classifier at registration
        out.append({"title": title, "text": text, "client_id": cid, "category": item.get("category") or None})
    return out


def _raise(enterprise: Enterprise, item: Mapping[str, Any], *, actor: Any, visit: EnterpriseVisit | None,
           received_at: dt.datetime, now: dt.datetime) -> tuple[EnterpriseAppeal, bool]:
    cid = item.get("client_id")
    if cid:
        found = EnterpriseAppeal.objects.filter(client_id=cid).first()
        if found is not None:
            return found, False
    appeal = appeal_services.register_appeal(
        actor=actor, region=enterprise.region_id, kind="problem", channel=Channel.VISIT,
        title=f"{enterprise.name}：{item['title']}"[:200], text=item["text"], reporter_name=enterprise.contact_name,
        category=item.get("category"), client_id=cid, received_at=received_at, now=now)
    link = EnterpriseAppeal.objects.create(appeal=appeal, enterprise=enterprise, visit=visit,
                                           region_id=enterprise.region_id, client_id=cid, created_at=now)
    return link, True


def _visible_enterprise(actor: Any, enterprise: Enterprise | int | None) -> Enterprise:
    pk = getattr(enterprise, "pk", enterprise)
    if pk is None or isinstance(pk, bool):
        raise ValidationError("请选择企业（项目）")
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise ValidationError("所选企业（项目）无效") from exc
    if not Enterprise.objects.alive().filter(pk=pk).exists():
        raise ValidationError("所选企业（项目）不存在")
    found = jurisdiction.visible(actor, Enterprise).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    return found


@transaction.atomic
def record_visit(*, actor: Any, enterprise: Enterprise | int, visited_at: dt.datetime | str, raised: str = "",
                 note: str = "", appeals: Iterable[Mapping[str, Any]] = (), client_id: str | None = None,
                 device: str = "", now: dt.datetime | None = None) -> tuple[EnterpriseVisit, bool]:
    """深入企业: one visit by the actor. Returns (visit, created); a resent client_id returns the first."""
    now = now or timezone.now()
    if client_id:
        existing = EnterpriseVisit.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    ent = _visible_enterprise(actor, enterprise)
    when = _aware(visited_at, "走访时间")
    if when > now + FUTURE_SLACK:
        raise ValidationError("走访时间不能晚于当前时间")
    items = _clean_appeals(appeals)
    visit = EnterpriseVisit.objects.create(
        client_id=client_id or None, enterprise=ent, region_id=ent.region_id, visitor=actor, visited_at=when,
        raised=_text(raised, 5000, "企业反映的问题"), note=_text(note, 5000, "备注"), device=_text(device, 100, "设备"),
        created_by=actor, created_at=now, updated_at=now)
    for item in items:
        _raise(ent, item, actor=actor, visit=visit, received_at=when, now=now)
    record("enterprise.visited", actor=actor, obj=visit, at=now,
           changes={"enterprise": ent.pk, "visited_at": when, "appeals": len(items)})
    return visit, True


@transaction.atomic
def raise_appeal(enterprise: Enterprise, *, actor: Any, title: str, text: str, visit: EnterpriseVisit | None = None,
                 category: Any = None, client_id: str | None = None, now: dt.datetime | None = None
                 ) -> tuple[Appeal, bool]:
    """An appeal of the enterprise outside a visit (or added to one afterwards)."""
    now = now or timezone.now()
    [item] = _clean_appeals([{"title": title, "text": text, "client_id": client_id, "category": category}])
    link, created = _raise(enterprise, item, actor=actor, visit=visit, received_at=now, now=now)
    if created:
        record("enterprise.appeal_raised", actor=actor, obj=enterprise, at=now,
               changes={"appeal": link.appeal_id, "visit": getattr(visit, "pk", None)})
    return link.appeal, created
