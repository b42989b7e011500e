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
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import User, VisitTeam
from minqing.appeals import services as appeal_services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Channel
from minqing.audit.log import record
from minqing.households import services as household_services
from minqing.households.models import Household
from minqing.lib import regioncode
from minqing.nlp.follow import touch as index_after_commit
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .checks import (  # noqa: F401 - re-exported: views and sync import these from services
    ACTIVITY_CHANNEL,
    FUTURE_SLACK,
    OUT_OF_JURISDICTION,
    VersionConflict,
    _aware,
    _cases,
    _coordinate,
    _money,
    _not_future,
    _place,
    _residents,
    _tag_codes,
    _text,
    _users,
    _visible_household,
)
from .desk import (  # noqa: F401 - re-exported: views and the API import these from services
    ROUND_RESULTS,
    add_subtopic,
    create_round,
    create_topic,
    prepare_lists,
    record_conclusions,
    record_findings,
    round_results_from_visits,
    set_round_results,
    tick_item,
)
from .models import (
    Activity,
    ActivityKind,
    FieldAppeal,
    HelpKind,
    ResearchSubtopic,
    Visit,
    VisitHelp,
    VisitRound,
)

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
                    "goods_count": _count(item.get("goods_count"), "物资件数", 100000),
                    "resident": item.get("resident") or None, "note": _text(item.get("note"), 2000, "帮办说明")})
    return out


def _count(value: Any, label: str, high: int) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{label}无效") from exc
    if not 0 <= number <= high:
        raise ValidationError(f"{label}超出范围")
    return number


def _helped(actor: Any, rows: list[dict[str, Any]], household: Household) -> None:
    """The member each help row names must live in the visited household."""
    named = [r["resident"] for r in rows if r["resident"]]
    found = {r.pk: r for r in _residents(actor, named, household=household)}
    for r in rows:
        r["resident"] = found.get(int(r["resident"])) if r["resident"] else None


def _visit_state(v: Visit) -> dict[str, Any]:
    return {"household": v.household_id, "visited_at": v.visited_at, "note_length": len(v.note),
            "gps": v.latitude is not None, "tags_added": v.tags_added, "tags_removed": v.tags_removed,
            "people_met": v.people_met, "version": v.version}


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
                 residents: Iterable[Any] = (), others_met: Any = 0, cases: Iterable[Any] = (),
                 device: str = "", now: dt.datetime | None = None) -> tuple[Visit, bool]:
    """入户走访. Returns (visit, created); the same client_id again returns the first visit unchanged.
    ``residents``: the household's members met; ``others_met``: people met who are not on its register
    (人次 = both, at least one); ``cases``: the cases the visit was about (带案下访, 上门家访)."""
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
    _helped(actor, help_rows, hh)
    met = _residents(actor, residents, household=hh)
    people = max(1, len(met) + _count(others_met, "其他在场群众人数", 100))
    about = _cases(actor, cases)
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
        people_met=people, created_by=actor, created_at=now, updated_at=now)
    if companions:
        visit.companions.set(_users(companions))
    visit.residents_met.set(met)
    visit.cases.set(about)
    VisitHelp.objects.bulk_create([VisitHelp(visit=visit, region_id=hh.region_id, **row) for row in help_rows])
    _apply_tags(hh, actor=actor, add=add, remove=remove, now=now)
    for item in items:
        _raise_appeal(item, actor=actor, region=hh.region, channel=Channel.VISIT, household=hh, received_at=when,
                      visit=visit, now=now)
    changes = _visit_state(visit)
    changes.update({"help": [r["kind"] for r in help_rows], "appeals": len(items),
                    "residents_met": sorted(r.pk for r in met), "cases": sorted(a.pk for a in about)})
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
                    attendees: Iterable[Any] = (), cases: Iterable[Any] = (),
                    now: dt.datetime | None = None) -> tuple[Activity, bool]:
    """院坝会, 宣讲, 农民夜校, 调研, 接待日, 现场办公, 现场调解 … with the appeals heard there.
    At a mediation (田间法庭) the appeals default to kind 矛盾纠纷. ``attendees``: residents from the
    register (the attendance is at least their number); ``cases``: the cases a reception day or an
    on-site office day was about (带案下访)."""
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
    came = _residents(actor, attendees, within=where.code)
    about = _cases(actor, cases)
    count = _attendance(attendance)
    if came and (count or 0) < len(came):
        count = len(came)  # the roster is a floor: a typed number below it was the roster left uncounted
    activity = Activity.objects.create(
        client_id=client_id or None, kind=kind, region=where, held_at=when, place=_text(place, 200, "地点"),
        topic=_text(topic, 200, "主题"), documents=_text(documents, 5000, "政策文件"),
        attendance=count, leader=lead, subtopic=sub, findings=_text(findings, 10000, "调研发现"),
        decisions=_text(decisions, 10000, "议定和解决事项"), note=_text(note, 10000, "备注"),
        device=_text(device, 100, "设备"), created_by=actor, created_at=now, updated_at=now)
    people = {actor.pk, lead.pk} | {int(getattr(p, "pk", p)) for p in participants or ()}
    activity.participants.set(_users(people))
    activity.attendees.set(came)
    activity.cases.set(about)
    channel = ACTIVITY_CHANNEL.get(ActivityKind(kind), Channel.MEETING)
    for item in items:
        hh = households.get(int(item["household"])) if item.get("household") else None
        _raise_appeal(item, actor=actor, region=hh.region if hh else where, channel=channel, household=hh,
                      received_at=when, activity=activity, now=now)
    changes = _activity_state(activity) | {"appeals": len(items), "participants": sorted(people),
                                           "attendees": sorted(r.pk for r in came),
                                           "cases": sorted(a.pk for a in about)}
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
