"""Resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters, last one a check digit."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import ValidationError


class IdNumberError(ValueError):
    pass


def clean_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Validated, upper-case ID number; raises IdNumberError with a Chinese message.

    Checks length, digits, the birth date and the GB 11643 check digit. The place code is not
    checked against a table (python-stdnum's `ric.validate` does): a number keeps the county code
    of where it was issued, which is often newer than the birth year (511722 exists since 1993,
    its people born before that hold it), so such a check rejects real people."""
    text = str(value or "").strip().replace(" ", "").upper()
    if len(text) != 18:
        raise IdNumberError("身份证号码应为18位")
    if not (text[:17].isascii() and text[:17].isdigit()) or text[17] not in "0123456789X":
        raise IdNumberError("身份证号码前17位应为数字，最后一位为数字或X")
    try:
        born = ric.get_birth_date(text)
    except ValidationError as exc:
        raise IdNumberError("身份证号码中的出生日期无效") from exc
    if born > (today or dt.date.today()) or born.year < 1880:
        raise IdNumberError("身份证号码中的出生日期无效")
    if text[17] != check_digit(text[:17]):
        raise IdNumberError("身份证号码校验位错误")
    return text


def birth_date(value: str) -> dt.date:
    return ric.get_birth_date(value)


def gender(value: str) -> str:
    """'M' or 'F' from the sequence digit (odd: male)."""
    return "M" if int(value[16]) % 2 else "F"


def check_digit(first17: str) -> str:
    """The GB 11643 check digit of the first 17 digits. (stdnum's calc_check_digit expects the
    whole number and drops its last character, so a placeholder is appended.)"""
    return ric.calc_check_digit(first17[:17] + "0")
