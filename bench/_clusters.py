"""Throw-away PostgreSQL 15 clusters for the benchmarks (Debian's pg_createcluster), next to the
machine's main cluster, which is never touched: a primary, a streaming standby made by pg_basebackup -R,
and their removal. Run as root; the servers run as the postgres user with trust authentication."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

VERSION = "15"


def run(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, cwd="/tmp")  # cwd: readable by postgres
    if check and done.returncode:
        raise RuntimeError(f"{' '.join(cmd)}: {done.returncode}\n{done.stderr[-2000:]}")
    return done


def as_postgres(*cmd: str) -> subprocess.CompletedProcess:
    return run("runuser", "-u", "postgres", "--", *cmd)


def data_dir(name: str) -> Path:
    return Path(f"/var/lib/postgresql/{VERSION}/{name}")


def exists(name: str) -> bool:
    return Path(f"/etc/postgresql/{VERSION}/{name}").exists()


def create(name: str, port: int, *settings: str) -> None:
    """A new cluster on `port`, trust authentication for local, 127.0.0.1 and replication."""
    opts = [f"--pgoption={s}" for s in settings]  # listen_addresses: the default, localhost
    run("pg_createcluster", VERSION, name, "--port", str(port), *opts, "--", "--auth=trust")


def start(name: str) -> None:
    run("pg_ctlcluster", VERSION, name, "start")


def superuser(port: int) -> None:
    as_postgres("psql", "-p", str(port), "-h", "127.0.0.1", "-d", "postgres", "-qc",
                "CREATE ROLE root SUPERUSER LOGIN REPLICATION")


def standby(name: str, port: int, primary_port: int, *settings: str) -> None:
    """A hot standby of the primary on `primary_port`: a base backup with -R (standby.signal and
    primary_conninfo), WAL streamed during the copy, then started."""
    create(name, port, *settings)
    target = data_dir(name)
    for child in target.iterdir():  # emptied, kept: its parent is not the postgres user's to write
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    as_postgres("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary_port), "-U", "root", "-D", str(target),
                "-R", "-X", "stream", "-c", "fast")
    start(name)
    for _ in range(60):
        if run("pg_isready", "-h", "127.0.0.1", "-p", str(port), check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise RuntimeError(f"standby {name} did not start")


def drop(name: str) -> None:
    if exists(name):
        run("pg_dropcluster", VERSION, name, "--stop", check=False)
