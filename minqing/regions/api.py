from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from minqing.api.schemas import Page, paginate
from minqing.lib import regioncode
from minqing.regions import jurisdiction
from minqing.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    id: str
    code: str
    name: str
    level: int
    parent_id: str | None


def _out(qs):
    return qs.values("code", "name", "level", "parent_id")


@router.get("", response=Page[RegionOut])
def list_regions(request, parent: str | None = None, region: str | None = None, level: int | None = None,
                 limit: int = 100, offset: int = 0):
    qs = jurisdiction.visible(request.user, Region)
    try:
        if parent:
            qs = qs.filter(parent_id=regioncode.normalize(parent))
        if region:
            qs = qs.filter(jurisdiction.region_q([regioncode.normalize(region)], "code"))
    except regioncode.RegionCodeError as exc:  # the caller's mistake (422), not a server error
        raise ValidationError(str(exc)) from exc
    if level:
        qs = qs.filter(level=level)
    page = paginate(_out(qs.order_by("code")), limit, offset)
    page["items"] = [{**r, "id": r["code"]} for r in page["items"]]
    return page


@router.get("/{code}", response=RegionOut)
def get_region(request, code: str):
    try:
        full = regioncode.normalize(code)
    except regioncode.RegionCodeError:
        full = "x"
    r = jurisdiction.get_visible_or_404(request.user, Region, code=full)
    return {"id": r.code, "code": r.code, "name": r.name, "level": r.level, "parent_id": r.parent_id}
