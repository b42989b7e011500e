"""群众评议: a resident rates the cadre who handled their case (five levels, as 好差评), and the
figures per cadre and per unit that the cadre's leaders read (oversight.py says who reads whom).

The cadre who served the resident is the case's responsible person (承办人); without one, the cadre
who registered it at the door. A rating is written by ``rate_cadre`` only (atomic, audited): from
the staff's return visit (the appeals hook, apps.py) and from the SMS rating link (portal.rating).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from minqing.accounts.models import Post, Unit, User
from minqing.accounts.scope_source import posts_of
from minqing.appeals import workflow as wf
from minqing.appeals.metric_values import Rate
from minqing.appeals.models import Appeal, Report
from minqing.audit.log import record
from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction
from minqing.regions.jurisdiction import PostScope

from . import oversight
from .models import CadreRating, RatingSource

LEVELS = tuple(s.value for s in wf.Satisfaction)  # 非常满意 … 非常不满意, in that order
GOOD = frozenset(s.value for s in wf.SATISFIED_LEVELS)  # 好评
BASIC = wf.Satisfaction.BASICALLY_SATISFIED.value
BAD = frozenset(s.value for s in wf.BAD_LEVELS)  # 差评
BASIC_WEIGHT = 1.0  # as the metrics API counts 基本满意 by default


def served_by(appeal: Appeal) -> User | None:
    """The cadre who served the resident: the responsible person, else the one who registered it."""
    return appeal.handler or appeal.registered_by


def _post_for(cadre: User, appeal: Appeal) -> tuple[int | None, str]:
    """(unit, place) the rating belongs to: the cadre's post in the case's unit, else one whose place
    holds the case, else any current post; a cadre with no post leaves it with the case."""
    posts = list(Post.objects.filter(user=cadre, ended_on__isnull=True).values_list("unit_id", "region_id"))
    for unit_id, region in posts:
        if unit_id == appeal.unit_id:
            return unit_id, region
    for unit_id, region in posts:
        if regioncode.contains(region, appeal.region_id):
            return unit_id, region
    if posts:
        return posts[0]
    return appeal.unit_id, appeal.region_id


@transaction.atomic
def rate_cadre(appeal: Appeal, *, satisfaction: str, source: str, actor: Any = None, report: Report | None = None,
               now: dt.datetime | None = None) -> CadreRating | None:
    """Record one resident's rating of the cadre who served them; None when the case names no cadre."""
    now = now or timezone.now()
    if satisfaction not in LEVELS:
        raise ValidationError(wf.SATISFACTION_ERROR)
    if source not in RatingSource.values:
        raise ValidationError("评价来源无效")
    cadre = served_by(appeal)
    if cadre is None:
        return None
    if report is not None and CadreRating.objects.filter(report=report).exists():
        raise ValidationError("您已经评价过这位工作人员了，感谢您的反馈。")
    unit_id, region = _post_for(cadre, appeal)
    rating = CadreRating.objects.create(cadre=cadre, unit_id=unit_id, region_id=region, appeal=appeal, report=report,
                                        source=source, satisfaction=satisfaction, at=now,
                                        recorded_by=actor if getattr(actor, "pk", None) else None)
    record("cadre.rated", actor=actor, obj=rating, at=now,
           changes={"appeal": appeal.pk, "cadre": cadre.pk, "satisfaction": satisfaction, "source": source})
    return rating


# --- figures ---------------------------------------------------------------------------------------


@dataclass
class Tally:
    """The five levels counted, with 好评 and the satisfaction rate as the metrics count them."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))

    def add(self, level: str, n: int) -> None:
        self.counts[level] = self.counts.get(level, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def good(self) -> int:
        return sum(self.counts[lv] for lv in GOOD)

    @property
    def bad(self) -> int:
        return sum(self.counts[lv] for lv in BAD)

    @property
    def rate(self) -> Rate:
        return Rate(self.good + self.counts[BASIC] * BASIC_WEIGHT, self.total)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "total": self.total, "good": self.good, "bad": self.bad,
                "satisfaction": self.rate.value, "satisfaction_text": str(self.rate)}


@dataclass
class Row:
    key: int
    name: str
    unit: str
    tally: Tally


@dataclass
class Review:
    """群众评议 of one place and period as one reader may see it."""

    cadres: list[Row]
    units: list[Row]
    withheld: int  # cadres rated in the place whose ratings this reader may not read (peers, oneself's leaders)


def _rows(region_code: str, start: dt.date, end: dt.date, user: Any, by: str) -> dict[int, Tally]:
    low, high = bounds(start, end)
    q = jurisdiction.region_q([regioncode.normalize(region_code)]) & jurisdiction.figure_q(user)
    grouped = (CadreRating.objects.alive().filter(q, at__gte=low, at__lt=high).order_by()
               .values_list(by, "satisfaction").annotate(n=Count("pk")))
    out: dict[int, Tally] = defaultdict(Tally)
    for key, level, n in grouped:
        if key is not None:
            out[key].add(level, n)
    return out


def current_posts(user_ids: list[int]) -> tuple[dict[int, list[PostScope]], dict[int, str]]:
    """The posts held today by each of these people (as accounts.scope_source.posts_of reads one
    person's, in one query for all) and the names of their units."""
    today = timezone.localdate()
    rows = (Post.objects.filter(user_id__in=user_ids)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=today))
            .values_list("user_id", "role", "region_id", "unit_id", "unit__kind", "unit__function", "unit__name"))
    out: dict[int, list[PostScope]] = defaultdict(list)
    names: dict[int, str] = {}
    for user_id, role, region, unit_id, kind, function, name in rows:
        out[user_id].append(PostScope(role, region, unit_id, kind, function or ""))
        names[unit_id] = name
    return out, names


def review(region_code: str, start: dt.date, end: dt.date, *, user: Any) -> Review:
    """Per cadre and per unit, only the rows the reader's posts allow (oversight.py)."""
    scope = jurisdiction.scope_of(user)
    by_cadre = _rows(region_code, start, end, user, "cadre_id")
    by_unit = _rows(region_code, start, end, user, "unit_id")
    people = {u.pk: u for u in User.objects.filter(pk__in=list(by_cadre))}
    posts, unit_names = current_posts(list(by_cadre))
    cadres, withheld = [], 0
    for pk, tally in by_cadre.items():
        if not oversight.may_read_cadre(scope, pk, posts.get(pk, [])):
            withheld += 1
            continue
        units = "、".join(sorted({unit_names[p.unit_id] for p in posts.get(pk, [])}))
        cadres.append(Row(pk, str(people[pk]), units, tally))
    units_by_pk = {u.pk: u for u in Unit.objects.filter(pk__in=list(by_unit))}
    units = [Row(pk, u.name, u.name, by_unit[pk]) for pk, u in units_by_pk.items()
             if oversight.may_read_unit(scope, pk, u.region_id)]
    key = lambda r: (-(r.tally.rate.value or 0), -r.tally.total, r.name)  # noqa: E731
    return Review(sorted(cadres, key=key), sorted(units, key=key), withheld)


def ratings_of(cadre: User, *, user: Any, limit: int = 50) -> list[CadreRating]:
    """One cadre's latest ratings, for a reader who may read them (else PermissionDenied upstream)."""
    return list(CadreRating.objects.alive().filter(cadre=cadre).filter(jurisdiction.figure_q(user))
                .select_related("appeal", "unit").order_by("-at")[:limit])


def may_read(user: Any, cadre: User) -> bool:
    return oversight.may_read_cadre(jurisdiction.scope_of(user), cadre.pk, posts_of(cadre))




def on_appeal_change(change: Any) -> None:
    """The appeals hook: a staff return visit that asked the resident about the cadre (回访时的评议)."""
    if change.action != "return_visit" or change.event is None:
        return
    level = (change.event.payload or {}).get("cadre_rating")
    if level:
        rate_cadre(change.appeal, satisfaction=level, source=RatingSource.RETURN_VISIT, actor=change.actor,
                   now=change.at)
