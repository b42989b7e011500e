"""A consistent copy of the live database, and putting one back.

SQLite: `VACUUM INTO` reads one snapshot of a WAL database while the server goes on writing (the
`.backup` command restarts each time a writer commits and never finishes under load). PostgreSQL:
`pg_dump` in its custom format (one MVCC snapshot), restored by `pg_restore` in a single transaction.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

SQLITE, POSTGRES = "sqlite", "postgresql"
MEMBER = {SQLITE: "database.sqlite3", POSTGRES: "database.pgdump"}


def engine() -> str:
    vendor = connection.vendor
    if vendor not in MEMBER:
        raise ValidationError(f"不支持备份 {vendor} 数据库")
    return vendor


def _pg_env() -> tuple[dict[str, str], str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env, db["NAME"]


def _run(args: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise ValidationError(f"{Path(args[0]).name} 失败：{done.stderr.strip()[-500:]}")


def dump(out: Path) -> None:
    """Write a snapshot of the configured database to `out`."""
    if engine() == SQLITE:
        source = settings.DATABASES["default"]["NAME"]
        db = sqlite3.connect(source, timeout=60)
        try:
            db.execute("VACUUM INTO ?", (str(out),))
        finally:
            db.close()
    else:
        env, name = _pg_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), name], env)


def is_empty() -> bool:
    """True when the configured database holds no account and no appeal (a new or migrated-only one)."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("accounts_user", "appeals_appeal", "households_household"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def load(snapshot: Path) -> None:
    """Replace the configured database with `snapshot` (callers check it is empty or may be replaced)."""
    connection.close()
    if engine() == SQLITE:
        target = Path(settings.DATABASES["default"]["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(target.name + ".restoring")
        shutil.copyfile(snapshot, staged)
        for extra in ("-wal", "-shm"):
            target.with_name(target.name + extra).unlink(missing_ok=True)
        os.replace(staged, target)
    else:
        env, name = _pg_env()
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", "--dbname", name, str(snapshot)], env)
