"""HTTP under load (issue 21, item 3): minqing served the way production serves it (`minqing serve`,
gunicorn with minqing/gunicorn_conf.py) on the 1 000 000-appeal bench database, a county leader logged
in, wrk at 16 and 64 connections against

  list       /api/v1/appeals?group=open&category=C&limit=25   (bench/peer.py's case (a))
  detail     /appeals/ID/                                      (the newest appeal of that list)
  dashboard  /dashboards/511722000000/?period=2024-05          (the county, a month)
  search     /api/v1/appeals?q=路灯&limit=25                    (bench/peer.py's case (c))
  find       /nlp/search/?q=路灯   the Chinese search page (the search index; not by default)
  bare       /bench/bare-list?category=C   a bare Django view running the hand SQL of case (a), on the
             same server (bench/load_urls.py: the product's URLs plus this one, same middleware)
  bare_detail  /bench/bare-detail/ID   a bare Django view reading the detail page's main query (the
             appeal with what it names) as JSON, same server; the detail row's ours÷bare is against it
  peer       django-helpdesk's list (its case (a), /datatables_ticket_list/…) served by gunicorn from the
             peer's venv with the same gunicorn_conf.py; peer_search its search for 路灯 (not by default)

and a table of req/s, latency p50/p95/p99, non-2xx and socket errors, the server's CPU ms per request
(gunicorn processes only; PostgreSQL's own backends are not in it), and the ratios ours÷peer and
ours÷bare, per database. Targets run interleaved (every target at 16, then every target at 64) with
all servers up, so each ratio comes from one sitting.

    .venv/bin/python bench/load.py                       # SQLite and PostgreSQL, 60 s, 16 and 64
    .venv/bin/python bench/load.py --db sqlite --duration 10 --connections 16 --targets list,bare
    .venv/bin/python bench/load.py --workers 3 --threads 2 --no-peer   # compare server settings

Databases (this script never builds or writes appeals; it migrates, creates bench/peer.py's county
leader and a session):
  SQLite      var/bench/metrics.sqlite3 (a copy of the shared one: cp /work/main/var/bench/metrics.sqlite3
              and its var/keys.json into var/bench/ first)
  PostgreSQL  --pg-url, default postgresql://root@127.0.0.1:5432/load21_bench
              (CREATE DATABASE load21_bench TEMPLATE minqing_bench)
  peer        --peer-dir with venv/ and proj/ (setup.sh of /work/shared/peer-helpdesk), its SQLite file
              --peer-sqlite (default PEER_DIR/helpdesk.sqlite3) and --peer-pg-url, loaded with load.py
After a merge that adds tables to fill (roll-ups, a search index), pass the command that fills them:
--prepare 'rollup rebuild' (a `minqing` sub-command, run once per database before the server starts).
Another SQLite database, e.g. bench/search_scale.py's 1 M search database built under its own MINQING_HOME:
--sqlite PATH --home THAT_HOME (where its var/keys.json is; the logs go to THAT_HOME/load-logs).

    .venv/bin/python bench/load.py --db sqlite --sqlite /data/search.sqlite3 --home /data \
        --peer-sqlite /data/peer.sqlite3 --targets search,find,peer_search,bare --connections 16,64
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
HOME = REPO / "var" / "bench"
COUNTY, PERIOD = "511722000000", "2024-05"
TARGETS = ["list", "bare", "peer", "detail", "bare_detail", "search", "dashboard"]  # the compared ones first
CLK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# Set-up inside Django (a child process per database: Django is set up once per process)

def prepare_ours() -> None:
    """Migrate, the county leader, a session; print what the URLs need as one JSON line."""
    sys.path.insert(0, str(BENCH))
    from _setup import django_for

    django_for("metrics", fresh=False)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from peer import county_leader

    from minqing.appeals.models import Appeal, Category

    # No category at all (bench/search_scale.py's database): 0, so `bare` is the floor of a bare view on this
    # server (an indexed statement finding nothing), and `list` lists nothing.
    cat = Category.objects.filter(code="b6").values_list("id", flat=True).first() or \
        Category.objects.order_by("id").values_list("id", flat=True).first() or 0
    detail = Appeal.objects.filter(group="open", category_id=cat, deleted_at=None, region__code__startswith="511722") \
        .order_by("-received_at", "-id").values_list("id", flat=True).first()
    with connection.cursor() as cur:  # peer.py's word: 路灯 when the texts hold it
        cur.execute("SELECT 1 FROM appeals_appeal WHERE title LIKE %s OR text LIKE %s LIMIT 1", ["%路灯%"] * 2)
        word = "路灯" if cur.fetchone() else "内容"
    client = Client()
    client.force_login(county_leader())
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    q = urllib.parse.urlencode
    paths = {"list": "/api/v1/appeals?" + q({"group": "open", "category": cat, "limit": 25}),
             "detail": f"/appeals/{detail}/",
             "dashboard": f"/dashboards/{COUNTY}/?" + q({"period": PERIOD}),
             "search": "/api/v1/appeals?" + q({"q": word, "limit": 25}), "find": "/nlp/search/?" + q({"q": word}),
             "bare": "/bench/bare-list?" + q({"category": cat}), "bare_detail": f"/bench/bare-detail/{detail}"}
    print(json.dumps({"cookie": cookie, "paths": paths, "appeals": Appeal.objects.count(),
                      "engine": connection.vendor}))


# ---------------------------------------------------------------------------------------------
# Servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, path: str, cookie: str, timeout: float = 300) -> tuple[int, float, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    t = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, time.perf_counter() - t, body


class Server:
    """A gunicorn started by this script, in its own process group, stopped by its pid."""

    def __init__(self, name: str, argv: list[str], port: int, env: dict, cwd: Path, log: Path) -> None:
        self.name, self.port, self.log = name, port, log
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def wait_ready(self, limit: float = 300) -> None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < limit:
            if self.proc.poll() is not None:
                sys.exit(f"{self.name}: the server stopped (see {self.log})")
            try:
                fetch(self.port, "/", "", timeout=30)
                return
            except OSError:
                time.sleep(1)
        sys.exit(f"{self.name}: not answering after {limit:.0f} s (see {self.log})")

    def cpu_seconds(self) -> float:
        """user + system seconds of the gunicorn master and its workers (from /proc)."""
        total, todo = 0.0, [self.proc.pid]
        while todo:
            pid = todo.pop()
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / CLK
                for task in Path(f"/proc/{pid}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except (FileNotFoundError, ProcessLookupError):
                continue
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def server_env(a: argparse.Namespace) -> dict:
    env = dict(os.environ)
    for name, value in (("MINQING_WORKERS", a.workers), ("MINQING_THREADS", a.threads)):
        if value:
            env[name] = str(value)
    return env


def start_ours(a, db: str, url: str, logdir: Path) -> tuple[Server, dict]:
    env = server_env(a) | {"DATABASE_URL": url, "MINQING_HOME": a.home, "PYTHONPATH": f"{BENCH}:{REPO}",
                           "MINQING_STATEMENT_TIMEOUT": os.environ.get("MINQING_STATEMENT_TIMEOUT", "30")}
    prep = subprocess.run([sys.executable, __file__, "--_prepare"], env=env | {"MINQING_STATEMENT_TIMEOUT": "0"},
                          cwd=REPO, capture_output=True, text=True)
    if prep.returncode:
        sys.exit(f"{db}: preparing failed:\n{prep.stderr[-3000:]}")
    info = json.loads(prep.stdout.strip().splitlines()[-1])
    for cmd in a.prepare:
        print(f"  {db}: minqing {cmd}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "minqing.cli", *shlex.split(cmd)], env=env, cwd=REPO, check=True)
    # The sweep thread is off: a deadline pass over 1 M appeals in the middle of a run would measure it.
    env |= {"DJANGO_SETTINGS_MODULE": "load_settings", "MINQING_PERIODIC": "0"}
    if a.conn_max_age:
        env["LOAD_CONN_MAX_AGE"] = a.conn_max_age
    port = free_port()
    argv = [sys.executable, "-m", "minqing.cli", "serve", "--no-migrate", "--port", str(port)]
    return Server(f"minqing/{db}", argv, port, env, REPO, logdir / f"server-{db}.log"), info


def start_peer(a, db: str, logdir: Path) -> tuple[Server, dict] | None:
    peer_dir = Path(a.peer_dir)
    url = f"sqlite:///{a.peer_sqlite or peer_dir / 'helpdesk.sqlite3'}" if db == "sqlite" else a.peer_pg_url
    env = server_env(a) | {"PEER_DIR": str(peer_dir), "DATABASE_URL": url}
    py = peer_dir / "venv" / "bin" / "python"
    prep = subprocess.run([str(py), str(BENCH / "load_peer.py")], env=env, capture_output=True, text=True)
    if prep.returncode:
        print(f"  peer/{db}: skipped, preparing failed: {prep.stderr.strip()[-500:]}", file=sys.stderr)
        return None
    info = json.loads(prep.stdout.strip().splitlines()[-1])
    port = free_port()
    argv = [str(peer_dir / "venv" / "bin" / "gunicorn"), "peerproj.wsgi:application",
            "-c", str(REPO / "minqing" / "gunicorn_conf.py"), "--bind", f"127.0.0.1:{port}"]
    return Server(f"peer/{db}", argv, port, env, peer_dir / "proj", logdir / f"server-peer-{db}.log"), info


# ---------------------------------------------------------------------------------------------
# wrk

def run_wrk(port: int, path: str, cookie: str, connections: int, duration: int) -> dict:
    argv = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{duration}s",
            "--timeout", "120s", "-s", str(BENCH / "load.lua"), "-H", f"Cookie: {cookie}",
            f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(argv, capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("LOADJSON ")), None)
    if not line:
        sys.exit(f"wrk gave no result:\n{out.stdout}\n{out.stderr}")
    r = json.loads(line[len("LOADJSON "):])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["socket_errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


def in_flight(port: int) -> int:
    """Connections to the server still open: requests it is answering or has queued. wrk closes its
    connections at the end of a run, but gunicorn still answers what it read; left alone, a 30 s
    dashboard backlog would eat the next target's minute."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state != "0A":  # 0A: the listening socket
                n += 1
    return n


def drain(port: int, limit: float) -> tuple[float, int]:
    t0 = time.monotonic()
    while (left := in_flight(port)) and time.monotonic() - t0 < limit:
        time.sleep(1)
    return round(time.monotonic() - t0, 1), left


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def measure_db(a, db: str, logdir: Path) -> dict:
    url = a.pg_url if db == "pg" else f"sqlite:///{a.sqlite}"
    if db == "sqlite" and not Path(a.sqlite).exists():
        sys.exit(f"{a.sqlite} is missing: copy the shared 1 M database (and var/keys.json) into var/bench/.")
    targets = a.targets.split(",")
    ours, info = start_ours(a, db, url, logdir)
    servers = {"ours": ours}
    peer_targets = [t for t in targets if t.startswith("peer")]
    if peer_targets and not a.no_peer:
        got = start_peer(a, db, logdir)
        if got:
            servers["peer"], peer_info = got
            info["paths"] |= {"peer": peer_info["list"], "peer_search": peer_info["search"]}
            info["peer_cookie"], info["tickets"] = peer_info["cookie"], peer_info["tickets"]
    try:
        for s in servers.values():
            s.wait_ready()
        runnable = [t for t in targets if t in info["paths"]]
        warm = {}
        for t in runnable:  # one request each: must be 200 (a redirect means the session is not taken)
            srv = servers["peer" if t.startswith("peer") else "ours"]
            cookie = info["peer_cookie"] if t.startswith("peer") else info["cookie"]
            status, secs, body = fetch(srv.port, info["paths"][t], cookie)
            warm[t] = round(secs, 3) if status == 200 else f"{status} after {secs:.1f} s"
            if status < 500 and status != 200:  # a redirect, 403, 404: the set-up is wrong, not the page slow
                sys.exit(f"{db} {t}: warm-up answered {status}: {body[:300]!r}")
        print(f"  {db}: warm-up seconds {warm}", file=sys.stderr, flush=True)
        rows = []
        for c in a.connections:
            for t in runnable:
                srv = servers["peer" if t.startswith("peer") else "ours"]
                cookie = info["peer_cookie"] if t.startswith("peer") else info["cookie"]
                cpu0 = srv.cpu_seconds()
                r = run_wrk(srv.port, info["paths"][t], cookie, c, a.duration)
                r["cpu_ms_per_req"] = (srv.cpu_seconds() - cpu0) * 1e3 / r["requests"] if r["requests"] else None
                r |= {"target": t, "connections": c, "load": uptime().split("load average:")[-1].strip()}
                r["drain_s"], r["left_in_flight"] = drain(srv.port, a.drain)
                rows.append(r)
                partial(a, db, rows)
                print(f"  {db} {t:11} c={c:3d} {r['rps']:8.2f} req/s  p50 {r['p50_us'] / 1e3:8.0f} ms  "
                      f"non-2xx {r['non2xx']} socket errors {r['socket_errors']}  load {r['load']}  "
                      f"drained {r['drain_s']} s, {r['left_in_flight']} left",
                      file=sys.stderr, flush=True)
    finally:
        for s in servers.values():
            s.stop()
    return {"database": db, "appeals": info["appeals"], "tickets": info.get("tickets"), "paths": info["paths"],
            "warmup_s": warm, "rows": rows}


def ratio(ours: dict, other: dict | None) -> str:
    return f"{ours['rps'] / other['rps']:.2f}" if other and other["rps"] else "–"


def partial(a: argparse.Namespace, db: str, rows: list[dict]) -> None:
    """The rows so far, next to --json: a run cut short still leaves its figures."""
    if a.json:
        Path(f"{a.json}.{db}.partial").write_text(json.dumps(rows, ensure_ascii=False, indent=1))


def table(res: dict) -> str:
    by = {(r["target"], r["connections"]): r for r in res["rows"]}
    out = [f"**{res['database']}**: {res['appeals']:,} appeals; peer {res.get('tickets') or '–'} tickets",
           "", "| target | conns | req/s | p50 ms | p95 ms | p99 ms | non-2xx | socket errors | server CPU ms/req "
           "| ours÷peer | ours÷bare | drain s (left) |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["rows"]:
        t, c = r["target"], r["connections"]
        peer = by.get(("peer" if t == "list" else "peer_search", c)) if t in ("list", "search", "find") else None
        bare = by.get(({"list": "bare", "detail": "bare_detail"}.get(t, ""), c))
        cpu = f"{r['cpu_ms_per_req']:.0f}" if r["cpu_ms_per_req"] is not None else "–"
        out.append(f"| {t} | {c} | {r['rps']:.2f} | {r['p50_us'] / 1e3:,.0f} | {r['p95_us'] / 1e3:,.0f} "
                   f"| {r['p99_us'] / 1e3:,.0f} | {r['non2xx']} | {r['socket_errors']} | {cpu} "
                   f"| {ratio(r, peer)} | {ratio(r, bare)} | {r['drain_s']} ({r['left_in_flight']}) |")
    return "\n".join(out)


def main() -> None:
    if "--_prepare" in sys.argv:
        prepare_ours()
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="sqlite,pg", help="sqlite, pg or both (comma-separated)")
    ap.add_argument("--duration", type=int, default=60, help="seconds per wrk run")
    ap.add_argument("--connections", default="16,64", help="comma-separated")
    ap.add_argument("--targets", default=",".join(TARGETS), help=f"of {TARGETS + ['peer_search', 'find']}")
    ap.add_argument("--workers", type=int, help="override gunicorn_conf.py (MINQING_WORKERS)")
    ap.add_argument("--threads", type=int, help="override gunicorn_conf.py (MINQING_THREADS)")
    ap.add_argument("--conn-max-age", help="override the database connection lifetime (seconds, or none)")
    ap.add_argument("--prepare", action="append", default=[], help="a minqing command to run before serving")
    ap.add_argument("--sqlite", default=str(HOME / "metrics.sqlite3"))
    ap.add_argument("--home", default=str(HOME), help="MINQING_HOME of our server (its var/keys.json)")
    ap.add_argument("--pg-url", default="postgresql://root@127.0.0.1:5432/load21_bench")
    ap.add_argument("--peer-dir", default=os.environ.get("PEER_DIR") or f"{tempfile.gettempdir()}/peer-helpdesk")
    ap.add_argument("--peer-sqlite", help="default PEER_DIR/helpdesk.sqlite3")
    ap.add_argument("--peer-pg-url", default="postgresql://root@127.0.0.1:5432/peer_helpdesk")
    ap.add_argument("--no-peer", action="store_true")
    ap.add_argument("--drain", type=float, default=90, help="seconds to wait for the server to finish a run's backlog")
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    a.connections = [int(c) for c in a.connections.split(",")]
    logdir = Path(a.home) / "load-logs"
    logdir.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = {"command": " ".join(shlex.quote(x) for x in sys.argv), "started": started, "uptime_before": uptime(),
              "cpus": os.cpu_count(), "workers": a.workers, "threads": a.threads, "conn_max_age": a.conn_max_age,
              "results": []}
    for db in a.db.split(","):
        report["results"].append(measure_db(a, db, logdir))
    report["uptime_after"] = uptime()
    if a.json:
        Path(a.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"{started}; {report['cpus']} CPUs; before: {report['uptime_before']}; after: {report['uptime_after']}")
    print(f"gunicorn: minqing/gunicorn_conf.py, workers={a.workers or 'conf'} threads={a.threads or 'conf'}; "
          f"conn_max_age={a.conn_max_age or 'settings'}; wrk {a.duration} s, --timeout 120s\n")
    for res in report["results"]:
        print(table(res) + "\n")


if __name__ == "__main__":
    main()
