"""Bench-only URLs for bench/load.py (never in the product): the product's own URL patterns, unchanged,
plus /bench/bare-list, a bare Django view answering the list case (a) of bench/peer.py with its
hand-written SQL (newest 25 + count) through a raw cursor, and /bench/bare-detail/ID, a bare Django view
reading the case page's main query (the appeal with its place, category, unit, people and household,
queries.appeal_detail's select_related, no jurisdiction filter, no template) as JSON — both behind the
same middleware, log-in and server settings. Served through bench/load_settings.py."""

from __future__ import annotations

import json
import os
import sys

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

sys.path.insert(0, os.path.dirname(__file__))
from peer import LIST_SQL, ORDER  # noqa: E402  (the hand SQL of case (a))

from minqing.urls import urlpatterns as product_patterns  # noqa: E402

WHERE = 'a."group" = %s AND a.category_id = %s'


def bare_list(request: HttpRequest) -> HttpResponse:
    """?category=ID: the open appeals of that category, newest 25, and their count."""
    if not request.user.is_authenticated:  # the same session read as a product view
        return JsonResponse({"detail": "login"}, status=401)
    params = ["open", int(request.GET["category"])]
    with connection.cursor() as cur:
        cur.execute(LIST_SQL + WHERE + ORDER, params)
        rows = cur.fetchall()
        cur.execute("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND " + WHERE, params)
        count = cur.fetchone()[0]
    items = [dict(zip(("id", "number", "title", "status", "group", "received_at", "due_at", "region",
                       "category", "unit"), row, strict=True)) for row in rows]
    return HttpResponse(json.dumps({"items": items, "count": count}, default=str, ensure_ascii=False),
                        content_type="application/json")


def bare_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case page's main query, bare: one appeal and what it names, as JSON."""
    from minqing.appeals.models import Appeal

    if not request.user.is_authenticated:
        return JsonResponse({"detail": "login"}, status=401)
    a = Appeal.objects.select_related("region", "category", "unit", "handler", "supervised_by", "merged_into",
                                      "household").get(pk=pk, deleted_at__isnull=True)
    return JsonResponse({"id": a.pk, "number": a.number, "title": a.title, "text": a.text, "status": a.status,
                         "group": a.group, "received_at": a.received_at, "due_at": a.due_at, "region": a.region.name,
                         "category": a.category.name if a.category else None,
                         "unit": a.unit.name if a.unit else None, "state": a.state,
                         "household": a.household.number if a.household else None},
                        json_dumps_params={"ensure_ascii": False})


urlpatterns = [path("bench/bare-list", bare_list), path("bench/bare-detail/<int:pk>", bare_detail),
               *product_patterns]
handler400 = "minqing.web.errorpages.bad_request"
