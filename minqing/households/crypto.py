"""Personal data at rest: AES-GCM encrypted values plus a keyed hash for exact look-up.

A page or list shows the stored masked form and never decrypts; only an allowed, logged
reveal decrypts. The keyed hash (HMAC-SHA256) lets a whole ID number or phone find its resident
without a scan of clear text, and is useless without the key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings


@lru_cache(maxsize=4)
def _aead(key_text: str) -> AESGCM:
    return AESGCM(hashlib.sha256(key_text.encode()).digest())


def encrypt(value: str) -> str:
    if not value:
        return ""
    nonce = os.urandom(12)
    sealed = _aead(settings.DATA_KEY).encrypt(nonce, value.encode(), b"minqing")
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, key: str | None = None) -> str:
    """`key`: another data key than the site's (a backup's keys checked against its data)."""
    if not token:
        return ""
    raw = base64.urlsafe_b64decode(token.encode())
    return _aead(key or settings.DATA_KEY).decrypt(raw[:12], raw[12:], b"minqing").decode()


def lookup_hash(value: str, key: str | None = None) -> str:
    if not value:
        return ""
    return hmac.new((key or settings.HASH_KEY).encode(), value.upper().encode(), hashlib.sha256).hexdigest()
