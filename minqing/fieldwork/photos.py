"""Photos sent with a phone's record (a visit or an appeal), in the record itself: the phone compresses
each one (longest side 1600 px, JPEG) and keeps it in the outbox with the record, so a photo arrives
with its record or not at all, and a record sent again ("duplicate") stores no photo twice.

Each photo is `{"client_id", "name", "data"}` with `data` the JPEG or PNG in base64. On the server it
loses its metadata (EXIF GPS, time, device: minqing.lib.uploads.clean_image) before it is stored; a
visit's photos are kept on the visit and copied to each problem raised on it as 整改前 evidence
(docs/decisions/0047-field-photos.md).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from minqing.appeals.attachments import validate_upload
from minqing.appeals.models import Appeal, PhotoPhase
from minqing.appeals.services import add_attachment
from minqing.audit.log import record
from minqing.lib.uploads import clean_image

from .models import Visit, VisitPhoto

MAX_PHOTOS = 6  # per record: what a cadre takes at one door; more waits for the next record
MAX_PHOTO_BYTES = 4 * 1024 * 1024  # decoded; a 1600 px JPEG at 0.8 is ~0.3 MB


@dataclass(frozen=True)
class Photo:
    name: str
    content: bytes  # without metadata
    content_type: str


def _name(raw: Any, index: int) -> str:
    name = str(raw or "").strip().replace("/", "_").replace("\\", "_")[-80:]
    if not name.lower().endswith((".jpg", ".jpeg", ".png")):
        name = f"照片{index}.jpg"
    return name


def decode(items: Any) -> list[Photo]:
    """The record's photos, checked and cleaned; a Chinese error naming the first bad one."""
    if items in (None, []):
        return []
    if not isinstance(items, list):
        raise ValidationError("“photos”应为列表")
    if len(items) > MAX_PHOTOS:
        raise ValidationError(f"一条记录最多附 {MAX_PHOTOS} 张照片")
    out = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping) or not isinstance(item.get("data"), str):
            raise ValidationError(f"第{index}张照片格式无效")
        text = item["data"].split(",", 1)[1] if item["data"].startswith("data:") else item["data"]
        if len(text) > MAX_PHOTO_BYTES * 4 // 3 + 4:
            raise ValidationError(f"第{index}张照片超过{MAX_PHOTO_BYTES // (1024 * 1024)}MB")
        try:
            content = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(f"第{index}张照片内容无效") from exc
        name = _name(item.get("name"), index)
        if name.lower().endswith(".png") and not content.startswith(b"\x89PNG"):
            name = name[:-4] + ".jpg"  # the phone re-encodes everything to JPEG
        content_type = validate_upload(name, len(content), content[:8])
        out.append(Photo(name=name, content=clean_image(content, name), content_type=content_type))
    return out


def store_for_visit(visit: Visit, photos: Iterable[Photo], *, actor: Any, now: dt.datetime,
                    appeals: Iterable[Appeal] = ()) -> list[VisitPhoto]:
    """The visit's photos, and the same photos as 整改前 on each appeal raised on the visit. Runs in
    the caller's transaction (the record's): a failure stores neither the visit nor its photos."""
    photos, appeals = list(photos), list(appeals)
    rows = []
    for photo in photos:
        digest = hashlib.sha256(photo.content).hexdigest()
        row = VisitPhoto(visit=visit, region_id=visit.region_id, name=photo.name, content_type=photo.content_type,
                         size=len(photo.content), sha256=digest, uploaded_by=actor if getattr(actor, "pk", None)
                         else None, uploaded_at=now)
        row.file.save(f"{digest[:16]}{_ext(photo.name)}", ContentFile(photo.content), save=False)
        row.save()
        rows.append(row)
    if rows:
        record("field.visit.photo_added", actor=actor, obj=visit, at=now,
               changes={"photos": len(rows), "sha256": [r.sha256 for r in rows]})
    for appeal in appeals:
        attach_before(appeal, photos, actor=actor, now=now)
    return rows


def attach_before(appeal: Appeal, photos: Iterable[Photo], *, actor: Any, now: dt.datetime) -> None:
    """Photos of the problem as found: 整改前 evidence on the case (the phone's cadre registered it)."""
    for photo in photos:
        add_attachment(appeal, actor=actor, upload=ContentFile(photo.content, name=photo.name), now=now,
                       check=False, phase=PhotoPhase.BEFORE.value)


def _ext(name: str) -> str:
    return ".png" if name.lower().endswith(".png") else ".jpg"
