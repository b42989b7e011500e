"""Photos sent by residents lose their metadata before they are stored: a phone's JPEG carries
the place it was taken (GPS), the time and the device, which can name a whistle-blower. JPEG:
APPn segments other than JFIF (APP0) and comments are dropped; PNG: text and eXIf chunks."""

from __future__ import annotations

import struct

from django.core.exceptions import ValidationError

JPEG_MAGIC = b"\xff\xd8"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_DROP = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}


def strip_metadata(data: bytes) -> bytes:
    if data.startswith(JPEG_MAGIC):
        return _jpeg(data)
    if data.startswith(PNG_MAGIC):
        return _png(data)
    return data


def _broken() -> ValidationError:
    return ValidationError("照片文件已损坏，请重新选择")


def _jpeg(data: bytes) -> bytes:
    out = bytearray(data[:2])
    i = 2
    while i < len(data):
        if data[i] != 0xFF:
            raise _broken()
        marker = data[i + 1] if i + 1 < len(data) else None
        if marker is None:
            raise _broken()
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            out += data[i:i + 2]
            i += 2
            continue
        if marker == 0xD9:  # end of image
            out += data[i:i + 2]
            break
        if i + 4 > len(data):
            raise _broken()
        (length,) = struct.unpack(">H", data[i + 2:i + 4])
        segment = data[i:i + 2 + length]
        if len(segment) < 2 + length:
            raise _broken()
        if marker == 0xDA:  # start of scan: the rest is image data
            out += data[i:]
            break
        if not (0xE1 <= marker <= 0xEF or marker == 0xFE):  # keep all but APP1..APP15 and comments
            out += segment
        i += 2 + length
    return bytes(out)


def _png(data: bytes) -> bytes:
    out = bytearray(PNG_MAGIC)
    i = len(PNG_MAGIC)
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        end = i + 12 + length
        if end > len(data):
            raise _broken()
        if kind not in PNG_DROP:
            out += data[i:end]
        i = end
        if kind == b"IEND":
            break
    return bytes(out)
