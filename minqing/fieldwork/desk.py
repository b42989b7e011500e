"""The desk's records: research topics and sub-topics (调研课题), visit rounds (五人大走访) and the
three lists (村级三张清单), written by township and county staff — validated, atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import User, VisitTeam
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .checks import (  # noqa: F401
    OUT_OF_JURISDICTION,
    _aware,
    _coordinate,
    _money,
    _not_future,
    _place,
    _tag_codes,
    _text,
    _users,
    _visible_household,
)
from .models import (
    ListKind,
    ResearchSubtopic,
    ResearchTopic,
    VillageList,
    VillageListItem,
    Visit,
    VisitRound,
)


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
                      reason: str = "", now: dt.datetime | None = None) -> VisitRound:
    """Count a round's funnel from its visits and cases (`results` None: any correction is dropped),
    or enter the team's own figures as a correction of that count, which needs its reason: the count
    is always shown beside it (rounds.reconcile). Each stage is a subset of the one before it."""
    now = now or timezone.now()
    reason = _text(reason, 2000, "更正理由")
    if results is not None and not reason:
        raise ValidationError("录入的走访结果是对统计数的更正，请填写更正理由（如：部分走访未在系统登记）")
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
    before_reason = row.correction_reason
    row.correction_reason = reason if results is not None else ""
    row.corrected_by = actor if results is not None and getattr(actor, "pk", None) else None
    row.corrected_at = now if results is not None else None
    row.updated_at = now
    row.save()
    changes = {n: [before[n], getattr(row, n)] for n in ROUND_RESULTS}
    if results is not None:
        changes["counted"] = round_results_from_visits(row)
    record("field.round.results" if results is None else "field.round.corrected", actor=actor, obj=row, at=now,
           changes=changes | ({"correction_dropped": True} if before_reason and results is None else {}),
           reason=reason)
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
                 led_by: User | int | None = None, now: dt.datetime | None = None) -> VisitRound:
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
    from .rounds import check_leader, team_leader

    leader = check_leader(row, led_by) if led_by not in (None, "") else team_leader(row)
    rnd = VisitRound.objects.create(team=row, region_id=row.region_id, year=year, number=number,
                                    started_on=started_on, ended_on=ended_on, led_by=leader,
                                    summary=_text(summary, 10000, "小结"), created_at=now, updated_at=now)
    rnd.villages.set(places)
    record("field.round.created", actor=actor, obj=rnd, at=now,
           changes={"team": row.pk, "year": year, "number": number, "villages": codes,
                    "led_by": leader.pk if leader else None})
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
