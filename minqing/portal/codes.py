"""Tracking codes: 16 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown in
groups of four. 31^16 ≈ 2^79 codes: guessing one is hopeless, and guessing is rate limited too.
Only a keyed hash of the code is stored; a look-up compares hashes in the database."""

from __future__ import annotations

import re
import secrets

from .throttle import keyed

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
