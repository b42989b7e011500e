"""Shared start-up for the benchmarks: a database of their own, migrated, Django ready."""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def django_for(name: str, *, fresh: bool = True) -> str:
    """Point Django at var/bench/NAME.sqlite3 (or $DATABASE_URL) and migrate. Returns the URL."""
    sys.path.insert(0, str(REPO))
    home = REPO / "var" / "bench"
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("MINQING_HOME", str(home))
    # Loading a million rows is one long statement: the product's 30 s request bound does not apply here.
    os.environ.setdefault("MINQING_STATEMENT_TIMEOUT", "0")
    url = os.environ.get("DATABASE_URL")
    if not url:
        db = home / f"{name}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if fresh and url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", interactive=False, verbosity=0)
    return url
