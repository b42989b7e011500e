"""Demo household checklists: 两不愁三保障 + 一达标 + 安全饮水 for the monitored (防返贫监测户) and
formerly poor (脱贫户) households, answered on the field-work demo's visits over the year.

The year is cut in four rounds (91-day blocks from a year before the anchor, as the field-work
demo's visit rounds are); the first visit of a household in each round carries the checklist.
About a fifth of the households are found failing one or two items — most in the first round,
some later — and each failure is cleared one to three rounds on, so the county's counts show
the seeds' shape: 摸排问题共 N 户 … 清零 by the last round. In the third round the county raises
the income line and publishes version 2: earlier answers stay on version 1.

Bulk inserts (minqing.demo.bulk) and bulk audit events, deterministic for the rng and anchor.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from minqing.accounts.models import User
from minqing.demo import bulk
from minqing.fieldwork.models import Visit
from minqing.households.models import Household, Tag

from . import services
from .models import ChecklistAnswer, ChecklistItem, ChecklistResponse

COUNTY = "511722000000"
TAGS = ("jiance", "tuopin")
ROUNDS = 4
FOUND_SHARE = 0.30
ITEMS = [
    {"code": "food", "label": "不愁吃", "answer_type": "yes_no", "group": "两不愁"},
    {"code": "clothing", "label": "不愁穿", "answer_type": "yes_no", "group": "两不愁"},
    {"code": "education", "label": "义务教育有保障（无失学辍学）", "answer_type": "yes_no", "group": "三保障"},
    {"code": "medical", "label": "基本医疗有保障（参保、签约家庭医生）", "answer_type": "yes_no", "group": "三保障"},
    {"code": "housing", "label": "住房安全有保障", "answer_type": "yes_no", "group": "三保障"},
    {"code": "water", "label": "饮水安全", "answer_type": "choice", "choices": ["安全", "基本安全", "不安全"],
     "passing_choices": ["安全", "基本安全"], "group": "安全饮水"},
    {"code": "income", "label": "家庭人均纯收入", "answer_type": "number", "threshold": 4000, "unit": "元",
     "group": "一达标"},
    {"code": "remark", "label": "其他情况", "answer_type": "note"},
]
# How often each item is the one failing (income most, food and clothing rarely).
FAIL_WEIGHTS = {"income": 35, "housing": 20, "water": 18, "medical": 12, "education": 8, "food": 4, "clothing": 3}
REMARKS = ["家中老人慢性病，已签约家庭医生", "子女在外务工，收入稳定", "发展养殖，今年收入增加", "危房已改造完成",
           "已通自来水", "孩子在镇中学就读"]


def _answer(rng: random.Random, item: ChecklistItem, fail: bool) -> tuple[Any, Any, str, bool | None]:
    """(value_bool, value_number, value_text, passed) for one item."""
    if item.answer_type == "yes_no":
        return (not fail), None, "", not fail
    if item.answer_type == "choice":
        return None, None, "不安全" if fail else rng.choice(("安全", "安全", "安全", "基本安全")), not fail
    if item.answer_type == "number":
        line = float(item.threshold)
        value = rng.uniform(line * 0.6, line - 50) if fail else rng.uniform(line + 300, line * 3)
        return None, Decimal(round(value)).quantize(Decimal("0.01")), "", not fail
    return None, None, rng.choice(REMARKS), None


def _plan(rng: random.Random, households: list[int]) -> dict[int, dict[str, tuple[int, int]]]:
    """household → item → (round found, round cleared) for the households found failing."""
    codes, weights = list(FAIL_WEIGHTS), list(FAIL_WEIGHTS.values())
    out: dict[int, dict[str, tuple[int, int]]] = {}
    for hh in households:
        if rng.random() >= FOUND_SHARE:
            continue
        found = rng.choices((0, 1, 2), weights=(65, 22, 13))[0]
        items = set(rng.choices(codes, weights=weights, k=1 if rng.random() < 0.7 else 2))
        out[hh] = {code: (found, min(ROUNDS - 1, found + rng.choices((1, 2, 3), weights=(55, 35, 10))[0]))
                   for code in items}
    return out


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any = None, villages: Any = None,
         shared: Path | None = None, progress: Callable[[str], None] = print, **_: Any) -> None:
    start = anchor - dt.timedelta(days=364)
    tz = now.tzinfo
    begun = dt.datetime.combine(start - dt.timedelta(days=7), dt.time(9), tz)
    checklist = services.create_checklist(
        actor=None, county=COUNTY, code="lbc_sbz", name="两不愁三保障", items=ITEMS, tags=list(TAGS),
        description="一达标两不愁三保障及安全饮水，逐户核查、逐项销号", now=begun)
    v1 = services.current_version(checklist)
    third = dt.datetime.combine(start + dt.timedelta(days=91 * 2), dt.time(9), tz)
    raised_line = [dict(i, threshold=4200) if i["code"] == "income" else i for i in ITEMS]
    v2 = services.new_version(checklist, actor=None, items=raised_line, note="收入线提高至4200元", now=third)
    items = {v1.pk: list(v1.items.all()), v2.pk: list(v2.items.all())}

    tag_ids = list(Tag.objects.filter(code__in=TAGS).values_list("pk", flat=True))
    targets = sorted(set(Household.tags.through.objects.filter(tag_id__in=tag_ids, household__deleted_at__isnull=True)
                         .values_list("household_id", flat=True)))
    low = dt.datetime.combine(start, dt.time(), tz)
    first_in_round: dict[tuple[int, int], tuple] = {}
    visits = (Visit.objects.filter(household_id__in=targets, visited_at__gte=low, visited_at__lte=now,
                                   deleted_at__isnull=True)
              .order_by("visited_at", "pk").values_list("pk", "household_id", "region_id", "visitor_id", "visited_at"))
    for row in visits:
        k = min(ROUNDS - 1, (row[4].astimezone(tz).date() - start).days // 91)
        first_in_round.setdefault((row[1], k), row)
    plan = _plan(rng, targets)

    from minqing.fieldwork.demo import Chain  # the field-work demo's bulk audit chain (same hashing)

    names = {pk: display or username for pk, display, username in
             User.objects.filter(pk__in={r[3] for r in first_in_round.values()})
             .values_list("pk", "display_name", "username")}
    chain = Chain(names)
    found: set[int] = set()
    rid = bulk.next_id(ChecklistResponse)
    responses, answers = [], []
    for (hh, k), (vid, _hh, region, visitor, at) in sorted(first_in_round.items(), key=lambda x: (x[1][4], x[1][0])):
        version = v2 if k >= 2 else v1
        failing = {code for code, (found, cleared) in plan.get(hh, {}).items() if found <= k < cleared}
        n_failed = 0
        for item in items[version.pk]:
            if item.answer_type == "note" and rng.random() > 0.2:
                continue
            vb, vn, vt, passed = _answer(rng, item, item.code in failing)
            n_failed += passed is False
            if passed is False:
                found.add(hh)
            answers.append((rid, item.pk, hh, region, at, vb, vn, vt, passed))
        responses.append((rid, None, vid, version.pk, hh, region, at, visitor, n_failed, at))
        chain.add("checklist.answered", "checklists.checklistresponse", rid, region, visitor, at,
                  {"visit": vid, "household": hh, "version": version.pk, "failed": sorted(failing)})
        rid += 1
    bulk.insert_rows(ChecklistResponse, ["id", "deleted_at", "visit", "version", "household", "region",
                                         "answered_at", "answered_by", "failed", "created_at"], responses)
    bulk.insert_rows(ChecklistAnswer, ["response", "item", "household", "region", "answered_at", "value_bool",
                                       "value_number", "value_text", "passed"], answers)
    bulk.reset_sequences(ChecklistResponse, ChecklistAnswer)
    events = chain.save()
    progress(f"两不愁三保障清单：{len(targets)} 户适用，作答 {len(responses)} 次（{len(answers)} 项），"
             f"摸排发现问题 {len(found)} 户（审计事件 {events} 条）")
