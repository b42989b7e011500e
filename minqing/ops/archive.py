"""One backup file: the database snapshot, the keys sealed with a passphrase, and the files under var/.

    manifest.json        format, time, engine, file count, key names (never key values)
    keys.sealed          the keys (scrypt + AES-GCM with the operator's passphrase)
    database.sqlite3 | database.pgdump
    files/…              var/ minus the database, keys and static files: uploads, job results, models

A backup is written only when its keys open its own data, and a restore refuses one whose keys do not.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from . import keyguard, sealing, snapshot

FORMAT = 1
NAME = re.compile(r"^minqing-\d{8}-\d{6}\.tar\.gz$")
SKIP_TOP = {"static", "keys.json", "backups"}


@dataclass
class Restored:
    engine: str
    created_at: str
    files: int


def _kept_files() -> list[Path]:
    var = Path(settings.VAR_DIR)
    db_name = Path(str(settings.DATABASES["default"]["NAME"])).name if snapshot.engine() == snapshot.SQLITE else None
    out = []
    for path in sorted(var.rglob("*")) if var.exists() else []:
        rel = path.relative_to(var)
        if not path.is_file() or rel.parts[0] in SKIP_TOP or (db_name and rel.name.startswith(db_name)):
            continue
        out.append(path)
    return out


def _samples(engine: str, path: Path) -> list[keyguard.Sample]:
    return keyguard.sqlite_samples(path) if engine == snapshot.SQLITE else keyguard.pgdump_samples(path)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def is_directory(out: str) -> bool:
    return out.endswith("/") or Path(out).is_dir()


def target_path(out: str, now: dt.datetime) -> Path:
    """OUT as given, or a time-stamped name inside OUT when it is a directory (ends with /)."""
    if is_directory(out):
        Path(out).mkdir(parents=True, exist_ok=True)
        return Path(out) / f"minqing-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    return Path(out)


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` backups that this command named in `directory`."""
    ours = sorted(p for p in directory.iterdir() if NAME.match(p.name))
    gone = ours[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink()
    return gone


def backup(out: str, passphrase: str) -> Path:
    now = timezone.now()
    target = target_path(out, now)
    keys = dict(settings.KEYS)
    engine = snapshot.engine()
    sealed = sealing.seal(keys, passphrase)
    with tempfile.TemporaryDirectory(prefix="minqing-backup-") as tmp:
        db_file = Path(tmp) / snapshot.MEMBER[engine]
        snapshot.dump(db_file)
        wrong = keyguard.problems(keys, _samples(engine, db_file))
        if wrong:
            raise ValidationError("当前密钥打不开数据库中的数据，备份未写出：" + "；".join(wrong))
        files = _kept_files()
        manifest = {"format": FORMAT, "created_at": now.isoformat(), "engine": engine, "files": len(files),
                    "keys": sorted(keys)}
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False).encode())
            _add_bytes(tar, "keys.sealed", sealed)
            tar.add(db_file, arcname=db_file.name)
            for path in files:
                tar.add(path, arcname=f"files/{path.relative_to(settings.VAR_DIR).as_posix()}")
        partial.chmod(0o600)
        os.replace(partial, target)  # a backup cut short never looks like a finished one
    return target


def _read(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.extractfile(name)
    except KeyError:
        member = None
    if member is None:
        raise ValidationError(f"备份文件不完整：缺少 {name}")
    return member.read()


def _env_conflicts(keys: dict[str, str]) -> list[str]:
    names = settings.KEY_NAMES.items()
    return [var for name, var in names if os.environ.get(var) and os.environ[var] != keys.get(name)]


def restore(file: Path, passphrase: str, *, replace: bool = False) -> Restored:
    if not file.is_file():
        raise ValidationError(f"找不到备份文件 {file}")
    try:
        tar = tarfile.open(file, "r:gz")
    except (tarfile.TarError, OSError) as exc:
        raise ValidationError(f"不是有效的 minqing 备份文件：{exc}") from exc
    with tar, tempfile.TemporaryDirectory(prefix="minqing-restore-") as tmp:
        manifest = json.loads(_read(tar, "manifest.json"))
        if manifest.get("format") != FORMAT:
            raise ValidationError(f"备份格式 {manifest.get('format')} 不受支持")
        keys = sealing.unseal(_read(tar, "keys.sealed"), passphrase)
        engine = manifest["engine"]
        if engine != snapshot.engine():
            raise ValidationError(f"备份来自 {engine} 数据库，不能恢复到当前的 {snapshot.engine()} 数据库"
                                  "（请改用同类数据库，或用 DATABASE_URL 指定）")
        conflicts = _env_conflicts(keys)
        if conflicts:
            raise ValidationError("环境变量 " + "、".join(conflicts) + " 与备份中的密钥不同，"
                                  "请先取消这些环境变量或改为备份中的值")
        if not replace and not snapshot.is_empty():
            raise ValidationError("目标数据库已有数据；请恢复到空数据库，或确认覆盖后加 --replace")
        db_file = Path(tmp) / snapshot.MEMBER[engine]
        db_file.write_bytes(_read(tar, db_file.name))
        wrong = keyguard.problems(keys, _samples(engine, db_file))
        if wrong:
            raise ValidationError("备份中的密钥打不开备份中的数据，拒绝恢复：" + "；".join(wrong))
        snapshot.load(db_file)
        var = Path(settings.VAR_DIR)
        files = [m for m in tar.getmembers() if m.name.startswith("files/") and m.isfile()]
        for member in files:
            member.name = member.name[len("files/"):]
            tar.extract(member, var, filter="data")
        keys_file = Path(settings.KEYS_FILE)
        keys_file.parent.mkdir(parents=True, exist_ok=True)
        keys_file.write_text(json.dumps(keys))
        keys_file.chmod(0o600)
    return Restored(engine=engine, created_at=manifest["created_at"], files=len(files))
