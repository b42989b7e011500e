"""Mainland phone numbers: mobiles (1[3-9]x, 11 digits) and landlines (area code + 7–8 digits)."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class PhoneError(ValueError):
    pass


def clean_phone(value: str) -> str:
    text = re.sub(r"[\s()（）]", "", str(value or ""))
    if text.startswith("+86"):
        text = text[3:]
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    raise PhoneError("电话号码无效：手机号应为11位（1开头），座机应含区号")
