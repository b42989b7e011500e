from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from minqing.api.schemas import Page, paginate
from minqing.lib.regioncode import RegionCodeError
from minqing.regions import jurisdiction
from minqing.regions.models import VillageGroup

from . import queries, services
from .models import Household, Resident

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


# --- Changes (一户一档): each through one service function, each an audit event -------------------------


class HouseholdIn(Schema):
    region_id: str
    number: str
    head_name: str
    address: str
    group: int | None = None  # 村民小组 number
    tags: list[str] = []
    note: str = ""
    reason: str = ""


class HouseholdPatch(Schema):
    number: str | None = None
    head_name: str | None = None
    address: str | None = None
    group: int | None = None
    note: str | None = None
    tags: list[str] | None = None
    base_version: int | None = None
    reason: str = ""


class MoveIn(Schema):
    region_id: str
    group: int | None = None
    number: str | None = None
    reason: str = ""


class SplitIn(Schema):
    resident_ids: list[int]
    head_id: int
    number: str
    address: str = ""
    reason: str = ""


class MergeIn(Schema):
    source_id: int
    reason: str


class HouseholdReasonIn(Schema):
    reason: str


class ResidentIn(Schema):
    name: str
    relation: str = "other"
    gender: str = ""
    birth_date: dt.date | None = None
    id_number: str = ""
    phone: str = ""
    reason: str = ""


class ResidentPatch(Schema):
    name: str | None = None
    relation: str | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    id_number: str | None = None
    phone: str | None = None
    reason: str = ""


class StatusIn(Schema):
    status: str
    on: dt.date | None = None
    reason: str = ""


class ResidentRef(Schema):
    id: int
    household_id: int
    status: str


class RosterJobOut(Schema):
    id: int
    status: str
    progress: int
    message: str


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _group_id(region_id: str, number: int | None) -> int | None:
    if number is None:
        return None
    group = VillageGroup.objects.filter(region_id=region_id, number=number).first()
    if group is None:
        raise ValidationError({"group": f"该村没有第 {number} 组"})
    return group.pk


def _mine(request, pk: int) -> Household:
    return jurisdiction.get_visible_or_404(request.user, Household, pk=pk)


def _out(h: Household) -> dict:
    h.refresh_from_db()
    return {f: getattr(h, f) for f in ("id", "region_id", "number", "head_name", "address", "version")}


@router.post("", response={201: HouseholdOut})
def create(request, body: HouseholdIn):
    h = services.create_household(actor=request.user, region_id=body.region_id, number=body.number.strip(),
                                  head_name=body.head_name, address=body.address, tags=body.tags, note=body.note,
                                  group_id=_group_id(body.region_id, body.group), reason=body.reason, ip=_ip(request))
    return 201, _out(h)


@router.patch("/{int:household_id}", response=HouseholdOut)
def update(request, household_id: int, body: HouseholdPatch):
    h = _mine(request, household_id)
    changes = {k: v for k, v in body.dict(include={"number", "head_name", "address", "note"}).items() if v is not None}
    if "group" in body.model_fields_set:
        changes["group_id"] = _group_id(h.region_id, body.group)
    services.update_household(h, actor=request.user, changes=changes, tags=body.tags, reason=body.reason,
                              base_version=body.base_version, ip=_ip(request))
    return _out(h)


@router.post("/{int:household_id}/move", response=HouseholdOut)
def move(request, household_id: int, body: MoveIn):
    h = services.move_household(_mine(request, household_id), actor=request.user, region_id=body.region_id,
                                group_id=_group_id(body.region_id, body.group), number=body.number,
                                reason=body.reason, ip=_ip(request))
    return _out(h)


@router.post("/{int:household_id}/split", response={201: HouseholdOut})
def split(request, household_id: int, body: SplitIn):
    new = services.split_household(_mine(request, household_id), actor=request.user, resident_ids=body.resident_ids,
                                   head_id=body.head_id, number=body.number, address=body.address,
                                   reason=body.reason, ip=_ip(request))
    return 201, _out(new)


@router.post("/{int:household_id}/merge", response=HouseholdOut)
def merge(request, household_id: int, body: MergeIn):
    h = services.merge_households(_mine(request, household_id), _mine(request, body.source_id), actor=request.user,
                                  reason=body.reason, ip=_ip(request))
    return _out(h)


@router.post("/{int:household_id}/close", response={204: None})
def close(request, household_id: int, body: HouseholdReasonIn):
    services.remove_household(_mine(request, household_id), actor=request.user, reason=body.reason, ip=_ip(request))
    return 204, None


@router.post("/{int:household_id}/residents", response={201: ResidentRef})
def add_member(request, household_id: int, body: ResidentIn):
    r = services.add_resident(_mine(request, household_id), actor=request.user, **body.dict(), ip=_ip(request))
    return 201, r


@router.patch("/residents/{int:resident_id}", response=ResidentRef)
def update_member(request, resident_id: int, body: ResidentPatch):
    r = jurisdiction.get_visible_or_404(request.user, Resident, pk=resident_id)
    changes = {k: v for k, v in body.dict(exclude={"reason"}).items() if k in body.model_fields_set}
    return services.update_resident(r, actor=request.user, changes=changes, reason=body.reason, ip=_ip(request))


@router.post("/residents/{int:resident_id}/status", response=ResidentRef)
def member_status(request, resident_id: int, body: StatusIn):
    r = jurisdiction.get_visible_or_404(request.user, Resident, pk=resident_id)
    return services.set_resident_status(r, actor=request.user, status=body.status, on=body.on, reason=body.reason,
                                        ip=_ip(request))


@router.get("/{int:household_id}/print")
def print_file(request, household_id: int, format: str = "docx"):  # noqa: A002 - the query parameter's name
    from .printing import docx, pdf, sheets

    h = _mine(request, household_id)
    if format not in ("docx", "pdf") or (format == "pdf" and not pdf.available()):
        raise ValidationError("format 只能是 docx" + ("或 pdf" if pdf.available() else ""))
    buf = io.BytesIO()
    (pdf if format == "pdf" else docx).write(sheets(request.user, [h]), buf)
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=f"household-{h.pk}.{format}")


@router.post("/import", response={202: RosterJobOut})
def import_roster(request, region: Form[str], dry_run: Form[bool] = False, mapping: Form[str] = "{}",
                  file: UploadedFile = File(...)):  # noqa: B008 - ninja's idiom
    """A 花名册 (.xlsx/.csv) → a background job (GET /api/v1/jobs/{id} for its progress). ``mapping`` is a
    JSON object field → the file's header, for files whose headers differ from the documented ones."""
    from minqing.jobs import runner
    from minqing.jobs.kinds import IMPORT_DIR

    try:
        columns = json.loads(mapping or "{}")
        assert isinstance(columns, dict)
    except (ValueError, AssertionError) as exc:
        raise ValidationError("mapping 须是 JSON 对象，如 {\"id_number\": \"身份证号\"}") from exc
    suffix = Path(file.name or "").suffix.lower()
    if suffix not in (".xlsx", ".csv") or file.size > 20 * 1024 * 1024:
        raise ValidationError("只能导入 20 MB 以内的 .xlsx 或 .csv 文件")
    jurisdiction.figure_region(request.user, region)  # a place outside one's reach: 404 before keeping a file
    stored = default_storage.save(f"{IMPORT_DIR}/{dt.date.today():%Y%m}/{uuid.uuid4().hex}{suffix}", file)
    job = runner.submit("household_import", owner=request.user,
                        params={"region": region, "file": stored, "name": Path(file.name or "").name,
                                "mapping": columns, "dry_run": dry_run})
    return 202, job
