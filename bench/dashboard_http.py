"""The county leaders' dashboard page over HTTP at 1 000 000 appeals (issue 21: < 300 ms p95 for a
month and a year): a real server (`minqing serve`, gunicorn with minqing/gunicorn_conf.py, as
bench/load.py starts it), the county leader of bench/peer.py logged in by a session cookie, one
warm-up then --runs timed GETs of /dashboards/<code>/?period=… one after another; p50, p95 (nearest
rank), max, and the server's CPU seconds per request (gunicorn master and workers, from /proc).

    cp /work/main/var/bench/metrics.sqlite3 var/bench/ && cp -r /work/main/var/bench/var var/bench/
    psql -h 127.0.0.1 -U root -d test -c "CREATE DATABASE dash21_bench TEMPLATE minqing_bench"
    # on each copy: manage.py migrate, then python -m minqing.cli rollup rebuild (or --prepare 'rollup rebuild')
    .venv/bin/python bench/dashboard_http.py --db sqlite --db pg --runs 10 \\
        [--pg-url postgresql://root@127.0.0.1:5432/dash21_bench] [--peer]

Cases: the county 511722 and its township 511722104, May 2024 and the year 2024 (the bench data of
bench/metrics.py spans 2023–2024). Every response must be 200 and hold the dashboard (not a login
page). --peer adds django-helpdesk's dashboard (/dashboard/ as its staff user, served the same
way from PEER_DIR; load.py's start_peer) when its 1 M tickets are loaded: one warm-up is skipped there
and each request is capped by --peer-timeout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import load  # noqa: E402 - bench/load.py: the server start-up, the session and fetch

REPO = load.REPO
COUNTY, TOWNSHIP = "511722000000", "511722104000"
CASES = [("county, month 2024-05", COUNTY, "2024-05"), ("county, year 2024", COUNTY, "2024"),
         ("township, month 2024-05", TOWNSHIP, "2024-05"), ("township, year 2024", TOWNSHIP, "2024")]


def nearest_rank(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, round(q * len(s) + 0.5) - 1))]


def timed_case(srv: load.Server, path: str, cookie: str, runs: int, warm: int = 1,
               timeout: float = 300) -> dict:
    for _ in range(warm):
        status, _s, body = load.fetch(srv.port, path, cookie, timeout)
        if status != 200 or b"data-testid" not in body and b"<html" not in body:
            sys.exit(f"{path}: status {status}")
    walls: list[float] = []
    cpu0 = srv.cpu_seconds()
    for _ in range(runs):
        try:
            status, secs, body = load.fetch(srv.port, path, cookie, timeout)
        except TimeoutError:
            walls.append(float("inf"))
            break
        if status != 200:
            sys.exit(f"{path}: status {status}")
        walls.append(secs)
    cpu = (srv.cpu_seconds() - cpu0) / max(1, len(walls))
    ms = lambda x: round(x * 1e3, 1)  # noqa: E731
    return {"n": len(walls), "p50_ms": ms(nearest_rank(walls, 0.5)), "p95_ms": ms(nearest_rank(walls, 0.95)),
            "max_ms": ms(max(walls)), "cpu_ms": ms(cpu), "bytes": len(body), "walls_ms": [ms(w) for w in walls]}


def ratio_line(ours: dict, peer: dict, timeout: float) -> str:
    """ours ÷ peer as the peer's time over ours (how many times faster): p50 wall and server CPU per
    request. A peer request cut at the timeout makes its figure a lower bound ("≥")."""
    capped = any(w == float("inf") for w in peer["walls_ms"])
    peer_p50 = timeout * 1e3 if capped else peer["p50_ms"]
    sign = "≥ " if capped else ""
    wall = peer_p50 / ours["p50_ms"] if ours["p50_ms"] else float("nan")
    cpu = peer["cpu_ms"] / ours["cpu_ms"] if ours["cpu_ms"] else float("nan")
    return f"{sign}{wall:,.0f}× (p50 wall), {cpu:,.0f}× (server CPU{' so far' if capped else ''})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", action="append", choices=["sqlite", "pg"], help="repeat for both (default both)")
    ap.add_argument("--sqlite-url", default=f"sqlite:///{REPO / 'var' / 'bench' / 'metrics.sqlite3'}")
    ap.add_argument("--pg-url", default="postgresql://root@127.0.0.1:5432/dash21_bench")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--peer", action="store_true", help="django-helpdesk's dashboard too (when loaded)")
    ap.add_argument("--peer-dir", default=os.environ.get("PEER_DIR", "/work/wt/peer"))
    ap.add_argument("--peer-sqlite")
    ap.add_argument("--peer-pg-url", default="postgresql://root@127.0.0.1:5432/peer_helpdesk")
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--peer-path", default="/dashboard/", help="helpdesk.urls sits at the peer project's root")
    ap.add_argument("--peer-timeout", type=float, default=60)
    ap.add_argument("--warm", type=int, default=1, help="warm-up requests per case (8 = one per server thread)")
    ap.add_argument("--samples", action="store_true", help="print every request's wall time, in order")
    ap.add_argument("--prepare", action="append", default=[], help="a minqing sub-command run before serving")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    a.workers = a.threads = a.conn_max_age = None
    logdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"dashboard_http.{os.getpid()}"
    logdir.mkdir(parents=True, exist_ok=True)
    out: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "load": os.getloadavg(),
                 "results": {}}
    for db in a.db or ["sqlite", "pg"]:
        url = a.sqlite_url if db == "sqlite" else a.pg_url
        srv, info = load.start_ours(a, db, url, logdir)
        try:
            srv.wait_ready()
            print(f"{db}: {info['appeals']:,} appeals ({info['engine']}), server log {srv.log}", file=sys.stderr)
            for label, code, period in CASES:
                r = timed_case(srv, f"/dashboards/{code}/?period={period}", info["cookie"], a.runs, a.warm)
                out["results"][f"{db} | {label}"] = r
                print(f"  {label:26} p50 {r['p50_ms']:8.1f} ms  p95 {r['p95_ms']:8.1f} ms  max {r['max_ms']:8.1f} ms  "
                      f"server CPU {r['cpu_ms']:7.1f} ms/request  (n={r['n']})", file=sys.stderr, flush=True)
                if a.samples:
                    print("    " + " ".join(f"{w:.0f}" for w in r["walls_ms"]), file=sys.stderr, flush=True)
        finally:
            srv.stop()
        if a.peer:
            started = load.start_peer(a, "sqlite" if db == "sqlite" else "pg", logdir)
            if started is None:
                out["results"][f"{db} | peer dashboard"] = "not loaded"
                continue
            psrv, pinfo = started
            try:
                psrv.wait_ready()
                r = timed_case(psrv, a.peer_path, pinfo["cookie"], a.peer_runs, warm=0,
                               timeout=a.peer_timeout)
                r["tickets"] = pinfo.get("tickets")
                out["results"][f"{db} | peer dashboard"] = r
                print(f"  peer dashboard ({pinfo.get('tickets') or 0:,} tickets) p50 {r['p50_ms']:8.1f} ms  server CPU "
                      f"{r['cpu_ms']:8.1f} ms/request (n={r['n']}, capped at {a.peer_timeout:.0f} s)",
                      file=sys.stderr, flush=True)
                for label, _code, _period in CASES:
                    ours = out["results"][f"{db} | {label}"]
                    line = ratio_line(ours, r, a.peer_timeout)
                    out["results"][f"{db} | ours÷peer | {label}"] = line
                    print(f"  peer ÷ ours, {label:24} {line}", file=sys.stderr, flush=True)
            finally:
                psrv.stop()
    out["load_after"] = os.getloadavg()
    print(json.dumps(out, ensure_ascii=False) if a.json else json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
