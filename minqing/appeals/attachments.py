"""Photos and files on a case or one of its progress notes: validated type, size and content."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record
from minqing.lib.uploads import clean_image, read_limited

from .models import Appeal, Attachment, PhotoPhase, Progress
from .transition import check as check_may_act

MAX_UPLOAD = 10 * 1024 * 1024
ALLOWED_TYPES = {  # extension → (content type, magic bytes it must start with)
    "jpg": ("image/jpeg", b"\xff\xd8\xff"), "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"), "pdf": ("application/pdf", b"%PDF-"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}  # fmt: skip


def validate_upload(name: str, size: int, head: bytes) -> str:
    """The content type of an allowed file, or a Chinese error naming what is wrong."""
    ext = PurePath(name or "").suffix.lower().lstrip(".")
    if ext not in ALLOWED_TYPES:
        raise ValidationError(f"文件“{name}”类型不支持：只能上传 jpg、png、pdf、docx、xlsx")
    if size <= 0:
        raise ValidationError(f"文件“{name}”是空文件")
    if size > MAX_UPLOAD:
        raise ValidationError(f"文件“{name}”超过10MB（{size / 1024 / 1024:.1f}MB）")
    content_type, magic = ALLOWED_TYPES[ext]
    if not head.startswith(magic):
        raise ValidationError(f"文件“{name}”的内容与扩展名不符")
    return content_type


def add_attachment(appeal: Appeal, *, actor, upload: Any, progress: Progress | None = None,
                   now: dt.datetime | None = None, check: bool = True, phase: str = "") -> Attachment:
    """A photo or file (validated type and size) on the case or one of its progress notes; `phase`
    marks a photo as 整改前/整改后 evidence (PhotoPhase), "" when it is neither."""
    now = now or timezone.now()
    if phase and phase not in PhotoPhase.values:
        raise ValidationError("照片阶段只能是“整改前”或“整改后”")
    if phase and not (getattr(upload, "name", "") or "").lower().endswith((".jpg", ".jpeg", ".png")):
        raise ValidationError("只有照片可以标记为整改前或整改后")
    if check:
        check_may_act(actor, appeal, "add_progress")
    content = read_limited(upload, MAX_UPLOAD)  # counted while streaming, never read past the limit
    content_type = validate_upload(getattr(upload, "name", ""), len(content), content[:8])
    if content_type.startswith("image/"):
        content = clean_image(content, getattr(upload, "name", ""))  # no EXIF (GPS) is stored
    size = len(content)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        att = Attachment(appeal=appeal, progress=progress, name=PurePath(upload.name).name[:200],
                         content_type=content_type, size=size, sha256=digest,
                         uploaded_by=actor if getattr(actor, "pk", None) else None, uploaded_at=now,
                         phase=phase)
        ext = PurePath(upload.name).suffix.lower()
        att.file.save(f"{digest[:16]}{ext}", ContentFile(content), save=False)
        att.save()
        record("appeal.attachment_added", actor=actor, obj=appeal,
               changes={"attachment": att.pk, "name": att.name, "size": size, "sha256": digest,
                        **({"phase": phase} if phase else {})}, at=now)
    return att

