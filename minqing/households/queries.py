"""Reads of households and residents, all starting from the jurisdiction filter."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import crypto
from .models import Household, Resident


def households_for(user, *, region: str | None = None, q: str | None = None,
                   tag: str | None = None) -> QuerySet[Household]:
    qs = jurisdiction.visible(user, Household).select_related("region", "group")
    if region:
        qs = qs.filter(jurisdiction.region_q([regioncode.normalize(region)]))
    if tag:
        qs = qs.filter(tags__code=tag)
    if q:
        q = q.strip()
        if q.isdigit() and len(q) >= 11 or len(q) == 18:
            # A whole phone or ID number finds its resident by keyed hash, never by a scan.
            qs = qs.filter(residents__in=Resident.objects.filter(
                Q(id_number_hash=crypto.lookup_hash(q)) | Q(phone_hash=crypto.lookup_hash(q))))
        else:
            qs = qs.filter(Q(head_name__contains=q) | Q(address__contains=q) | Q(number=q)
                           | Q(residents__name=q)).distinct()
    return qs.order_by("region_id", "number")


def household_detail(user, pk) -> Household:
    alive = Resident.objects.filter(deleted_at__isnull=True).order_by("id")
    qs = Household.objects.select_related("region", "group").prefetch_related(
        "tags", Prefetch("residents", queryset=alive, to_attr="members"))
    return jurisdiction.get_visible_or_404(user, qs, pk=pk)
