"""Resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters, last one a check digit."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.exceptions import ValidationError


class IdNumberError(ValueError):
    pass


def clean_id_number(value: str) -> str:
    """Validated, upper-case ID number; raises IdNumberError with a Chinese message."""
    text = str(value or "").strip().replace(" ", "").upper()
    if len(text) != 18:
        raise IdNumberError("身份证号码应为18位")
    try:
        return ric.validate(text)
    except ValidationError as exc:
        if not text[:17].isdigit():
            raise IdNumberError("身份证号码前17位应为数字") from exc
        try:
            ric.get_birth_date(text)
        except ValidationError:
            raise IdNumberError("身份证号码中的出生日期无效") from exc
        raise IdNumberError("身份证号码校验位错误") from exc


def birth_date(value: str) -> dt.date:
    return ric.get_birth_date(value)


def gender(value: str) -> str:
    """'M' or 'F' from the sequence digit (odd: male)."""
    return "M" if int(value[16]) % 2 else "F"


def check_digit(first17: str) -> str:
    return ric.calc_check_digit(first17)
