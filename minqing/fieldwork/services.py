"""Every write of field work: validated, in one transaction, with its audit event.

Appeals raised in the field are opened through minqing.appeals.services (register_appeal, and
perform(... "solve_on_spot" ...) when they were solved at the door); FieldAppeal links them to
the visit or activity and holds the phone's client_id, so a resend never opens a second case.
Out of the actor's jurisdiction → PermissionDenied; bad input → ValidationError (Chinese);
an update based on an old version → VersionConflict (never overwritten).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import User, VisitTeam
from minqing.appeals import services as appeal_services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Channel
from minqing.audit.log import record
from minqing.households import services as household_services
from minqing.households.models import Household, Tag
from minqing.lib import regioncode
from minqing.nlp.follow import touch as index_after_commit
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import (
    Activity,
    ActivityKind,
    FieldAppeal,
    HelpKind,
    ListKind,
    ResearchSubtopic,
    ResearchTopic,
    VillageList,
    VillageListItem,
    Visit,
    VisitHelp,
    VisitRound,
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


# --- checks ---------------------------------------------------------------------------------


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


# --- appeals raised in the field ----------------------------------------------------------------


def _clean_appeal_items(items: Iterable[Mapping[str, Any]] | None, *, default_kind: str) -> list[dict[str, Any]]:
    """Validate every appeal of a record before anything is written (one bad item rejects the record)."""
    out = []
    seen: set[str] = set()
    kinds = {k.value for k in wf.Kind}
    for n, item in enumerate(items or (), start=1):
        if not isinstance(item, Mapping):
            raise ValidationError(f"第 {n} 条诉求格式无效")
        title = _text(item.get("title"), 200, f"第 {n} 条诉求标题")
        text = _text(item.get("text"), 5000, f"第 {n} 条诉求内容")
        if not title and text:
            title = text[:30]
        if not title or not text:
            raise ValidationError(f"第 {n} 条诉求：请填写诉求内容")
        kind = (item.get("kind") or default_kind).strip()
        if kind not in kinds:
            raise ValidationError(f"第 {n} 条诉求：诉求类型“{kind}”无效")
        client_id = _text(item.get("client_id"), 64, "诉求编号") or None
        if client_id and client_id in seen:
            raise ValidationError(f"第 {n} 条诉求编号重复")
        if client_id:
            seen.add(client_id)
        solved = bool(item.get("solved_on_spot"))
        what = _text(item.get("what"), 2000, "现场解决情况")
        if solved and not what:
            raise ValidationError(f"第 {n} 条诉求：现场解决须写明解决情况")
        out.append({"client_id": client_id, "title": title, "text": text, "kind": kind, "solved_on_spot": solved,
                    "what": what, "household": item.get("household"), "satisfaction": item.get("satisfaction"),
                    "reporter_name": _text(item.get("reporter_name"), 50, "反映人"),
                    "phone": _text(item.get("phone"), 20, "电话")})
    return out


def _raise_appeal(item: Mapping[str, Any], *, actor: Any, region: Region, channel: str, household: Household | None,
                  received_at: dt.datetime, visit: Visit | None = None, activity: Activity | None = None,
                  now: dt.datetime) -> tuple[FieldAppeal, bool]:
    """Open one appeal (or find the one this client_id already opened). Returns (link, created)."""
    client_id = item.get("client_id")
    if client_id:
        existing = FieldAppeal.objects.filter(client_id=client_id).select_related("appeal").first()
        if existing is not None:
            return existing, False
    appeal = appeal_services.register_appeal(
        actor=actor, region=region, kind=item["kind"], channel=channel, title=item["title"], text=item["text"],
        household=household, reporter_name=item.get("reporter_name") or "", phone=item.get("phone") or "",
        client_id=client_id, received_at=received_at, now=now)
    if item.get("solved_on_spot"):
        try:
            appeal = appeal_services.perform(appeal, "solve_on_spot", actor=actor,
                                             payload={"what": item["what"], "satisfaction": item.get("satisfaction")},
                                             now=max(received_at, appeal.received_at))
        except PermissionDenied as exc:
            raise PermissionDenied("您无权现场解决该诉求，请取消“现场解决”后再提交") from exc
    link = FieldAppeal.objects.create(appeal=appeal, region=appeal.region, visit=visit, activity=activity,
                                      client_id=client_id, solved_on_spot=bool(item.get("solved_on_spot")),
                                      created_at=now)
    return link, True


@transaction.atomic
def raise_appeal(*, actor: Any, region: Region | str, title: str, text: str, kind: str = "problem",
                 household: Household | int | None = None, reporter_name: str = "", phone: str = "",
                 client_id: str | None = None, received_at: dt.datetime | None = None,
                 now: dt.datetime | None = None) -> tuple[FieldAppeal, bool]:
    """A new appeal written on the phone, outside a visit (channel 走访)."""
    now = now or timezone.now()
    received_at = _aware(received_at, "受理时间") if received_at else now
    _not_future(received_at, now, "受理时间")
    place = region if isinstance(region, Region) else _place(actor, region)
    if actor is not None and not jurisdiction.scope_of(actor).sees_place(place.code):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    hh = _visible_household(actor, household) if household else None
    if hh is not None and not regioncode.contains(place.code, hh.region_id):
        raise ValidationError("所选户不在诉求所在地")
    [item] = _clean_appeal_items([{"client_id": client_id, "title": title, "text": text, "kind": kind,
                                   "reporter_name": reporter_name, "phone": phone}], default_kind="problem")
    return _raise_appeal(item, actor=actor, region=place, channel=Channel.VISIT, household=hh,
                         received_at=received_at, now=now)


# --- visits ---------------------------------------------------------------------------------


def _clean_help(items: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    out = []
    for n, item in enumerate(items or (), start=1):
        if not isinstance(item, Mapping):
            raise ValidationError(f"第 {n} 项帮办格式无效")
        kind = (item.get("kind") or "").strip()
        if kind not in HelpKind.values:
            raise ValidationError(f"第 {n} 项帮办：类型“{kind}”无效")
        out.append({"kind": kind, "amount": _money(item.get("amount")), "goods": _text(item.get("goods"), 200, "物品"),
                    "note": _text(item.get("note"), 2000, "帮办说明")})
    return out


def _visit_state(v: Visit) -> dict[str, Any]:
    return {"household": v.household_id, "visited_at": v.visited_at, "note_length": len(v.note),
            "gps": v.latitude is not None, "tags_added": v.tags_added, "tags_removed": v.tags_removed,
            "version": v.version}


def _apply_tags(household: Household, *, actor: Any, add: list[str], remove: list[str], now: dt.datetime) -> None:
    if not add and not remove:
        return
    current = set(household.tags.values_list("code", flat=True))
    wanted = (current | set(add)) - set(remove)
    if wanted != current:
        household_services.update_household(household, actor=actor, changes={}, tags=sorted(wanted),
                                            reason="走访核实", now=now)


@transaction.atomic
def record_visit(*, actor: Any, household: Household | int, visited_at: dt.datetime | str,
                 note: str = "", lat: Any = None, lng: Any = None, tags_add: Iterable[str] = (),
                 tags_remove: Iterable[str] = (), help: Iterable[Mapping[str, Any]] = (),  # noqa: A002
                 appeals: Iterable[Mapping[str, Any]] = (), companions: Iterable[Any] = (),
                 team: VisitTeam | int | None = None, round: VisitRound | int | None = None,  # noqa: A002
                 subtopic: ResearchSubtopic | int | None = None, client_id: str | None = None,
                 device: str = "", now: dt.datetime | None = None) -> tuple[Visit, bool]:
    """入户走访. Returns (visit, created); the same client_id again returns the first visit unchanged."""
    now = now or timezone.now()
    if client_id:
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    hh = _visible_household(actor, household)
    when = _aware(visited_at, "走访时间")
    _not_future(when, now, "走访时间")
    add = _tag_codes(tags_add, "新增标签")
    remove = _tag_codes(tags_remove, "移除标签")
    if set(add) & set(remove):
        raise ValidationError("同一标签不能同时新增和移除")
    help_rows = _clean_help(help)
    items = _clean_appeal_items(appeals, default_kind=wf.Kind.PROBLEM.value)
    latitude = _coordinate(lat, -90, 90, "纬度")
    longitude = _coordinate(lng, -180, 180, "经度")
    if (latitude is None) != (longitude is None):
        raise ValidationError("经纬度须同时填写")
    visit = Visit.objects.create(
        client_id=client_id or None, household=hh, region_id=hh.region_id, visitor=actor,
        team=VisitTeam.objects.filter(pk=getattr(team, "pk", team)).first() if team else None,
        round=VisitRound.objects.filter(pk=getattr(round, "pk", round)).first() if round else None,
        subtopic=ResearchSubtopic.objects.filter(pk=getattr(subtopic, "pk", subtopic)).first() if subtopic else None,
        visited_at=when, latitude=latitude, longitude=longitude, note=_text(note, 10000, "民情日记"),
        tags_added=add, tags_removed=remove, problems_found=bool(items), device=_text(device, 100, "设备"),
        created_by=actor, created_at=now, updated_at=now)
    if companions:
        visit.companions.set(_users(companions))
    VisitHelp.objects.bulk_create([VisitHelp(visit=visit, region_id=hh.region_id, **row) for row in help_rows])
    _apply_tags(hh, actor=actor, add=add, remove=remove, now=now)
    for item in items:
        _raise_appeal(item, actor=actor, region=hh.region, channel=Channel.VISIT, household=hh, received_at=when,
                      visit=visit, now=now)
    changes = _visit_state(visit)
    changes.update({"help": [r["kind"] for r in help_rows], "appeals": len(items)})
    record("field.visit.created", actor=actor, obj=visit, changes=changes, at=now)
    index_after_commit("visit", [visit.pk])
    return visit, True


VISIT_EDITABLE = ("note", "lat", "lng", "visited_at")


@transaction.atomic
def update_visit(visit: Visit | int, *, actor: Any, base_version: int | None, changes: Mapping[str, Any],
                 now: dt.datetime | None = None) -> Visit:
    """Correct a visit (its note, time, place). Appeals and help once recorded are their own records."""
    now = now or timezone.now()
    pk = getattr(visit, "pk", visit)
    row = jurisdiction.visible(actor, Visit).select_for_update().filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if base_version is None or int(base_version) != row.version:
        raise VersionConflict(row.version, base_version)
    if row.visitor_id != actor.pk and not jurisdiction.scope_of(actor).leads(row.region_id):
        raise PermissionDenied("只有走访人或其上级领导可以修改走访记录")
    before = _visit_state(row)
    unknown = sorted(k for k in changes if k not in VISIT_EDITABLE)
    if unknown:
        raise ValidationError(f"字段“{'、'.join(unknown)}”不可修改")
    if "note" in changes:
        row.note = _text(changes["note"], 10000, "民情日记")
    if "visited_at" in changes:
        row.visited_at = _aware(changes["visited_at"], "走访时间")
        _not_future(row.visited_at, now, "走访时间")
    if "lat" in changes or "lng" in changes:
        row.latitude = _coordinate(changes.get("lat"), -90, 90, "纬度")
        row.longitude = _coordinate(changes.get("lng"), -180, 180, "经度")
        if (row.latitude is None) != (row.longitude is None):
            raise ValidationError("经纬度须同时填写")
    after = _visit_state(row)
    if after == before and "note" not in changes:
        return row
    row.version += 1
    row.updated_at = now
    row.save()
    record("field.visit.updated", actor=actor, obj=row, at=now,
           changes={k: [before[k], after[k]] for k in before if before[k] != after[k] and k != "version"}
           | {"version": row.version})
    index_after_commit("visit", [row.pk])
    return row


# --- activities -----------------------------------------------------------------------------


def _activity_state(a: Activity) -> dict[str, Any]:
    return {"kind": a.kind, "region": a.region_id, "held_at": a.held_at, "place": a.place, "topic": a.topic,
            "attendance": a.attendance, "leader": a.leader_id, "subtopic": a.subtopic_id,
            "findings_length": len(a.findings), "decisions_length": len(a.decisions), "version": a.version}


def _attendance(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError("参加人数无效") from exc
    if not 0 <= number <= 100000:
        raise ValidationError("参加人数超出范围")
    return number


@transaction.atomic
def record_activity(*, actor: Any, kind: str, region: Region | str, held_at: dt.datetime | str, place: str = "",
                    topic: str = "", documents: str = "", attendance: Any = None, note: str = "",
                    leader: User | int | None = None, participants: Iterable[Any] = (),
                    subtopic: ResearchSubtopic | int | None = None, findings: str = "", decisions: str = "",
                    appeals: Iterable[Mapping[str, Any]] = (), client_id: str | None = None, device: str = "",
                    now: dt.datetime | None = None) -> tuple[Activity, bool]:
    """院坝会, 宣讲, 农民夜校, 调研, 接待日, 现场办公, 现场调解 … with the appeals heard there.
    At a mediation (田间法庭) the appeals default to kind 矛盾纠纷."""
    now = now or timezone.now()
    if client_id:
        existing = Activity.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    if actor is None or not getattr(actor, "pk", None):
        raise PermissionDenied("请先登录")
    if kind not in ActivityKind.values:
        raise ValidationError(f"活动类型“{kind}”无效")
    where = _place(actor, getattr(region, "code", region), figures=True)
    if regioncode.level_of(where.code) < regioncode.COUNTY:
        raise ValidationError("活动地点须在县、乡镇或村（社区）")
    when = _aware(held_at, "活动时间")
    _not_future(when, now, "活动时间")
    default_kind = wf.Kind.DISPUTE.value if kind == ActivityKind.MEDIATION else wf.Kind.PROBLEM.value
    items = _clean_appeal_items(appeals, default_kind=default_kind)
    households: dict[int, Household] = {}
    for item in items:
        if item.get("household"):
            hh = _visible_household(actor, item["household"])
            if not regioncode.contains(where.code, hh.region_id):
                raise ValidationError("所选户不在活动所在地")
            households[hh.pk] = hh
    sub = None
    if subtopic:
        sub = jurisdiction.visible(actor, ResearchSubtopic).filter(pk=getattr(subtopic, "pk", subtopic)).first()
        if sub is None:
            raise ValidationError("所选调研子课题不存在")
    lead = User.objects.filter(pk=getattr(leader, "pk", leader)).first() if leader else actor
    if lead is None:
        raise ValidationError("所选领导不存在")
    activity = Activity.objects.create(
        client_id=client_id or None, kind=kind, region=where, held_at=when, place=_text(place, 200, "地点"),
        topic=_text(topic, 200, "主题"), documents=_text(documents, 5000, "政策文件"),
        attendance=_attendance(attendance), leader=lead, subtopic=sub, findings=_text(findings, 10000, "调研发现"),
        decisions=_text(decisions, 10000, "议定和解决事项"), note=_text(note, 10000, "备注"),
        device=_text(device, 100, "设备"), created_by=actor, created_at=now, updated_at=now)
    people = {actor.pk, lead.pk} | {int(getattr(p, "pk", p)) for p in participants or ()}
    activity.participants.set(_users(people))
    channel = ACTIVITY_CHANNEL.get(ActivityKind(kind), Channel.MEETING)
    for item in items:
        hh = households.get(int(item["household"])) if item.get("household") else None
        _raise_appeal(item, actor=actor, region=hh.region if hh else where, channel=channel, household=hh,
                      received_at=when, activity=activity, now=now)
    changes = _activity_state(activity) | {"appeals": len(items), "participants": sorted(people)}
    record("field.activity.created", actor=actor, obj=activity, changes=changes, at=now)
    return activity, True


ACTIVITY_EDITABLE = ("place", "topic", "documents", "attendance", "note", "findings", "decisions", "held_at")


@transaction.atomic
def update_activity(activity: Activity | int, *, actor: Any, base_version: int | None, changes: Mapping[str, Any],
                    now: dt.datetime | None = None) -> Activity:
    now = now or timezone.now()
    pk = getattr(activity, "pk", activity)
    row = jurisdiction.visible(actor, Activity).select_for_update().filter(pk=pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if base_version is None or int(base_version) != row.version:
        raise VersionConflict(row.version, base_version)
    if actor.pk not in (row.created_by_id, row.leader_id) and not jurisdiction.scope_of(actor).leads(row.region_id):
        raise PermissionDenied("只有记录人、主持领导或其上级领导可以修改活动记录")
    unknown = sorted(k for k in changes if k not in ACTIVITY_EDITABLE)
    if unknown:
        raise ValidationError(f"字段“{'、'.join(unknown)}”不可修改")
    before = _activity_state(row)
    limits = {"place": (200, "地点"), "topic": (200, "主题"), "documents": (5000, "政策文件"), "note": (10000, "备注"),
              "findings": (10000, "调研发现"), "decisions": (10000, "议定和解决事项")}
    for name, value in changes.items():
        if name in limits:
            setattr(row, name, _text(value, *limits[name]))
    if "attendance" in changes:
        row.attendance = _attendance(changes["attendance"])
    if "held_at" in changes:
        row.held_at = _aware(changes["held_at"], "活动时间")
        _not_future(row.held_at, now, "活动时间")
    row.version += 1
    row.updated_at = now
    row.save()
    after = _activity_state(row)
    record("field.activity.updated", actor=actor, obj=row, at=now,
           changes={k: [before[k], after[k]] for k in before if before[k] != after[k]})
    return row


# --- research topics, rounds and the three lists ----------------------------------------------


@transaction.atomic
def create_topic(*, actor: Any, region: Region | str, title: str, leader: User, year: int, plan: str = "",
                 subtopics: Iterable[Mapping[str, Any]] = (), now: dt.datetime | None = None) -> ResearchTopic:
    """调研课题 with its 子课题 ({"title", "leader", "plan", "due_on"})."""
    now = now or timezone.now()
    where = region if isinstance(region, Region) else _place(actor, region)
    if actor is not None and not jurisdiction.scope_of(actor).leads(where.code):
        raise PermissionDenied("只有领导可以设立调研课题")
    title = _text(title, 200, "课题名称")
    if not title:
        raise ValidationError("请填写课题名称")
    topic = ResearchTopic.objects.create(region=where, title=title, leader=leader, year=year,
                                         plan=_text(plan, 10000, "调研计划"), created_at=now)
    for sub in subtopics:
        name = _text(sub.get("title"), 200, "子课题名称")
        if not name:
            raise ValidationError("请填写子课题名称")
        ResearchSubtopic.objects.create(topic=topic, region=where, title=name, leader=sub.get("leader") or leader,
                                        plan=_text(sub.get("plan"), 10000, "子课题计划"), due_on=sub.get("due_on"),
                                        created_at=now)
    record("field.topic.created", actor=actor, obj=topic, changes={"title": title, "year": year,
                                                                    "subtopics": topic.subtopics.count()}, at=now)
    return topic


@transaction.atomic
def record_findings(subtopic: ResearchSubtopic, *, actor: Any, findings: str, now: dt.datetime | None = None
                    ) -> ResearchSubtopic:
    now = now or timezone.now()
    row = jurisdiction.visible(actor, ResearchSubtopic).select_for_update().filter(pk=subtopic.pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if actor.pk not in (row.leader_id, row.topic.leader_id):
        raise PermissionDenied("只有课题负责领导可以填写调研成果")
    row.findings = _text(findings, 20000, "调研成果")
    row.save(update_fields=["findings"])
    record("field.subtopic.findings", actor=actor, obj=row, changes={"length": len(row.findings)}, at=now)
    return row


ROUND_RESULTS = ("households_visited", "households_with_problems", "sent_to_township", "sent_to_county")


def round_results_from_visits(rnd: VisitRound) -> dict[str, int]:
    """The funnel of a round counted from its visits: households visited, with an appeal, whose
    appeal reached the township, the county (appeals' max_level)."""
    visits = Visit.objects.alive().filter(round=rnd)
    visited = visits.values("household").distinct().count()
    appeals = Appeal.objects.alive().filter(field_origin__visit__round=rnd)
    found = appeals.values("household").distinct().count()
    township = appeals.filter(max_level__in=(wf.Level.TOWNSHIP.value, wf.Level.COUNTY.value)) \
        .values("household").distinct().count()
    county = appeals.filter(max_level=wf.Level.COUNTY.value).values("household").distinct().count()
    return {"households_visited": visited, "households_with_problems": found, "sent_to_township": township,
            "sent_to_county": county}


@transaction.atomic
def set_round_results(rnd: VisitRound, *, actor: Any, results: Mapping[str, int] | None = None,
                      now: dt.datetime | None = None) -> VisitRound:
    """Enter (or count from its visits, when `results` is None) a round's funnel. Each stage is a
    subset of the one before it."""
    now = now or timezone.now()
    row = jurisdiction.visible(actor, VisitRound).select_for_update().filter(pk=rnd.pk).first() \
        if actor is not None else VisitRound.objects.select_for_update().get(pk=rnd.pk)
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    values = dict(results) if results is not None else round_results_from_visits(row)
    numbers = []
    for name in ROUND_RESULTS:
        try:
            number = int(values.get(name, 0))
        except (TypeError, ValueError) as exc:
            raise ValidationError("走访结果须为整数") from exc
        if number < 0:
            raise ValidationError("走访结果不能为负数")
        numbers.append(number)
    if any(later > earlier for earlier, later in zip(numbers, numbers[1:], strict=False)):
        raise ValidationError("走访结果应逐级递减：走访户数 ≥ 发现问题户数 ≥ 提交乡镇研判户数 ≥ 提交县级户数")
    before = {n: getattr(row, n) for n in ROUND_RESULTS}
    for name, number in zip(ROUND_RESULTS, numbers, strict=True):
        setattr(row, name, number)
    row.updated_at = now
    row.save()
    record("field.round.results", actor=actor, obj=row, at=now,
           changes={n: [before[n], getattr(row, n)] for n in ROUND_RESULTS})
    return row


@transaction.atomic
def prepare_lists(*, actor: Any, village: Region | str, title: str, items: Mapping[str, Iterable[str]],
                  round: VisitRound | None = None, prepared_on: dt.date | None = None,  # noqa: A002
                  now: dt.datetime | None = None) -> VillageList:
    """三张清单: {"policy": [...], "service": [...], "question": [...]} for a village."""
    now = now or timezone.now()
    where = village if isinstance(village, Region) else _place(actor, village)
    if regioncode.level_of(where.code) != regioncode.VILLAGE:
        raise ValidationError("三张清单须对应一个村（社区）")
    if actor is not None and not jurisdiction.scope_of(actor).sees_place(where.code):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    unknown = sorted(k for k in items if k not in ListKind.values)
    if unknown:
        raise ValidationError(f"未知清单：{'、'.join(unknown)}")
    lst = VillageList.objects.create(region=where, round=round, title=_text(title, 200, "标题") or "三张清单",
                                     prepared_on=prepared_on or timezone.localdate(now),
                                     prepared_by=actor if getattr(actor, "pk", None) else None, created_at=now)
    rows = []
    for kind, texts in items.items():
        for position, text in enumerate(texts):
            clean = _text(text, 300, "清单事项")
            if clean:
                rows.append(VillageListItem(village_list=lst, region=where, kind=kind, text=clean, position=position))
    VillageListItem.objects.bulk_create(rows)
    record("field.lists.prepared", actor=actor, obj=lst, at=now, changes={"items": len(rows)})
    return lst


@transaction.atomic
def tick_item(item: VillageListItem, *, actor: Any, note: str = "", done: bool = True,
              now: dt.datetime | None = None) -> VillageListItem:
    now = now or timezone.now()
    row = jurisdiction.visible(actor, VillageListItem).select_for_update().filter(pk=item.pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    row.done_at = now if done else None
    row.done_by = actor if done else None
    row.done_note = _text(note, 300, "完成情况")
    row.save()
    record("field.lists.ticked", actor=actor, obj=row, at=now, changes={"done": done})
    return row


# --- desk additions: rounds, sub-topics and conclusions entered by township and county staff -------


@transaction.atomic
def create_round(*, actor: Any, team: VisitTeam | int, year: int, number: int, started_on: dt.date,
                 ended_on: dt.date | None = None, villages: Iterable[Region | str] = (), summary: str = "",
                 now: dt.datetime | None = None) -> VisitRound:
    """A round (轮次) of a 五人走访组; only a leader of the team's place opens one. The villages
    must lie inside the team's place; a team numbers its rounds once a year."""
    now = now or timezone.now()
    row = VisitTeam.objects.filter(pk=getattr(team, "pk", team)).first()
    if row is None:
        raise ValidationError("所选走访组不存在")
    scope = jurisdiction.scope_of(actor) if actor is not None else None
    if scope is not None and not scope.sees_figures(row.region_id):
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if scope is not None and not scope.leads(row.region_id):
        raise PermissionDenied("只有走访组所在地的领导可以安排走访轮次")
    try:
        year, number = int(year), int(number)
    except (TypeError, ValueError) as exc:
        raise ValidationError("年度和轮次须为整数") from exc
    if not 2000 <= year <= 2100:
        raise ValidationError("年度无效")
    if not 1 <= number <= 52:
        raise ValidationError("轮次须在 1 到 52 之间")
    if ended_on and ended_on < started_on:
        raise ValidationError("结束日期不能早于开始日期")
    if VisitRound.objects.filter(team=row, year=year, number=number).exists():
        raise ValidationError(f"{row.name} {year} 年第 {number} 轮已存在")
    codes = sorted({getattr(v, "code", v) for v in villages})
    places = list(Region.objects.filter(code__in=codes))
    if len(places) != len(codes):
        raise ValidationError("所选村（社区）不存在")
    outside = [p.name for p in places if not regioncode.contains(row.region_id, p.code)
               or regioncode.level_of(p.code) != regioncode.VILLAGE]
    if outside:
        raise ValidationError(f"{'、'.join(outside)}不是该走访组所在地的村（社区）")
    rnd = VisitRound.objects.create(team=row, region_id=row.region_id, year=year, number=number,
                                    started_on=started_on, ended_on=ended_on,
                                    summary=_text(summary, 10000, "小结"), created_at=now, updated_at=now)
    rnd.villages.set(places)
    record("field.round.created", actor=actor, obj=rnd, at=now,
           changes={"team": row.pk, "year": year, "number": number, "villages": codes})
    return rnd


@transaction.atomic
def add_subtopic(topic: ResearchTopic, *, actor: Any, title: str, leader: User | None = None, plan: str = "",
                 due_on: dt.date | None = None, now: dt.datetime | None = None) -> ResearchSubtopic:
    """子课题 under a topic: by the topic's leader or a leader of its place."""
    now = now or timezone.now()
    row = jurisdiction.visible(actor, ResearchTopic).filter(pk=topic.pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if actor.pk != row.leader_id and not jurisdiction.scope_of(actor).leads(row.region_id):
        raise PermissionDenied("只有课题负责领导可以增加子课题")
    name = _text(title, 200, "子课题名称")
    if not name:
        raise ValidationError("请填写子课题名称")
    sub = ResearchSubtopic.objects.create(topic=row, region_id=row.region_id, title=name, leader=leader or row.leader,
                                          plan=_text(plan, 10000, "子课题计划"), due_on=due_on, created_at=now)
    record("field.subtopic.created", actor=actor, obj=sub, at=now,
           changes={"topic": row.pk, "title": name, "leader": sub.leader_id})
    return sub


@transaction.atomic
def record_conclusions(topic: ResearchTopic, *, actor: Any, conclusions: str,
                       now: dt.datetime | None = None) -> ResearchTopic:
    """The topic's conclusions, by its leader or a leader of its place."""
    now = now or timezone.now()
    row = jurisdiction.visible(actor, ResearchTopic).select_for_update().filter(pk=topic.pk).first()
    if row is None:
        raise PermissionDenied(OUT_OF_JURISDICTION)
    if actor.pk != row.leader_id and not jurisdiction.scope_of(actor).leads(row.region_id):
        raise PermissionDenied("只有课题负责领导可以填写课题结论")
    row.conclusions = _text(conclusions, 20000, "课题结论")
    row.save(update_fields=["conclusions"])
    record("field.topic.conclusions", actor=actor, obj=row, changes={"length": len(row.conclusions)}, at=now)
    return row
