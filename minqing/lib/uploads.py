"""Reading an upload safely: size counted while streaming (the read stops at the limit, a huge
file is never held whole), and a stored photo without its metadata (EXIF GPS, time, device):
a photo of a case or a signed mediation paper must not tell where a resident lives or who took it."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from minqing.lib.photos import strip_metadata

CHUNK = 64 * 1024


def read_limited(upload: Any, limit: int) -> bytes:
    """The upload's bytes, or a Chinese error as soon as more than `limit` bytes have come."""
    name = getattr(upload, "name", "") or ""
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(f"文件“{name}”超过{limit // (1024 * 1024)}MB（{declared / 1024 / 1024:.1f}MB）")
    buffer = bytearray()
    chunks = upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    for chunk in chunks:
        buffer += chunk
        if len(buffer) > limit:
            raise ValidationError(f"文件“{name}”超过{limit // (1024 * 1024)}MB")
    return bytes(buffer)


def clean_image(data: bytes, name: str = "") -> bytes:
    """A JPEG or PNG without metadata, refused when it is not a picture that decodes (a file
    disguised as one); the pixels are kept as they are (no re-encoding)."""
    clean = strip_metadata(data)
    try:
        with Image.open(BytesIO(clean)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"文件“{name}”不是有效的图片") from exc
    return clean
