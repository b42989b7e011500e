"""The appeal list at 1 000 000 appeals (issue 21 item 2): ours through the JSON API and the workbench
page, next to indexed hand-written SQL and a bare Django view (bench/bare.py) on the same query, in
one run, as the county leader of bench/peer.py. Timing as bench/peer.py (the peer's method).

    .venv/bin/python bench/list_scale.py [--runs 10] [--budget 20] [--json]      # var/bench/metrics.sqlite3
    DATABASE_URL=postgresql://root@127.0.0.1:5432/list21_bench .venv/bin/python bench/list_scale.py
    ... --peer-url sqlite:////path/to/a/copy/helpdesk.sqlite3 [--peer-dir /work/wt/peer]   # the peer's list too

With --peer-url, django-helpdesk's list (its harness's case (a), bench/peer_list.py, in the peer's venv on
that database — a copy: its client writes a session) is measured in the same run, right after ours.

Cases: (a) open, one category, newest 25 + count — the peer's case (a); then ours only: a village,
a township, the whole county (newest 25), and page 400 of the county reached by cursor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402
from peer import LIST_SQL, ORDER, county_leader, measure  # noqa: E402

VILLAGE, TOWNSHIP = "511722101201", "511722101000"
HTMX = {"HX-Request": "true", "HX-Target": "appeal-results"}


def cpu(fn, n: int = 5) -> float:
    """Median CPU time of this process per call (ms): the machine is shared, wall time is noisy. On
    PostgreSQL the server's own CPU is not in it."""
    samples = []
    for _ in range(n):
        t = time.process_time()
        fn()
        samples.append(time.process_time() - t)
    return round(sorted(samples)[n // 2] * 1e3, 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only-a", action="store_true", help="case (a) only")
    ap.add_argument("--peer-url", help="the peer's database (a copy): run its list in this run")
    ap.add_argument("--peer-dir", default=os.environ.get("PEER_DIR", "/work/wt/peer"))
    a = ap.parse_args()
    django_for("metrics", fresh=False)
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from minqing.appeals.models import Category

    cat = Category.objects.filter(code="b6").values_list("id", flat=True).first()
    client = Client()
    client.force_login(county_leader())
    t0 = time.process_time()

    def get(path, params, headers=None):
        def f():
            r = client.get(path, params, headers=headers or {})
            assert r.status_code == 200, (path, params, r.status_code, r.content[:300])
        return f

    def sql(*stmts):
        def f():
            with connection.cursor() as cur:
                for s, p in stmts:
                    cur.execute(s, p)
                    cur.fetchall()
        return f

    where = 'a."group" = %s AND a.category_id = %s'
    a_sql = sql((LIST_SQL + where + ORDER, ["open", cat]),
                ("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND " + where, ["open", cat]))
    cases: dict = {"a_list": {
        "ours API": get("/api/v1/appeals", {"group": "open", "category": cat, "limit": 25}),
        "ours page (htmx)": get("/appeals/", {"group": "open", "category": cat}, HTMX),
        "hand SQL": a_sql,
        "bare view": get("/bare/appeals", {"group": "open", "category": cat}),
    }}
    if not a.only_a:
        cases.update({
            "village": {"ours API": get("/api/v1/appeals", {"region": VILLAGE, "limit": 25})},
            "township": {"ours API": get("/api/v1/appeals", {"region": TOWNSHIP, "limit": 25})},
            "county": {"ours API": get("/api/v1/appeals", {"limit": 25})},
        })
    results: dict = {}
    with override_settings(ROOT_URLCONF="bare"):
        if not a.only_a:
            after = None
            for _ in range(399):  # page 400 by cursor (the API's next), then time that page
                r = client.get("/api/v1/appeals", {"limit": 25, **({"after": after} if after else {})}).json()
                after = r.get("next")
            if after:
                cases["county page 400 (cursor)"] = {"ours API": get("/api/v1/appeals", {"limit": 25, "after": after})}
        for name, sides in cases.items():
            results[name] = {}
            for side, fn in sides.items():
                m = measure(fn, a.runs, a.budget)
                m["cpu_ms"] = cpu(fn)
                results[name][side] = m
                print(f"  {name} / {side}: {m['median_ms']} ms [{m['p95_ms']}] n={m['n']} q={m['queries']} "
                      f"cpu {m['cpu_ms']} ms",
                      file=sys.stderr, flush=True)
            if name == "a_list" and a.peer_url:
                results[name]["peer"] = peer_list(a)
    out = {"engine": connection.vendor, "category_id": cat, "cpu_s": round(time.process_time() - t0, 1),
           "results": results, "ratios": ratios(results["a_list"])}
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    print(f"{connection.vendor}: median ms [p95] n, statements per request")
    print("| case | side | median [p95] n | CPU ms (this process) | statements |\n|---|---|---:|---:|---:|")
    for name, sides in results.items():
        for side, m in sides.items():
            if "median_ms" not in m:
                continue
            print(f"| {name} | {side} | {m['median_ms']:,.1f} [{m['p95_ms']:,.1f}] n={m['n']} | {m['cpu_ms']} "
                  f"| {m['queries']} |")
    print("case (a), ours API against:", json.dumps(out["ratios"], ensure_ascii=False))


def peer_list(a) -> dict:
    """django-helpdesk's list view and its hand SQL (bench/peer_list.py in the peer's venv)."""
    env = {**os.environ, "PEER_DIR": a.peer_dir, "DATABASE_URL": a.peer_url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["python3", str(Path(__file__).with_name("peer_list.py")), "--runs", str(a.runs),
                           "--budget", str(a.budget * 2)], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        print(done.stderr[-2000:], file=sys.stderr)
        return {"error": done.returncode}
    got = json.loads(done.stdout.strip().splitlines()[-1])
    v = got["view"]
    print(f"  a_list / peer view: {v['median_ms']} ms [{v['p95_ms']}] n={v['n']} q={v['queries']} "
          f"cpu {v['cpu_ms']} ms; peer SQL {got['sql']['median_ms']} ms ({got['tickets']:,} tickets, "
          f"{got['view_rows']:,} rows)", file=sys.stderr, flush=True)
    return {**v, "sql": got["sql"], "tickets": got["tickets"], "view_rows": got["view_rows"]}


def ratios(r: dict) -> dict:
    """ours API against the peer (how many times faster), the hand SQL and the bare view (how many
    times slower), wall (median) and CPU."""
    o = r["ours API"]
    out = {"vs hand SQL (×, wall)": round(o["median_ms"] / r["hand SQL"]["median_ms"], 2),
           "vs hand SQL (×, CPU)": round(o["cpu_ms"] / max(r["hand SQL"]["cpu_ms"], 0.1), 2),
           "vs bare view (×, wall)": round(o["median_ms"] / r["bare view"]["median_ms"], 2),
           "vs bare view (×, CPU)": round(o["cpu_ms"] / max(r["bare view"]["cpu_ms"], 0.1), 2)}
    p = r.get("peer")
    if p and p.get("median_ms"):
        out["peer ÷ ours (times faster, wall)"] = round(p["median_ms"] / o["median_ms"], 1)
        out["peer ÷ ours (times faster, CPU)"] = round(p["cpu_ms"] / max(o["cpu_ms"], 0.1), 1)
    return out


if __name__ == "__main__":
    main()
