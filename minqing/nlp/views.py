"""Pages: full-text search and the hot-spot report. Thin: parse → domain function → template."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from minqing.regions import jurisdiction

from . import jobs, reports, search

PAGE = 20


def _query(request) -> str:
    """A whole phone or ID number never rides in a URL: it is kept in the session under a key `s`."""
    q = (request.GET.get("q") or "").strip()
    key = request.GET.get("s")
    if not q and key:
        q = request.session.get("nlp_searches", {}).get(key, "")
    return q


@login_required
def search_page(request):
    q = (request.GET.get("q") or "").strip()
    if q and search.is_whole_number(q):
        key = secrets.token_urlsafe(8)
        saved = dict(list(request.session.get("nlp_searches", {}).items())[-9:]) | {key: q}
        request.session["nlp_searches"] = saved
        params = request.GET.copy()
        params.pop("q")
        params["s"] = key
        return redirect(f"{request.path}?{params.urlencode()}")
    q = _query(request)
    kind = request.GET.get("kind") or ""
    try:
        page = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page = 1
    error, found = "", search.Results()
    try:
        if q:
            found = search.find(request.user, q, kinds=[kind] if kind else None, limit=PAGE, offset=(page - 1) * PAGE)
    except ValidationError as exc:  # a query too short to answer in time
        error = "；".join(exc.messages)
    hits = found.hits
    kinds = [("", _("Everything")), ("appeal", pgettext("search", "Appeals")), ("progress", _("Progress notes")),
             ("reply", _("Replies")), ("report", _("Reports")), ("visit", _("Visit notes")),
             ("resident", _("Residents"))]
    # a hit names where it matched and its place in words, never by code
    found_in = {"appeal": _("in the appeal"), "report": _("in a report"), "progress": _("in a progress note"),
                "reply": _("in a reply"), "visit": _("visit note"), "resident": _("resident")}
    rows = [{"hit": h, "url": search.url_for(h), "kind_label": found_in.get(h.object_type, _("Record")),
             "place": h.place} for h in hits]
    return render(request, "nlp/search.html", {
        "q": "" if search.is_whole_number(q) else q, "key": request.GET.get("s", ""), "kind": kind, "rows": rows,
        "page": page, "more": page * PAGE < found.total, "searched": bool(q), "kinds": kinds, "error": error,
        "total": found.total, "estimated": found.estimated, "first": (page - 1) * PAGE + 1,
        "building": jobs.index_building(),
    })


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def hotspots_page(request):
    scope = jurisdiction.scope_of(request.user)
    region = request.GET.get("region") or scope.home_code() or ""
    persistent = request.GET.get("kind") == "persistent"  # 长期反复反映, read over two years by default
    spots, error, code, start, end = [], "", region, None, None
    if region:
        try:
            code, start, end = reports.period(region, _date(request.GET.get("from")), _date(request.GET.get("to")),
                                              reports.PERSISTENT_DAYS if persistent else reports.DEFAULT_DAYS)
            spots = (reports.region_persistent(request.user, code, start, end, top=20) if persistent
                     else reports.region_hotspots(request.user, code, start, end, top=20))
        except (ValidationError, PermissionDenied) as exc:
            error = "；".join(getattr(exc, "messages", [str(exc)]))
    from minqing.regions.models import Region

    place = jurisdiction.visible(request.user, Region).filter(code=code).first() if code else None
    return render(request, "nlp/hotspots.html", {
        "spots": spots, "error": error, "region": code, "place": place, "start": start, "end": end,
        "persistent": persistent,
    })


@login_required
@require_POST
def hotspot_action(request):
    ids = [int(x) for x in request.POST.getlist("appeal_ids") if x.isdigit()]
    try:
        obj_type, obj = reports.turn_into(request.user, region_code=request.POST.get("region", ""),
                                          kind=request.POST.get("kind", ""), title=request.POST.get("title", ""),
                                          description=request.POST.get("description", ""), appeal_ids=ids)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        label = _("Courtyard meeting recorded") if obj_type == "activity" else _("Research topic created")
        messages.success(request, f"{label}：{obj}")
        try:  # the fieldwork desk page of what was made, when that part has one
            return redirect(reverse("field:desk_activity" if obj_type == "activity" else "field:desk_topic",
                                    args=[obj.pk]))
        except NoReverseMatch:
            pass
    return redirect(request.POST.get("next") or "nlp:hotspots")
