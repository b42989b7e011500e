"""Demo appeals for the demo county: every state, two years back from the anchor.

Built in bulk, not through services.py: each case is driven through the same pure workflow
(workflow.apply) with the same column sync (services.sync_columns) and event rows
(services.event_row), then appeals, reports, events, progress notes, return visits and the
audit chain are inserted in bulk. Driving services.py row by row cost ~40 queries per case,
too slow for a 3 000-case county within the demo's time budget.

Deterministic for a given rng and anchor (no uuid, no clock); texts come from
../shared/data/taidi2020c when it is there (附件2 labelled messages, 附件4 messages with the
government's replies as answers), else from texts.py.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minqing.households.models import Household
from minqing.lib import regioncode

from . import demo_cohandled as cohandled
from . import sweeps
from .categories import seed_categories
from .demo_builder import Builder
from .demo_cast import FORCED, Cast
from .demo_texts import Text, load_texts

# --- the loader -----------------------------------------------------------------------------


def load(*, rng: random.Random, anchor: dt.date, now: dt.datetime, staffing: Any, villages: dict[str, list[Any]],
         shared: Path | None, progress: Callable[[str], None] = print) -> None:
    cats = seed_categories(shared)
    texts = load_texts(shared, cats)
    by_kind: dict[str, list[Text]] = {}
    for t in texts:
        by_kind.setdefault(t.kind, []).append(t)
    hh_by_village: dict[str, list[tuple[int, str]]] = {}
    for pk, code, head in Household.objects.order_by("pk").values_list("pk", "region_id", "head_name"):
        hh_by_village.setdefault(code, []).append((pk, head))
    builder = Builder(rng, now, Cast(staffing, villages), cats, by_kind, hh_by_village)
    all_villages = [v.code for vs in villages.values() for v in vs]
    total = max(60, round(sum(len(h) for h in hh_by_village.values()) * 0.6))
    demo_villages = _demo_villages(staffing) or all_villages[:2]
    # 1. forced statuses, recent, in the demo villages (and to 住建局 / demo-dept for county cases)
    for i, status in enumerate(FORCED * 2):
        builder.case(demo_villages[i % len(demo_villages)], forced=status, days_back=rng.uniform(12, 30))
    for i in range(4):  # a few 举报 and family disputes where the demo accounts can check who sees them
        builder.case(demo_villages[i % len(demo_villages)], scenario="misconduct" if i < 2 else "family",
                     days_back=rng.uniform(5, 60))
    # 2. the demo villages get a fuller share; 3. the county at large
    for _ in range(max(10, total // 75)):
        for v in demo_villages:
            builder.case(v, days_back=rng.uniform(0, 730))
    while len(builder.sims) < total:
        builder.case(rng.choice(all_villages), days_back=rng.uniform(0, 730))
    progress(f"诉求 {len(builder.sims)} 件（模拟完毕，写入中）")
    builder.save()
    # 主办/协办 through the services (the bulk writer has no co-unit rows), before the sweep colours them
    cohandled.load(cast=builder.cast, village=demo_villages[0], now=now)
    result = sweeps.sweep(now)
    progress(f"诉求 {len(builder.sims)} 件，红灯 {result.red} 件，黄灯 {result.yellow} 件")


def _demo_villages(staffing: Any) -> list[str]:
    codes = []
    for name in ("demo-village-a", "demo-village-b"):
        user = staffing.users.get(name)
        for code, cadres in staffing.village_cadres.items():
            if user is not None and user in cadres:
                codes.append(code)
    return codes


__all__ = ["load", "load_texts", "regioncode"]
