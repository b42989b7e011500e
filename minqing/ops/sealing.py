"""The keys inside a backup, sealed with the operator's passphrase (scrypt → AES-GCM).

A stolen backup without the passphrase yields no phone or ID number; the passphrase is not stored
anywhere by minqing, so the operator must keep it with the other emergency papers."""

from __future__ import annotations

import base64
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.core.exceptions import ValidationError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12
CONTEXT = b"minqing-backup-keys-v1"


def _key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def seal(keys: dict[str, str], passphrase: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError(f"备份口令至少 {MIN_PASSPHRASE} 个字符")
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_key(passphrase, salt)).encrypt(nonce, json.dumps(keys).encode(), CONTEXT)
    box = {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P, "salt": _b64(salt), "nonce": _b64(nonce),
           "sealed": _b64(sealed)}
    return json.dumps(box).encode()


def unseal(blob: bytes, passphrase: str) -> dict[str, str]:
    try:
        box = json.loads(blob)
        key = _key(passphrase, base64.b64decode(box["salt"]), box["n"], box["r"], box["p"])
        plain = AESGCM(key).decrypt(base64.b64decode(box["nonce"]), base64.b64decode(box["sealed"]), CONTEXT)
    except InvalidTag as exc:
        raise ValidationError("备份口令不正确：无法打开备份中的密钥") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError("备份中的密钥文件已损坏") from exc
    return json.loads(plain)
