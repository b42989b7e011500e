"""The restore drill (issue 22): back up with `minqing backup`, restore into an empty home, serve it,
reveal a phone, verify the audit chain; a copy of the database alone is refused at start-up.

Every step runs the real `minqing` command in its own process with its own MINQING_HOME, as an
operator would. The source is this test's database (SQLite: copied to a file first; PostgreSQL: the
test database itself), the target a new, empty database (PostgreSQL: `<test db>_drill`)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import PHONE_A

pytestmark = pytest.mark.django_db(transaction=True)

REPO = Path(__file__).resolve().parents[2]
MINQING = [sys.executable, "-m", "minqing.cli"]
PASSPHRASE = "drill-passphrase-2026"


def _pg_url(name: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db.get("PASSWORD") or None, dbname="postgres", autocommit=True) as conn:
        conn.execute(sql)


def run(home: Path, url: str, *args: str, keys: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MINQING_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"MINQING_HOME": str(home), "DATABASE_URL": url, "MINQING_BACKUP_PASSPHRASE": PASSPHRASE,
                "PYTHONPATH": str(REPO)})
    for name, var in settings.KEY_NAMES.items():
        if keys:
            env[var] = keys[name]
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(args, env=env, cwd=home, capture_output=True, text=True, timeout=600)


@pytest.fixture
def source(county, tmp_path):
    """(database URL of the county's data, keys that encrypted it)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "source.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", dict(settings.KEYS)
    return _pg_url(settings.DATABASES["default"]["NAME"]), dict(settings.KEYS)


@pytest.fixture
def empty_target(tmp_path):
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'var' / 'minqing.sqlite3'}"
        return
    name = settings.DATABASES["default"]["NAME"] + "_drill"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_restore_serve_reveal_verify(county, source, empty_target, tmp_path):
    url, keys = source
    backups = tmp_path / "backups"
    made = run(tmp_path / "live", url, *MINQING, "backup", f"{backups}/", "--keep", "3", keys=keys)
    assert made.returncode == 0, made.stderr
    [archive] = list(backups.iterdir())
    assert "已写出备份" in made.stdout and archive.name.startswith("minqing-")
    assert keys["data"].encode() not in archive.read_bytes()  # the keys travel sealed, never in clear

    home = tmp_path / "restored"
    done = run(home, empty_target, *MINQING, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert json.loads((home / "var" / "keys.json").read_text()) == keys

    upgraded = run(home, empty_target, *MINQING, "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    served = run(home, empty_target, sys.executable, str(REPO / "tests" / "ops" / "drill_serve.py"), "cadre-a",
                 str(county.residents["a1"].pk))
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout.strip().splitlines()[-1])
    assert answer == {"home": 200, "status": 200, "value": PHONE_A}
    verified = run(home, empty_target, *MINQING, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr

    # The same database without its keys (a copy of the database alone) does not start.
    bare = run(tmp_path / "bare", empty_target, *MINQING, "check")
    assert bare.returncode == 2
    assert "拒绝启动" in bare.stderr and "MINQING_DATA_KEY" in bare.stderr and "MINQING_HASH_KEY" in bare.stderr
    assert not (tmp_path / "bare" / "var" / "keys.json").exists()  # no new keys were kept for it


def test_restore_refuses_wrong_passphrase_and_keys_that_do_not_open_the_data(county, source, empty_target,
                                                                             tmp_path):
    url, keys = source
    out = tmp_path / "one.tar.gz"
    wrong_keys = {**keys, "data": "not-the-key-that-encrypted-it"}
    refused = run(tmp_path / "live", url, *MINQING, "backup", str(out), keys=wrong_keys)
    assert refused.returncode != 0 and "打不开" in refused.stderr and not out.exists()

    assert run(tmp_path / "live", url, *MINQING, "backup", str(out), keys=keys).returncode == 0
    home = tmp_path / "restored"
    env_mismatch = run(home, empty_target, *MINQING, "restore", str(out), keys=wrong_keys)
    assert env_mismatch.returncode != 0 and "MINQING_DATA_KEY" in env_mismatch.stderr

    forged = tmp_path / "forged.tar.gz"
    _reseal(out, forged, wrong_keys)
    bad = run(home, empty_target, *MINQING, "restore", str(forged))
    assert bad.returncode != 0 and "拒绝恢复" in bad.stderr
    assert not (home / "var" / "keys.json").exists()
    wrong = subprocess.run([*MINQING, "restore", str(out)], capture_output=True, text=True, cwd=home, env={
        **{k: v for k, v in os.environ.items() if not k.startswith("MINQING_")}, "MINQING_HOME": str(home),
        "DATABASE_URL": empty_target, "MINQING_BACKUP_PASSPHRASE": "another-passphrase", "PYTHONPATH": str(REPO)})
    assert wrong.returncode != 0 and "备份口令不正确" in wrong.stderr


def _reseal(src: Path, dst: Path, keys: dict[str, str]) -> None:
    """The same backup with other keys sealed in (as if keys and data came from two sites)."""
    import io
    import tarfile

    from minqing.ops import sealing

    with tarfile.open(src, "r:gz") as old, tarfile.open(dst, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else b""
            if member.name == "keys.sealed":
                data = sealing.seal(keys, PASSPHRASE)
                member.size = len(data)
            new.addfile(member, io.BytesIO(data))
