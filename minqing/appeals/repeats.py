"""Repeat appeals (重复件), found at intake and decided by the dispatcher (docs/decisions/0029).

At registration (every channel that goes through intake.register_appeal) the new case is compared with
the open cases and those closed within MINQING_REPEAT_WINDOW_DAYS (default 90) of the same county that
share its household, its reporter (phone or ID hash) or its place (the same village or community), and
whose text is similar (character-bigram Dice coefficient, plain Python: appeals does not import the nlp
part). Each match is a RepeatLink with an event on both cases and one audit entry.

- A repeat of an OPEN case is offered for merge (附议) on the case page, as before; merging records it.
- A repeat AFTER CLOSURE waits for the dispatcher (whoever may assign the new case): ``reopen`` brings
  the earlier case back for a new round (workflow action ``reopen``) and merges the new one into it;
  ``new`` keeps the new case as a case of its own; both keep the link and count it.
- ``not_repeat`` says the match was wrong: kept for the record, not counted.

重复诉求率 = cases registered in the period with a counted link / cases registered in the period.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import DateTimeField, F, Func, Q
from django.utils import timezone

from minqing.audit.log import record, record_many
from minqing.lib.rows import spans
from minqing.regions import jurisdiction

from . import workflow as wf
from .models import Appeal, AppealEvent, RepeatLink, Report
from .transition import check, lock, notify

WINDOW_DAYS = 90
SAME_PERSON = 0.3  # similarity enough when the household or reporter is the same
SAME_PLACE = 0.5  # … when only the place is the same
MAX_CANDIDATES = 300
PART = 200  # cases whose candidates one compound statement finds (SQLite allows 500 terms)
BASIS_LABELS = {"household": "同一户", "phone": "同一来电号码", "id": "同一身份证号", "place": "同一地点"}
DECISION_LABELS = {"reopen": "重新办理原诉求", "new": "按新诉求办理", "not_repeat": "不是重复件", "merged": "已合并"}
COUNTED = ("", "reopen", "new", "merged")


def window_days() -> int:
    return int(getattr(settings, "MINQING_REPEAT_WINDOW_DAYS", WINDOW_DAYS))


def _grams(text: str) -> Counter[str]:
    clean = re.sub(r"[\W_]+", "", text.lower())
    return Counter(clean[i:i + 2] for i in range(len(clean) - 1)) if len(clean) > 1 else Counter(clean)


def similarity(a: str, b: str) -> float:
    """Dice coefficient of character bigrams: 1.0 for the same text, 0.0 for nothing in common."""
    return _dice(_grams(a), _grams(b))


def _dice(ga: Counter[str], gb: Counter[str]) -> float:
    total = ga.total() + gb.total()
    if not total:
        return 0.0
    if len(gb) < len(ga):
        ga, gb = gb, ga
    common = ga.keys() & gb.keys()  # the shared bigrams only: what ``ga & gb`` would sum, without the rest
    return 2 * sum(min(ga[g], gb[g]) for g in common) / total


def _candidates(appeal: Appeal, report: Report | None, now: dt.datetime,
                before: dt.datetime | None = None) -> dict[int, set[str]]:
    """Earlier cases sharing a household, a reporter or the place, with why (no text compared yet).
    ``before``: only cases received before it (a ledger import writes later rows of the file too)."""
    base = (Appeal.objects.filter(jurisdiction.region_q([appeal.region_id[:6].ljust(12, "0")]), deleted_at__isnull=True)
            .exclude(pk=appeal.pk).exclude(group=wf.Group.MERGED.value)
            .filter(Q(group__in=[wf.Group.OPEN.value, wf.Group.PAUSED.value])
                    | Q(closed_at__gte=now - dt.timedelta(days=window_days()))))
    if before is not None:
        base = base.filter(received_at__lt=before)
    found: dict[int, set[str]] = {}

    def add(qs, why: str) -> None:
        for pk in qs.values_list("pk", flat=True).order_by("-received_at")[:MAX_CANDIDATES]:
            found.setdefault(pk, set()).add(why)

    household = appeal.household_id or (report.household_id if report else None)
    if household:
        add(base.filter(Q(household_id=household) | Q(reports__household_id=household)).distinct(), "household")
    if report is not None and report.phone_hash:
        add(base.filter(reports__phone_hash=report.phone_hash).distinct(), "phone")
    if report is not None and report.resident_id:
        id_hash = report.resident.id_number_hash
        if id_hash:
            add(base.filter(reports__resident__id_number_hash=id_hash).distinct(), "id")
    add(base.filter(region_id=appeal.region_id), "place")
    return found


def detect(appeal: Appeal, report: Report | None, *, actor: Any, now: dt.datetime,
           before: dt.datetime | None = None) -> list[RepeatLink]:
    """Link the new case to the earlier ones it repeats (inside the registration's transaction)."""
    if appeal.anonymous and not appeal.household_id:
        report = None  # nobody to match but the place
    found = _candidates(appeal, report, now, before)
    if not found:
        return []
    rows = Appeal.objects.filter(pk__in=found).only("pk", "title", "text", "group", "status", "region_id",
                                                    "level", "number")
    text = f"{appeal.title} {appeal.text}"
    links = []
    for earlier in rows:
        why = found[earlier.pk]
        score = similarity(text, f"{earlier.title} {earlier.text}")
        if score < (SAME_PERSON if why - {"place"} else SAME_PLACE):
            continue
        closed = earlier.group not in (wf.Group.OPEN.value, wf.Group.PAUSED.value)
        links.append(RepeatLink(appeal=appeal, earlier=earlier, region_id=appeal.region_id, earlier_closed=closed,
                                basis=sorted(why), similarity=round(score, 3), found_at=now))
    if not links:
        return []
    RepeatLink.objects.bulk_create(links)
    for link in links:
        payload = {"earlier": link.earlier.number, "basis": link.basis, "similarity": link.similarity,
                   "earlier_closed": link.earlier_closed}
        for case, action, data in ((appeal, "repeat_found", payload),
                                   (link.earlier, "repeat_received", {**payload, "earlier": None,
                                                                      "repeat": appeal.number})):
            AppealEvent.objects.create(appeal=case, region_id=case.region_id, action=action, from_status=case.status,
                                       to_status=case.status, level=case.level, at=now,
                                       actor_id=getattr(actor, "pk", None),
                                       payload={k: v for k, v in data.items() if v is not None})
        record("appeal.repeat_found", actor=actor, obj=appeal, at=now, changes=payload)
    return links


def detect_places(appeals: Sequence[Appeal], *, actor: Any) -> list[RepeatLink]:
    """``detect`` for many new cases that name no household and no reporter (a bulk import's, already
    saved): each against the earlier cases of its own place received before it — the same candidates,
    limit and threshold — in a few statements for all of them (one compound query for the candidates of
    PART cases, one for their texts, bulk inserts). Each case's ``updated_at`` is its ``now``."""
    if not appeals:
        return []
    window = dt.timedelta(days=window_days())
    candidates: list[list[int]] = [[] for _ in appeals]
    qn, adapt = connection.ops.quote_name, connection.ops.adapt_datetimefield_value
    # The candidates ``_candidates`` finds by place, as one SQL text for every case (built once: an ORM
    # query a case cost more than comparing the texts).
    one = (f"SELECT {{k}} AS k, t{{k}}.id FROM (SELECT id FROM {qn(Appeal._meta.db_table)} WHERE region_id = %s"
           f" AND deleted_at IS NULL AND received_at < %s AND id <> %s AND {qn('group')} <> %s"
           f" AND ({qn('group')} IN (%s, %s) OR closed_at >= %s) ORDER BY received_at DESC"
           f" LIMIT {MAX_CANDIDATES}) t{{k}}")
    for start, stop in spans(len(appeals), PART):  # statement texts from a fixed set (lib/rows.spans)
        parts, params = [], []
        for k, appeal in enumerate(appeals[start:stop], start=start):
            parts.append(one.format(k=k))
            params.extend([appeal.region_id, adapt(appeal.received_at), appeal.pk, wf.Group.MERGED.value,
                           wf.Group.OPEN.value, wf.Group.PAUSED.value, adapt(appeal.updated_at - window)])
        with connection.cursor() as cur:
            cur.execute(" UNION ALL ".join(parts), params)
            for k, pk in cur.fetchall():
                candidates[k].append(pk)
    wanted = sorted({pk for found in candidates for pk in found})
    earlier: dict[int, Appeal] = {}
    grams: dict[int, Counter[str]] = {}
    for start, stop in spans(len(wanted), 5000):
        for row in Appeal.objects.filter(pk__in=wanted[start:stop]).only(
                "pk", "title", "text", "group", "status", "region_id", "level", "number"):
            earlier[row.pk] = row
            grams[row.pk] = _grams(f"{row.title} {row.text}")
    links: list[RepeatLink] = []
    for appeal, found in zip(appeals, candidates, strict=True):
        if not found:
            continue
        mine = _grams(f"{appeal.title} {appeal.text}")
        for pk in found:
            score = _dice(mine, grams[pk])
            if score < SAME_PLACE:
                continue
            e = earlier[pk]
            links.append(RepeatLink(appeal=appeal, earlier=e, region_id=appeal.region_id, basis=["place"],
                                    earlier_closed=e.group not in (wf.Group.OPEN.value, wf.Group.PAUSED.value),
                                    similarity=round(score, 3), found_at=appeal.updated_at))
    if not links:
        return []
    RepeatLink.objects.bulk_create(links, batch_size=500)
    events, entries = [], []
    for link in links:
        appeal, now = link.appeal, link.appeal.updated_at
        payload = {"earlier": link.earlier.number, "basis": link.basis, "similarity": link.similarity,
                   "earlier_closed": link.earlier_closed}
        for case, action, data in ((appeal, "repeat_found", payload),
                                   (link.earlier, "repeat_received", {**payload, "earlier": None,
                                                                      "repeat": appeal.number})):
            events.append(AppealEvent(appeal=case, region_id=case.region_id, action=action, from_status=case.status,
                                      to_status=case.status, level=case.level, at=now,
                                      actor_id=getattr(actor, "pk", None),
                                      payload={k: v for k, v in data.items() if v is not None}))
        entries.append({"action": "appeal.repeat_found", "actor": actor, "obj": appeal, "at": now,
                        "changes": payload})
    AppealEvent.objects.bulk_create(events, batch_size=500)
    record_many(entries)
    return links


def links_of(user, appeal: Appeal) -> dict[str, list[RepeatLink]]:
    """The links shown on a case page, both ways, to the cases the user may see."""
    # This case's few links first, then the jurisdiction filter on the cases they name: `earlier__in=
    # visible(...)` made SQLite build the whole visible set (a county's million cases) before probing the
    # links — 3 s a read at 1 M appeals, on an empty link table (bench/RESULTS.md, stop 26).
    earlier = list(RepeatLink.objects.filter(appeal=appeal).select_related("earlier"))
    later = list(RepeatLink.objects.filter(earlier=appeal).select_related("appeal"))
    ids = {link.earlier_id for link in earlier} | {link.appeal_id for link in later}
    seen = set(jurisdiction.visible(user, Appeal).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return {
        "earlier": [link for link in earlier if link.earlier_id in seen],
        "later": [link for link in later if link.appeal_id in seen],
    }


@transaction.atomic
def decide(link: RepeatLink, *, actor: Any, decision: str, note: str = "", now: dt.datetime | None = None
           ) -> RepeatLink:
    """The dispatcher's choice on a repeat: reopen | new | not_repeat (each with events and an audit entry)."""
    if decision not in ("reopen", "new", "not_repeat"):
        raise ValidationError("请选择：重新办理原诉求、按新诉求办理或不是重复件")
    link = RepeatLink.objects.select_for_update().get(pk=link.pk)
    if link.decision:
        raise ValidationError(f"该重复件已处理（{DECISION_LABELS.get(link.decision, link.decision)}）")
    rows = lock(link.appeal_id, link.earlier_id)
    new, earlier = rows[link.appeal_id], rows[link.earlier_id]
    now = now or timezone.now()
    check(actor, new, "assign")  # the dispatcher of the new case decides
    if decision == "reopen":
        if earlier.group in (wf.Group.OPEN.value, wf.Group.PAUSED.value):
            raise ValidationError("原诉求尚未办结，请直接合并（附议）")
        if actor is not None and not jurisdiction.visible(actor, Appeal).filter(pk=earlier.pk).exists():
            raise PermissionDenied("原诉求不在您的管辖范围内")
        from .services import do_reopen, merge  # services imports intake, which imports this module

        do_reopen(earlier, actor=actor, reason=f"重复件 {new.number}" + (f"：{note}" if note else ""), now=now)
        merge(new, earlier, actor=actor, note=f"重复件并入重新办理的 {earlier.number}", now=now)
    link.decision, link.decided_by, link.decided_at, link.note = decision, actor if getattr(
        actor, "pk", None) else None, now, note
    link.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    payload = {"earlier": earlier.number, "decision": decision, "note": note}
    event = AppealEvent.objects.create(appeal=new, region_id=new.region_id, action="repeat_decided",
                                       from_status=new.status, to_status=Appeal.objects.get(pk=new.pk).status,
                                       level=new.level, at=now, actor_id=getattr(actor, "pk", None),
                                       payload=payload, reason=note)
    record("appeal.repeat_decided", actor=actor, obj=new, at=now, reason=note, changes=payload)
    notify(new, "repeat_decided", actor=actor, at=now, event=event)
    return link


def figures(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """重复诉求率 for the subtree and period (by day of receipt): numerator, denominator, rate.

    The repeats are read from the links (a link's region is its new case's, which never changes: the
    few links of the subtree, not its cases); the denominator — every case registered in the period —
    from the roll-ups for whole months (metric_read.intake), else by counting the cases."""
    from minqing.lib import regioncode
    from minqing.lib.workdays import TZ

    from . import metric_read

    code = regioncode.normalize(region_code)
    lo = dt.datetime.combine(start, dt.time.min, TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ)
    if metric_read.serves(start, end):
        total = metric_read.intake(code, start, end)
    else:
        total = (Appeal.objects.filter(jurisdiction.region_q([code]), received_at__gte=lo, received_at__lt=hi,
                                       deleted_at__isnull=True).exclude(kind=wf.Kind.MISCONDUCT.value).count())
    links = RepeatLink.objects.filter(jurisdiction.region_q([code]), decision__in=COUNTED)
    if connection.vendor == "sqlite":  # the links lead: SQLite would read the period's cases through the
        # received_at index and probe the links of each (0.4 s for a county year at 100 000 cases, no link)
        links = links.alias(_received=Func(F("appeal__received_at"), template="+%(expressions)s",
                                           output_field=DateTimeField()))
        links = links.filter(_received__gte=lo, _received__lt=hi)
    else:
        links = links.filter(appeal__received_at__gte=lo, appeal__received_at__lt=hi)
    links = links.filter(appeal__deleted_at__isnull=True).exclude(appeal__kind=wf.Kind.MISCONDUCT.value)
    repeats = links.values("appeal_id").distinct().count()
    after_closure = links.filter(earlier_closed=True).values("appeal_id").distinct().count()
    return {"repeats": repeats, "repeats_after_closure": after_closure, "appeals": total,
            "repeat_rate": round(repeats / total, 4) if total else None}


def figures_raw(region_code: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The definition on the cases alone (tests compare ``figures`` with it)."""
    from minqing.lib import regioncode
    from minqing.lib.workdays import TZ

    code = regioncode.normalize(region_code)
    lo = dt.datetime.combine(start, dt.time.min, TZ)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, TZ)
    cases = Appeal.objects.filter(jurisdiction.region_q([code]), received_at__gte=lo, received_at__lt=hi,
                                  deleted_at__isnull=True).exclude(kind=wf.Kind.MISCONDUCT.value)
    total = cases.count()
    repeats = cases.filter(repeat_links__decision__in=COUNTED).distinct().count()
    after_closure = cases.filter(repeat_links__decision__in=COUNTED,
                                 repeat_links__earlier_closed=True).distinct().count()
    return {"repeats": repeats, "repeats_after_closure": after_closure, "appeals": total,
            "repeat_rate": round(repeats / total, 4) if total else None}
