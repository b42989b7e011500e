"""Dashboard pages: thin — parse the period, check the figure jurisdiction, render figures.build()."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from minqing.lib import figures as figure_registry
from minqing.lib import periods, replica
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import figures, lists


def _region(user, code: str | None) -> Region:
    full = jurisdiction.figure_region(user, code)
    region = Region.objects.filter(code=full).first()
    if region is None:
        raise Http404
    return region


def _period(request: HttpRequest) -> tuple[periods.Period, str | None]:
    try:
        return periods.parse(request.GET.get("period"), request.GET.get("from"), request.GET.get("to")), None
    except ValidationError as exc:
        return periods.parse(None), "；".join(exc.messages)


BIG_REFRESH = 300


def _refresh_seconds(value: str | None) -> int:
    try:
        return min(max(int(value or BIG_REFRESH), 60), 3600)
    except ValueError:
        return BIG_REFRESH


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return region(request, None)


@login_required
def region(request: HttpRequest, code: str | None) -> HttpResponse:
    place = _region(request.user, code)
    period, error = _period(request)
    with replica.figures():  # read-only figures: the standby when there is one
        return _render_region(request, place, period, error)


def _render_region(request: HttpRequest, place: Region, period: periods.Period, error: str | None) -> HttpResponse:
    dash = figures.build(place, period, request.user)
    big = request.GET.get("view") == "big"
    context = {
        "dash": dash, "period": period, "error": error, "big": big,
        "charts": dash.charts(),
        **periods.choices(period.end),
        # 群众评议 and the cadre figures: the cadres part's section, for a leader of the place only.
        "cadres": None if big else figure_registry.compute("cadres", place.code, period.start, period.end,
                                                          user=request.user),
    }
    if big:  # the wall screen reloads itself; ?refresh=seconds within 1–60 minutes, 5 by default
        refresh = _refresh_seconds(request.GET.get("refresh"))
        context.update(refresh=refresh, refresh_minutes=max(1, round(refresh / 60)),
                       now=timezone.localtime().strftime("%H:%M"))
    return render(request, "dashboards/big.html" if big else "dashboards/dashboard.html", context,
                  status=400 if error else 200)


@login_required
def cases(request: HttpRequest, code: str) -> HttpResponse:
    """The cases behind one figure (dashboards.lists), for the places and records the user may see."""
    place = _region(request.user, code)
    period, error = _period(request)
    figure = request.GET.get("figure", "")
    if figure not in lists.FIGURES:
        raise Http404
    qs = lists.cases(figure, place.code, period, request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"region": place, "period": period, "figure": figure, "label": lists.FIGURES[figure][0],
               "page": page, "error": error, "path": figures.region_path(place, request.user),
               "groups": {k: str(v) for k, v in figures.GROUP_LABELS.items()}}
    return render(request, "dashboards/cases.html", context, status=400 if error else 200)
