"""The server settings chosen by bench/load.py (docs/decisions/0054-load21-server-settings.md): gunicorn
reads minqing/gunicorn_conf.py through the command line `minqing serve` runs, and the database
connections last across requests (PostgreSQL: checked before reuse)."""

from __future__ import annotations

import sys

from django.conf import settings
from django.db import connection
from gunicorn.app.wsgiapp import WSGIApplication

from minqing.web.management.commands import serve


def gunicorn_config(argv: list[str], monkeypatch) -> object:
    """The configuration gunicorn itself builds from serve's command line (without starting)."""
    assert argv[1:3] == ["-m", "gunicorn"]
    monkeypatch.setattr(sys, "argv", ["gunicorn", *argv[3:]])
    monkeypatch.delitem(sys.modules, "minqing.gunicorn_conf", raising=False)  # read the environment again
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def test_the_server_command_loads_the_chosen_settings(monkeypatch):
    monkeypatch.delenv("MINQING_WORKERS", raising=False)
    monkeypatch.delenv("MINQING_THREADS", raising=False)
    cfg = gunicorn_config(serve.command("127.0.0.1", 8123), monkeypatch)
    assert cfg.worker_class_str == "gthread"
    assert (cfg.workers, cfg.threads) == (2, 4)
    assert (cfg.timeout, cfg.graceful_timeout, cfg.keepalive) == (60, 30, 5)
    assert cfg.bind == ["127.0.0.1:8123"]
    assert cfg.accesslog == "-"
    # the access log never carries a query string (?q= may be a whole ID number)
    assert "%(U)s" in cfg.access_log_format and "%(r)s" not in cfg.access_log_format
    assert "%(q)s" not in cfg.access_log_format


def test_workers_and_threads_follow_the_environment_and_the_option(monkeypatch):
    monkeypatch.setenv("MINQING_WORKERS", "3")
    monkeypatch.setenv("MINQING_THREADS", "8")
    cfg = gunicorn_config(serve.command("0.0.0.0", 80), monkeypatch)
    assert (cfg.workers, cfg.threads) == (3, 8)
    cfg = gunicorn_config(serve.command("0.0.0.0", 80, workers=5), monkeypatch)
    assert cfg.workers == 5  # --workers on `minqing serve` wins over the file


def test_serve_execs_gunicorn_with_the_settings_file(monkeypatch):
    ran: list[tuple] = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: ran.append(a))
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: ran.append(("execv", path, argv)))
    monkeypatch.delenv("MINQING_PERIODIC", raising=False)
    serve.Command().handle(host="127.0.0.1", port=8124, workers=None, no_migrate=True)
    (_, path, argv), = [r for r in ran if r[0] == "execv"]
    assert path == sys.executable
    assert argv == serve.command("127.0.0.1", 8124)
    assert argv[argv.index("--config") + 1] == "python:minqing.gunicorn_conf"
    assert ("collectstatic",) in ran and ("migrate",) not in ran


def test_database_connections_last_across_requests():
    db = settings.DATABASES["default"]
    assert db["CONN_MAX_AGE"] == 60  # one connection per server thread, not one per request
    if connection.vendor == "postgresql":
        assert db["CONN_HEALTH_CHECKS"] is True  # a dropped connection is replaced before a request uses it
    else:
        # concurrent readers beside one writer, and a writer waits for the lock instead of failing at once
        assert "PRAGMA journal_mode=WAL" in db["OPTIONS"]["init_command"]
        assert db["OPTIONS"]["timeout"] == 20 and db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
