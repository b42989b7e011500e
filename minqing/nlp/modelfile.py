"""The category model's file: signed and version-checked before anything is unpickled.

A pickle runs code when it is loaded, so a file someone swapped under var/models would run as the
web server. The file is `MAGIC`, one JSON header line (format, scikit-learn version, HMAC-SHA256 of
the body under a key kept outside the file), then the pickled body. `load` checks the MAC in
constant time first, then the versions, and only then unpickles. No Django here: the key is passed in."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
from pathlib import Path
from typing import Any

import sklearn

MAGIC = b"MINQING-MODEL\n"
FORMAT = 1


class ModelFileError(Exception):
    """The file is not a model this installation made, or was made by another version."""


def _mac(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def dump(obj: Any, path: Path, key: bytes) -> None:
    if not key:
        raise ValueError("a signing key is required")
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    header = {"format": FORMAT, "sklearn": sklearn.__version__, "mac": _mac(key, body)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + body)
    tmp.replace(path)


def load(path: Path, key: bytes) -> Any:
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise ModelFileError("模型文件不是本系统生成的（没有签名），请重新训练：minqing model train")
    line, _, body = data[len(MAGIC):].partition(b"\n")
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise ModelFileError("模型文件头已损坏，请重新训练：minqing model train") from exc
    if not hmac.compare_digest(str(header.get("mac", "")), _mac(key, body)):
        raise ModelFileError("模型文件签名不符（文件被改动或密钥不同），拒绝加载")
    if header.get("format") != FORMAT or header.get("sklearn") != sklearn.__version__:
        raise ModelFileError(f"模型文件版本不符（格式 {header.get('format')}，scikit-learn {header.get('sklearn')}），"
                             "请重新训练：minqing model train")
    return pickle.loads(body)  # noqa: S301 - signed by this installation, checked above
