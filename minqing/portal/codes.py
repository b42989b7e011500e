"""Tracking codes: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in
groups of four. 31^16 ≈ 2^79 codes: guessing one is hopeless, and guessing is rate limited too.
Only a keyed hash of the code is stored; a look-up compares hashes in the database."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from . import throttle
from .throttle import keyed

T = TypeVar("T")

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 16
_SEPARATORS = re.compile(r"[\s\-_—–·.]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(text: str) -> str | None:
    """The code as stored (upper case, no separators), or None when it cannot be a code."""
    value = _SEPARATORS.sub("", str(text or "")).upper()
    if len(value) != LENGTH or any(ch not in ALPHABET for ch in value):
        return None
    return value


def display(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    return keyed("code", code)


def look_up(text: str, find: Callable[[str], T | None], *, space: str, address_key: str,
            now: dt.datetime | None = None) -> T | None:
    """What `find` answers for the normalised code, within the look-up limits: per address, wrong
    codes per address (guessing), and per code (`space` keeps the codes of letters and of dispute
    parties apart). Raises throttle.Throttled."""
    now = now or timezone.now()
    throttle.check("track_miss", address_key, now=now, count=False)
    throttle.check("track_addr", address_key, now=now)
    code = normalize(text)
    found = None
    if code is not None:
        throttle.check("track_code", keyed(space, code), now=now)
        found = find(code)
    if found is None:
        throttle.add("track_miss", address_key, now=now)
    return found
