"""The map page (/map/): cases, visits or hot spots as clustered points under the filters of their
lists. The points come in the page itself (no second request); with no tile source configured
(MINQING_TIANDITU_KEY empty) nothing but this site is ever asked for anything: ECharts, vendored,
plots the clusters on the place's extent (docs/decisions/0046-photos19-maps.md)."""

from __future__ import annotations

from typing import Any

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


def tile_source() -> dict[str, str] | None:
    """The county's tiles, or None: 天地图 (CGCS2000, drawn as WGS84) when its key is set."""
    key = getattr(settings, "MINQING_TIANDITU_KEY", "")
    return {"kind": "tianditu", "key": key} if key else None


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
    return render(request, "web/map.html", context)


def _focus(raw: str) -> dict[str, float] | None:
    """?focus=lat,lng: a position to mark (a visit's GPS from the household page)."""
    try:
        lat, lng = (float(x) for x in raw.split(",", 1))
    except ValueError:
        return None
    return {"lat": lat, "lng": lng} if -90 <= lat <= 90 and -180 <= lng <= 180 else None
