"""The map page (/map/): cases, visits or hot spots as clustered points under the filters of their
lists. The points come in the page itself (no second request); with no tile source configured
(MINQING_TIANDITU_KEY empty) nothing but this site is ever asked for anything: ECharts, vendored,
plots the clusters on the place's extent (docs/decisions/0048-maps.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from minqing.lib import geo

from .. import map_points
from .appeals import FILTER_KEYS, _filter_choices, _filters, filtered

LAYER_LABELS = {"cases": _("Cases"), "visits": _("Visits"), "hotspots": _("Hot spots")}
VISIT_KEYS = ("region", "period", "visitor", "household")
HOTSPOT_KEYS = ("region", "from", "to")


TIANDITU_HOSTS = "https://*.tianditu.gov.cn"
# 天地图's Web-Mercator WMTS (t0…t7): the map (vec) and its Chinese labels (cva). CGCS2000 is drawn as
# WGS84 (they differ by centimetres), so the stored GPS goes on it unconverted.
TIANDITU_LAYERS = [
    f"https://t{{s}}.tianditu.gov.cn/{name}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={name}"
    "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk="
    for name in ("vec", "cva")
]


def tile_source() -> dict[str, Any] | None:
    """The county's tiles, or None: 天地图 when the administrator set its key (MINQING_TIANDITU_KEY)."""
    key = getattr(settings, "MINQING_TIANDITU_KEY", "")
    if not key:
        return None
    return {"kind": "tianditu", "urls": [url + quote(key) for url in TIANDITU_LAYERS],
            "subdomains": "01234567", "attribution": "天地图"}


@login_required
@require_GET
def map_page(request):
    layer_name = request.GET.get("layer") if request.GET.get("layer") in map_points.LAYERS else "cases"
    f = _filters(request)
    errors: list[str] = []
    spots: list[dict[str, Any]] = []
    if layer_name == "cases":
        layer = map_points.cases(request.user, filtered(request.user, f, errors))
        layer.errors.extend(errors)
    elif layer_name == "visits":
        layer = map_points.visits(request.user, {k: (request.GET.get(k) or "").strip() for k in VISIT_KEYS})
    else:
        layer, spots = map_points.hotspots(request.user, {k: (request.GET.get(k) or "").strip() for k in HOTSPOT_KEYS})
    clusters = geo.cluster(layer.points)
    extent = geo.extent_of(layer.points) or map_points.households_extent(request.user, f["region"])
    focus = _focus(request.GET.get("focus", ""))
    data = {
        "layer": layer_name, "label": str(LAYER_LABELS[layer_name]),
        "clusters": [c.as_dict() for c in clusters], "extent": extent.as_dict() if extent else None,
        "focus": focus, "tiles": tile_source(), "count_label": str(_("records")),
    }
    context = {
        "layer": layer_name, "layers": list(LAYER_LABELS.items()), "f": f, "g": request.GET,
        "total": layer.total, "placed": len(layer.points), "unplaced": layer.unplaced, "errors": layer.errors,
        "clusters": clusters[:12], "spots": spots, "map_data": data, "filter_keys": FILTER_KEYS,
    }
    context.update(_filter_choices(request.user))
    response = render(request, "web/map.html", context)
    if data["tiles"]:  # the one other server this page may ask: the county's tiles, and only then
        response._csp_update = {"img-src": [TIANDITU_HOSTS]}  # type: ignore[attr-defined]
    return response


def _focus(raw: str) -> dict[str, float] | None:
    """?focus=lat,lng: a position to mark (a visit's GPS from the household page)."""
    try:
        lat, lng = (float(x) for x in raw.split(",", 1))
    except ValueError:
        return None
    return {"lat": lat, "lng": lng} if -90 <= lat <= 90 and -180 <= lng <= 180 else None
