from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router, Schema

from minqing.api.schemas import Page, paginate
from minqing.lib.regioncode import RegionCodeError
from minqing.regions import jurisdiction

from . import queries, services
from .models import Resident

router = Router(tags=["households"])


class HouseholdOut(Schema):
    id: int
    region_id: str
    number: str
    head_name: str
    address: str
    version: int


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    relation: str
    birth_date: str | None
    id_number: str  # masked
    phone: str  # masked


class HouseholdDetail(HouseholdOut):
    region_name: str
    group: str | None
    tags: list[str]
    latitude: float | None
    longitude: float | None
    residents: list[ResidentOut]


class RevealIn(Schema):
    field: str
    reason: str = ""


class ResidentRevealOut(Schema):
    field: str
    value: str


@router.get("", response=Page[HouseholdOut])
def list_households(request, region: str | None = None, q: str | None = None, tag: str | None = None,
                    limit: int = 50, offset: int = 0):
    try:
        qs = queries.households_for(request.user, region=region, q=q, tag=tag)
    except RegionCodeError as exc:  # a bad ?region= is the caller's mistake (422), not a server error
        raise ValidationError(str(exc)) from exc
    return paginate(qs.values("id", "region_id", "number", "head_name", "address", "version"), limit, offset)


@router.get("/{int:household_id}", response=HouseholdDetail)
def get_household(request, household_id: int):
    h = queries.household_detail(request.user, household_id)
    return {
        "id": h.id, "region_id": h.region_id, "number": h.number, "head_name": h.head_name,
        "address": h.address, "version": h.version, "region_name": h.region.name,
        "group": h.group.name if h.group else None, "tags": [t.name for t in h.tags.all()],
        "latitude": float(h.latitude) if h.latitude is not None else None,
        "longitude": float(h.longitude) if h.longitude is not None else None,
        "residents": [
            {"id": r.id, "name": r.name, "gender": r.gender, "relation": r.relation,
             "birth_date": r.birth_date.isoformat() if r.birth_date else None,
             "id_number": r.id_number_masked, "phone": r.phone_masked}
            for r in h.members
        ],
    }


@router.post("/residents/{int:resident_id}/reveal", response=ResidentRevealOut)
def reveal_resident(request, resident_id: int, body: RevealIn):
    r = jurisdiction.get_visible_or_404(request.user, Resident, pk=resident_id)
    value = services.reveal(r, body.field, actor=request.user, reason=body.reason,
                            ip=request.META.get("REMOTE_ADDR"))
    return {"field": body.field, "value": value}
