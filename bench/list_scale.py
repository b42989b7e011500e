"""The appeal list at 1 000 000 appeals (issue 21 item 2): ours through the JSON API and the workbench
page, next to indexed hand-written SQL and a bare Django view (bench/bare.py) on the same query, in
one run, as the county leader of bench/peer.py. Timing as bench/peer.py (the peer's method).

    .venv/bin/python bench/list_scale.py [--runs 10] [--budget 20] [--json]      # var/bench/metrics.sqlite3
    DATABASE_URL=postgresql://root@127.0.0.1:5432/list21_bench .venv/bin/python bench/list_scale.py

Cases: (a) open, one category, newest 25 + count — the peer's case (a); then ours only: a village,
a township, the whole county (newest 25), and page 400 of the county reached by cursor.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

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
    out = {"engine": connection.vendor, "category_id": cat, "cpu_s": round(time.process_time() - t0, 1),
           "results": results}
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    print(f"{connection.vendor}: median ms [p95] n, statements per request")
    print("| case | side | median [p95] n | CPU ms (this process) | statements |\n|---|---|---:|---:|---:|")
    for name, sides in results.items():
        for side, m in sides.items():
            print(f"| {name} | {side} | {m['median_ms']:,.1f} [{m['p95_ms']:,.1f}] n={m['n']} | {m['cpu_ms']} "
                  f"| {m['queries']} |")


if __name__ == "__main__":
    main()
