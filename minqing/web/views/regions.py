from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from minqing.households.models import Household
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region


@login_required
def region_detail(request, code: str):
    try:
        full = regioncode.normalize(code)
    except regioncode.RegionCodeError:
        full = "-"
    region = jurisdiction.get_visible_or_404(request.user, Region, code=full)
    children = (jurisdiction.visible(request.user, Region).filter(parent_id=region.code)
                .order_by("code"))
    counts: dict[str, int] = {}
    scope = jurisdiction.scope_of(request.user)
    if scope.sees_place(region.code) or any(regioncode.contains(region.code, c) for c in scope.place_codes):
        for child in children:
            low, high = regioncode.subtree_range(child.code)
            counts[child.code] = 0
        rows = (jurisdiction.visible(request.user, Household)
                .filter(jurisdiction.region_q([region.code]))
                .values("region_id").annotate(n=Count("id", filter=Q(deleted_at__isnull=True))))
        for row in rows:
            for child in children:
                if regioncode.contains(child.code, row["region_id"]):
                    counts[child.code] += row["n"]
    items = [(child, counts.get(child.code)) for child in children]
    return render(request, "web/region.html", {"region": region, "items": items,
                                               "path": _path(request.user, region)})


def _path(user, region: Region) -> list[Region]:
    codes = []
    code = region.code
    while code:
        codes.append(code)
        code = regioncode.parent_code(code)
    return list(jurisdiction.visible(user, Region).filter(code__in=codes).order_by("level"))
