"""A bare Django view for the list benchmarks (never in the product's URLs): the same list query written
plainly with the ORM — no jurisdiction filter, no templates — answered as JSON. bench/list_scale.py
serves it through its own URLconf (ROOT_URLCONF = "bare") beside the product's URLs, so it runs
behind the same middleware (session, log-in) as ours.

    GET /bare/appeals?group=open&category=ID   → the newest 25 rows and the count
"""

from __future__ import annotations

from django.http import JsonResponse
from django.urls import include, path


def appeals(request):
    from minqing.appeals.models import Appeal

    qs = Appeal.objects.filter(deleted_at__isnull=True)
    if request.GET.get("group"):
        qs = qs.filter(group=request.GET["group"])
    if request.GET.get("category"):
        qs = qs.filter(category_id=int(request.GET["category"]))
    if request.GET.get("region"):
        low, high = request.GET["region"].split("-")
        qs = qs.filter(region_id__gte=low, region_id__lte=high)
    items = list(qs.order_by("-received_at", "-id").values(
        "id", "number", "title", "status", "group", "received_at", "due_at", "region__name", "category__name",
        "unit__name")[:25])
    return JsonResponse({"items": items, "count": qs.count()})


urlpatterns = [path("bare/appeals", appeals), path("", include("minqing.urls"))]
