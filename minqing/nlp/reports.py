"""The region hot-spot report from the database, and turning a hot spot into a meeting (院坝会) or
a research topic through the fieldwork services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .hotspots import Hotspot, Persistent, Record, find_hotspots, find_persistent

DEFAULT_DAYS = 90
PERSISTENT_DAYS = 730  # what keeps coming back is read over two years


def period(region: str, start: dt.date | None, end: dt.date | None,
           default_days: int = DEFAULT_DAYS) -> tuple[str, dt.date, dt.date]:
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise ValidationError(str(exc)) from exc
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=default_days)
    if start > end:
        raise ValidationError("开始日期不能晚于结束日期")
    if (end - start).days > 731:
        raise ValidationError("时间范围不能超过两年")
    return code, start, end


def _region_records(user, code: str, start: dt.date, end: dt.date) -> tuple[list[Record], list[str]]:
    """The appeals this user may see in the region and period as hot-spot records, and the region's
    place names. Each further report of the same case (附议) counts as support; households are the
    reporting households."""
    from minqing.appeals.models import Appeal
    from minqing.regions.models import Region

    scope = jurisdiction.scope_of(user)
    if not (scope.sees_place(code) or scope.sees_figures(code)):
        raise PermissionDenied("不在您的管辖范围内")
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz)
    qs = (jurisdiction.visible(user, Appeal).filter(jurisdiction.region_q([code]), received_at__gte=lo,
                                                    received_at__lt=hi)
          .exclude(group="merged").select_related("region").annotate(n_reports=Count("reports")))
    records = [Record(id=str(a.pk), title=a.title, text=a.text, time=a.received_at, likes=max(0, a.n_reports - 1),
                      user=f"h{a.household_id}" if a.household_id else f"a{a.pk}",
                      household=str(a.household_id or ""), place=a.region.name)
               for a in qs[:20000]]
    names = list(Region.objects.filter(jurisdiction.region_q([code], "code")).values_list("name", flat=True)[:5000])
    return records, [n for n in names if len(n) >= 2]


def region_hotspots(user, code: str, start: dt.date, end: dt.date, *, top: int = 10) -> list[Hotspot]:
    """Hot spots (bursts) among the appeals this user may see in the region and period."""
    records, names = _region_records(user, code, start, end)
    return find_hotspots(records, top=top, known_places=names)


def region_persistent(user, code: str, start: dt.date, end: dt.date, *, top: int = 10) -> list[Persistent]:
    """长期反复反映的问题 among the appeals this user may see; silence is counted up to the period's end."""
    records, names = _region_records(user, code, start, end)
    tz = timezone.get_current_timezone()
    until = min(timezone.now(), dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))
    return find_persistent(records, top=top, now=until, known_places=names)


# What a hot spot can become, registered by the part that keeps it (fieldwork: a courtyard meeting,
# a research topic) when it is ready, so nlp imports no part above it.
Turner = Callable[..., tuple[str, Any]]  # (user, region_code=, title=, note=, now=) → (record kind, record)
_TURNERS: dict[str, Turner] = {}


def register_turner(kind: str, turner: Turner) -> None:
    _TURNERS[kind] = turner


def turn_into(user, *, region_code: str, kind: str, title: str, description: str = "",
              appeal_ids: list[int] | None = None, now: dt.datetime | None = None) -> tuple[str, Any]:
    """One action: a courtyard meeting (院坝会, recorded now) or a research topic led by the user."""
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError("请填写热点标题")
    if kind not in ("courtyard", "research"):
        raise ValidationError("类型只能是 courtyard（院坝会）或 research（调研课题）")
    turner = _TURNERS.get(kind)
    if turner is None:
        raise ValidationError("未安装走访模块，无法转为院坝会或调研课题")
    now = now or timezone.now()
    ids = ", ".join(str(i) for i in (appeal_ids or [])[:200])
    note = "\n".join(x for x in (description, f"来自热点，相关诉求：{ids}" if ids else "") if x)
    return turner(user, region_code=region_code, title=title, note=note, now=now)
