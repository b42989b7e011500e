"""What the map page plots: cases, visits or hot spots the user may see, as positions (WGS84, as the
phone's GPS gives them) gathered into clusters. Each layer takes the filters of its list: the case
list's (appeals_filtered), the desk visit list's (region, period, visitor, household), the hot-spot
page's (region, from, to). Every query goes through the jurisdiction filter.

A case is placed at its household; a visit at the GPS it recorded, else at its household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from minqing.appeals.models import Appeal
from minqing.households.models import Household
from minqing.lib import geo, periods, regioncode
from minqing.regions import jurisdiction

MAX_POINTS = 20000  # a county's cases of a year; the plot shows clusters, never 20 000 dots
LAYERS = ("cases", "visits", "hotspots")


@dataclass
class Layer:
    points: list[geo.Point] = field(default_factory=list)
    total: int = 0  # records matched, with or without a position
    errors: list[str] = field(default_factory=list)

    @property
    def unplaced(self) -> int:
        return self.total - len(self.points)


def _places(codes: Iterable[str]) -> dict[str, str]:
    from minqing.regions.models import Region

    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _point(lat: Any, lng: Any, place: str) -> geo.Point | None:
    if lat is None or lng is None:
        return None
    return geo.Point(lng=float(lng), lat=float(lat), place=place)


def cases(user: Any, qs: QuerySet) -> Layer:
    """The cases of the (already filtered, jurisdiction-bound) case list, placed at their household."""
    rows = list(qs.order_by().values_list("region_id", "household__latitude", "household__longitude")[:MAX_POINTS])
    names = _places(r[0] for r in rows)
    pts = [p for p in (_point(lat, lng, names.get(code, "")) for code, lat, lng in rows) if p]
    return Layer(points=pts, total=len(rows))


def _within(qs: QuerySet, code: str, errors: list[str]) -> QuerySet:
    if not code:
        return qs
    try:
        return qs.filter(jurisdiction.region_q([regioncode.normalize(code)]))
    except (regioncode.RegionCodeError, ValueError):
        errors.append(f"地区代码“{code}”无效")
        return qs.none()


def _int(value: str) -> int | None:
    return int(value) if value and value.isdigit() else None


def visits(user: Any, f: dict[str, str]) -> Layer:
    """Visits as the desk list filters them: region, period (YYYY-MM, YYYY-Qn, YYYY), visitor, household."""
    model = apps.get_model("fieldwork", "Visit") if apps.is_installed("minqing.fieldwork") else None
    if model is None:
        return Layer()
    errors: list[str] = []
    qs = _within(jurisdiction.visible(user, model).alive(), f.get("region", ""), errors)
    if f.get("period"):
        try:
            start, end = periods.span(f["period"])
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            tz = timezone.get_current_timezone()
            qs = qs.filter(visited_at__gte=dt.datetime.combine(start, dt.time.min, tz),
                           visited_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))
    if (visitor := _int(f.get("visitor", ""))) is not None:
        qs = qs.filter(Q(visitor_id=visitor) | Q(companions=visitor)).distinct()
    if (household := _int(f.get("household", ""))) is not None:
        qs = qs.filter(household_id=household)
    rows = list(qs.order_by().values_list("region_id", "latitude", "longitude", "household__latitude",
                                          "household__longitude")[:MAX_POINTS])
    names = _places(r[0] for r in rows)
    pts = []
    for code, lat, lng, hlat, hlng in rows:
        p = _point(lat, lng, names.get(code, "")) or _point(hlat, hlng, names.get(code, ""))
        if p:
            pts.append(p)
    return Layer(points=pts, total=len(rows), errors=errors)


def hotspots(user: Any, f: dict[str, str]) -> tuple[Layer, list[dict[str, Any]]]:
    """The hot spots of the region and period (nlp), each placed at its cases' households: a cluster per
    hot spot's households, and the hot spots themselves for the list beside the plot."""
    if not apps.is_installed("minqing.nlp"):
        return Layer(), []
    from minqing.nlp import reports

    scope = jurisdiction.scope_of(user)
    code = f.get("region") or scope.home_code() or ""
    if not code:
        return Layer(errors=["请选择地区"]), []
    try:
        code, start, end = reports.period(code, _date(f.get("from")), _date(f.get("to")))
        spots = reports.region_hotspots(user, code, start, end, top=20)
    except (ValidationError, PermissionDenied) as exc:
        return Layer(errors=list(getattr(exc, "messages", [str(exc)]))), []
    ids = {int(i) for s in spots for i in s.message_ids if str(i).isdigit()}
    where = dict((pk, (lat, lng)) for pk, lat, lng in jurisdiction.visible(user, Appeal).filter(pk__in=ids)
                 .values_list("pk", "household__latitude", "household__longitude"))
    layer, listed = Layer(), []
    for s in spots:
        placed = [where[int(i)] for i in s.message_ids if str(i).isdigit() and where.get(int(i), (None,))[0]]
        layer.total += 1
        if placed:  # one point per hot spot, at the mean of its households, weighted by its cases
            lat = sum(float(a) for a, _ in placed) / len(placed)
            lng = sum(float(b) for _, b in placed) / len(placed)
            layer.points.extend([geo.Point(lng=lng, lat=lat, place=s.title)] * s.count)
        listed.append({"title": s.title, "place": s.place, "count": s.count, "heat": round(s.heat, 1),
                       "placed": bool(placed)})
    layer.total = sum(s.count for s in spots)
    return layer, listed


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def households_extent(user: Any, code: str = "") -> geo.Extent | None:
    """The place's extent (its households' positions): what an empty layer is drawn on."""
    qs = jurisdiction.visible(user, Household).exclude(latitude__isnull=True).exclude(longitude__isnull=True)
    if code:
        qs = _within(qs, code, [])
    sample = qs.order_by().values_list("latitude", "longitude")[:MAX_POINTS]
    return geo.extent_of(geo.Point(lng=float(b), lat=float(a)) for a, b in sample)
