"""The household directory a cadre's phone keeps for offline use (GET /api/v1/field/households).

The visit plan (plans.py) lists only what falls due this week; in a village with no signal a cadre is
also called in by a household that is not due. The phone therefore keeps every household the user may
see — through the one jurisdiction filter — with only what the picker needs: no address, no resident,
no phone or ID number (not even masked), so a lost phone gives away as little as possible.

Two queries whatever the size (households with village, group and last visit; their tags),
at most MAX_HOUSEHOLDS rows (a township leader's ~10 000 fit; a county's list would be useless on a
phone and is cut, and the answer says so). The version is a hash of the content, so it changes when
anything the phone shows changes — a household, a tag, a visit, or the user's own jurisdiction — and
the phone re-downloads only then (ETag / If-None-Match → 304).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from minqing.households.models import Household
from minqing.regions import jurisdiction

from .models import Visit

MAX_HOUSEHOLDS = 10_000
FORMAT = "1"  # part of the version: a change of the item format makes every phone re-download


@dataclass(frozen=True)
class Directory:
    items: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # code -> name of the tags the items carry
    count: int = 0  # households the user may see (more than len(items) when truncated)
    truncated: bool = False
    limit: int = MAX_HOUSEHOLDS
    version: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "tags": self.tags, "count": self.count, "returned": len(self.items),
                "truncated": self.truncated, "limit": self.limit, "version": self.version}


def _version(items: list[dict[str, Any]], tags: dict[str, str], count: int) -> str:
    # Items are built with their keys in a fixed order and tags sorted: no sort_keys needed (twice as fast).
    raw = json.dumps([FORMAT, count, tags, items], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def directory_for(user: Any, limit: int | None = None) -> Directory:
    """The user's households in visiting order (village, group, number), at most `limit` of them."""
    limit = limit or MAX_HOUSEHOLDS
    visible = jurisdiction.visible(user, Household)
    ordered = visible.order_by("region_id", F("group__number").asc(nulls_last=True), "number", "pk")
    # The last visit (by anyone, like the plan's schedule: when the household was last seen matters, not
    # by whom), as a correlated subquery: one backward step down the (household, visited_at) index per
    # household, however many years of visits there are — no GROUP BY over all of them.
    last_visit = Subquery(Visit.objects.filter(household=OuterRef("pk"), deleted_at__isnull=True)
                          .order_by("-visited_at").values("visited_at")[:1])
    rows = list(ordered.annotate(last_at=last_visit)
                .values_list("pk", "region_id", "region__name", "group__name", "number", "head_name", "last_at")
                [:limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    count = visible.count() if truncated else len(rows)
    # The same households for the tags, as a subquery: no list of 10 000 ids in the SQL.
    chosen = ordered.values("pk")[:limit] if truncated else visible.order_by().values("pk")
    tag_rows = (Household.tags.through.objects.filter(household__in=chosen)
                .values_list("household_id", "tag__code", "tag__name").order_by("household_id", "tag__code"))
    tags_of: dict[int, list[str]] = {}
    tags: dict[str, str] = {}
    for household_id, code, name in tag_rows:
        tags_of.setdefault(household_id, []).append(code)
        tags[code] = name
    zone = timezone.get_current_timezone()  # once, not per row: 10 000 rows
    items = []
    for pk, code, village, group, number, head, at in rows:
        items.append({"household": pk, "village_code": code, "village": village, "group": group or "",
                      "number": number, "head_name": head, "tags": tags_of.get(pk, []),
                      "last_visit": at.astimezone(zone).date().isoformat() if at else None})
    tags = dict(sorted(tags.items()))
    return Directory(items=items, tags=tags, count=count, truncated=truncated, limit=limit,
                     version=_version(items, tags, count))
