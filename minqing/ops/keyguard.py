"""The keys and the data they open.

ID numbers and phones are stored encrypted (DATA_KEY) with a keyed look-up hash (HASH_KEY). A copy of
the database without those keys is unreadable, so start-up refuses to run on encrypted data when a key
is missing (settings.KEYS_MISSING) instead of making new keys that open nothing; new keys are kept
(var/keys.json) only for a database with no encrypted data yet. A backup or a restore checks its keys
against samples of the data before it is written or put in place.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from minqing.households import crypto

log = logging.getLogger(__name__)

LABELS = {"secret": "MINQING_SECRET_KEY（会话签名密钥）", "data": "MINQING_DATA_KEY（身份证号和电话的加密密钥）",
          "hash": "MINQING_HASH_KEY（身份证号和电话的查询散列密钥）", "audit": "MINQING_AUDIT_KEY（审计链的签名密钥）"}
RESTORING = "MINQING_RESTORING"  # set by `minqing restore`, which brings the keys itself


class KeysMissing(ImproperlyConfigured):
    """Start-up refused: the database holds encrypted data and a key to open it is missing."""


@dataclass(frozen=True)
class Sample:
    table: str
    token: str
    hashed: str  # "" when the column has no look-up hash


def encrypted_columns() -> list[tuple[str, str, str | None]]:
    """(table, encrypted column, its look-up hash column or None) of every model."""
    out = []
    for model in apps.get_models():
        names = {f.name: f.column for f in model._meta.concrete_fields}
        for name, column in names.items():
            if name.endswith("_enc"):
                out.append((model._meta.db_table, column, names.get(name[:-4] + "_hash")))
    return sorted(out)


def _select(table: str, enc: str, hashed: str | None, quote: Callable[[str], str]) -> str:
    h = quote(hashed) if hashed else "''"
    return f"SELECT {quote(enc)}, {h} FROM {quote(table)} WHERE {quote(enc)} <> '' LIMIT 1"  # noqa: S608


def live_samples() -> list[Sample]:
    """One encrypted value per column of the configured database (tables not yet made are skipped)."""
    out = []
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, enc, hashed in encrypted_columns():
            if table in tables:
                cursor.execute(_select(table, enc, hashed, connection.ops.quote_name))
                out += [Sample(table, row[0], row[1] or "") for row in cursor.fetchall()]
    return out


def sqlite_samples(path: Path) -> list[Sample]:
    out = []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table, enc, hashed in encrypted_columns():
            if table in tables:
                rows = db.execute(_select(table, enc, hashed, lambda n: f'"{n}"')).fetchall()
                out += [Sample(table, row[0], row[1] or "") for row in rows]
    finally:
        db.close()
    return out


def _copy_rows(text: str) -> Iterable[dict[str, str]]:
    """Rows of the COPY blocks pg_restore prints (text format: tab-separated, \\N for null)."""
    columns: list[str] = []
    for line in text.splitlines():
        if line.startswith("COPY "):
            columns = [c.strip().strip('"') for c in line[line.index("(") + 1:line.index(")")].split(",")]
        elif line == "\\.":
            columns = []
        elif columns:
            yield dict(zip(columns, line.split("\t"), strict=False))


def pgdump_samples(path: Path) -> list[Sample]:
    out = []
    for table, enc, hashed in encrypted_columns():
        text = subprocess.run(["pg_restore", "--data-only", "--table", table, "--file", "-", str(path)],
                              check=True, capture_output=True, text=True).stdout
        for row in _copy_rows(text):
            if row.get(enc) not in (None, "", "\\N"):
                out.append(Sample(table, row[enc], row.get(hashed or "", "") if hashed else ""))
                break
    return out


def problems(keys: dict[str, str], samples: Iterable[Sample]) -> list[str]:
    """What the keys fail to open, in Chinese (empty when they open every sample)."""
    found = []
    for s in samples:
        try:
            clear = crypto.decrypt(s.token, key=keys.get("data", ""))
        except Exception:  # noqa: BLE001 — a wrong key, a cut token: either way it does not open
            found.append(f"数据密钥打不开表 {s.table} 中的加密数据")
            continue
        if s.hashed and crypto.lookup_hash(clear, key=keys.get("hash", "")) != s.hashed:
            found.append(f"查询散列密钥与表 {s.table} 中的散列不符")
    return sorted(set(found))


def missing_message(names: Iterable[str]) -> str:
    listed = "、".join(LABELS[n] for n in names)
    return (f"拒绝启动：数据库中已有加密的身份证号和电话，但缺少密钥 {listed}。"
            f"新生成的密钥打不开这些数据。请从备份恢复 {settings.KEYS_FILE}（minqing restore），"
            "或设置上述环境变量后再启动；详见 docs/operations.md「恢复」。")


def keep_new_keys() -> None:
    """Write the keys made for a new database to var/keys.json and use what the file holds: when several
    processes start at once, the first to create the file decides and the others adopt its keys."""
    path = Path(settings.KEYS_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = {k: settings.KEYS[k] for k in settings.KEYS_MISSING}
    try:
        with open(path, "x", encoding="utf-8") as fresh:  # exclusive: never two sets of keys
            fresh.write(json.dumps(mine))
    except FileExistsError:
        stored = json.loads(path.read_text())
        if any(not stored.get(k) for k in mine):  # a file lacking a key: complete it, keep what it has
            staged = path.with_name(path.name + ".new")
            staged.write_text(json.dumps({**mine, **{k: v for k, v in stored.items() if v}}))
            staged.chmod(0o600)
            staged.replace(path)
    path.chmod(0o600)
    kept = json.loads(path.read_text())
    settings.KEYS.update({k: kept[k] for k in mine})
    for name, setting in (("secret", "SECRET_KEY"), ("data", "DATA_KEY"), ("hash", "HASH_KEY"), ("audit", "AUDIT_KEY")):
        if name in settings.KEYS:
            setattr(settings, setting, settings.KEYS[name])
    settings.KEYS_MISSING = []


def check_at_startup() -> None:
    missing = list(getattr(settings, "KEYS_MISSING", []))
    if not missing or os.environ.get(RESTORING) == "1":
        return
    try:
        with warnings.catch_warnings():  # one look, once, on a start with a key missing
            warnings.simplefilter("ignore", RuntimeWarning)
            encrypted = bool(live_samples())
    except DatabaseError as exc:  # no database yet to look at: keep the keys in memory only
        log.warning("keys not kept: the database could not be read (%s)", exc)
        return
    finally:
        connection.close()
    if encrypted and {"data", "hash"} & set(missing):
        raise KeysMissing(missing_message([n for n in ("data", "hash", "secret") if n in missing]))
    keep_new_keys()
