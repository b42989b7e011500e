"""Our side of the django-helpdesk peer benchmark (/work/shared/peer-helpdesk, measure.py): the same
three cases on our 1 000 000-appeal database var/bench/metrics.sqlite3 (built by bench/metrics.py; this
script never rebuilds it), each timed through the full request path (django.test.Client GET of our
JSON API as a logged-in county leader) and as hand-written raw SQL on the same database.

    .venv/bin/python bench/peer.py --runs 10 --budget 40 [--peer /tmp/peer-sqlite.json] [--json]

Timing method copied from the peer's measure.py: 2 warm-up calls (1 if the first took > 2 s; the first
counts SQL statements), then up to --runs timed calls, stopping once --budget seconds have passed and
at least 3 runs are in; median and nearest-rank p95.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

from _setup import REPO, django_for  # noqa: E402

COUNTY = "511722000000"
PERIOD = "2024-05"  # a month inside the bench data (2023-01 … 2024-12)
LEADER = "bench-county-leader"


def measure(fn, runs: int, budget: float) -> dict:
    """Same procedure as the peer's measure.measure (without the dashboard cap)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def timed() -> float:
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    with CaptureQueriesContext(connection) as ctx:
        first = timed()
    queries = len(ctx.captured_queries)
    if first < 2:
        timed()
    samples: list[float] = []
    t0 = time.perf_counter()
    for _ in range(runs):
        samples.append(timed())
        if time.perf_counter() - t0 > budget and len(samples) >= 3:
            break
    s = sorted(samples)
    ms = lambda x: round(x * 1e3, 2)  # noqa: E731
    return {"median_ms": ms(statistics.median(s)), "p95_ms": ms(s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]),
            "min_ms": ms(s[0]), "max_ms": ms(s[-1]), "n": len(s), "queries": queries}


def county_leader():
    """Idempotently: a county leader whose post covers 宣汉县 511722."""
    from minqing.accounts.models import Post, Unit, User
    from minqing.accounts.roles import Role, UnitKind

    user, _ = User.objects.get_or_create(username=LEADER, defaults={"display_name": "县领导（基准）"})
    unit, _ = Unit.objects.get_or_create(region_id=COUNTY, name="县委县政府（基准）",
                                         defaults={"kind": UnitKind.LEADERSHIP})
    Post.objects.get_or_create(user=user, unit=unit, role=Role.COUNTY_LEADER, region_id=COUNTY)
    return user


LIST_SQL = """SELECT a.id, a.number, a.title, a.status, a."group", a.received_at, a.due_at, r.name, c.name, u.name
    FROM appeals_appeal a JOIN regions_region r ON r.code = a.region_id
    LEFT JOIN appeals_category c ON c.id = a.category_id LEFT JOIN accounts_unit u ON u.id = a.unit_id
    WHERE a.deleted_at IS NULL AND """
ORDER = " ORDER BY a.received_at DESC, a.id DESC LIMIT 25"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--budget", type=float, default=40.0)
    ap.add_argument("--peer", default="/tmp/peer-sqlite.json", help="the peer's measure.py --json output")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    db = REPO / "var" / "bench" / "metrics.sqlite3"
    if "DATABASE_URL" not in os.environ and not db.exists():
        sys.exit(f"{db} is missing: build it with bench/metrics.py first (this script does not).")
    django_for("metrics", fresh=False)
    from django.db import connection
    from django.test import Client

    from minqing.appeals.models import Appeal, Category

    have = Appeal.objects.count()
    cat = Category.objects.filter(code="b6").values_list("id", flat=True).first() or \
        Category.objects.order_by("id").values_list("id", flat=True).first()
    client = Client()
    client.force_login(county_leader())
    last: dict = {}

    def view(path, params):
        def f():
            r = client.get(path, params)
            assert r.status_code == 200, (path, params, r.status_code, r.content[:300])
            last["r"] = r
        return f

    def sql(*stmts):
        def f():
            with connection.cursor() as cur:
                for s, p in stmts:
                    cur.execute(s, p)
                    cur.fetchall()
        return f

    def count(where, p) -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND " + where, p)
            return cur.fetchone()[0]

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM appeals_appeal WHERE title LIKE %s OR text LIKE %s", ["%路灯%"] * 2)
        lamp = cur.fetchone()[0]
    word = "路灯" if lamp else "内容"  # the bench texts are constant (title 诉求, text 内容)
    a_where = ('a."group" = %s AND a.category_id = %s', ["open", cat])
    c_where = ("(a.title LIKE %s OR a.text LIKE %s)", [f"%{word}%"] * 2)
    cases = {
        "a_list": (view("/api/v1/appeals", {"group": "open", "category": cat, "limit": 25}),
                   sql((LIST_SQL + a_where[0] + ORDER, a_where[1]),
                       ("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND " + a_where[0],
                        a_where[1])), a_where),
        "b_dashboard": (view("/api/v1/metrics", {"region": "511722", "period": PERIOD}),
                        sql(('SELECT category_id, "group", count(*) FROM appeals_appeal WHERE deleted_at IS NULL '
                             'GROUP BY category_id, "group"', [])), None),
        "c_search": (view("/api/v1/appeals", {"q": word, "limit": 25}),
                     sql((LIST_SQL + c_where[0] + ORDER, c_where[1]),
                         ("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND " + c_where[0],
                          c_where[1])), c_where),
    }
    if word != "路灯":  # also the peer's word: no row matches, so a full scan that finds nothing
        lamp_where = ("(a.title LIKE %s OR a.text LIKE %s)", ["%路灯%"] * 2)
        cases["c_search_路灯"] = (view("/api/v1/appeals", {"q": "路灯", "limit": 25}),
                                sql((LIST_SQL + lamp_where[0] + ORDER, lamp_where[1]),
                                    ("SELECT count(*) FROM appeals_appeal a WHERE a.deleted_at IS NULL AND "
                                     + lamp_where[0], lamp_where[1])), lamp_where)
    results: dict = {}
    for name, (vfn, sfn, where) in cases.items():
        last.clear()
        v = measure(vfn, a.runs, a.budget)
        s = measure(sfn, a.runs, a.budget)
        r = {"view": v, "sql": s}
        if where:
            r["rows_matching"] = count(*where)
            r["view_rows"] = json.loads(last["r"].content)["count"]
        r["view_over_sql"] = round(v["median_ms"] / s["median_ms"], 1)
        results[name] = r
        print(f"  {name}: view {v['median_ms']} ms [{v['p95_ms']}] n={v['n']} q={v['queries']}; "
              f"sql {s['median_ms']} ms [{s['p95_ms']}] n={s['n']}", file=sys.stderr, flush=True)
    import sqlite3

    out = {"ours": "minqing", "appeals": have, "category_id": cat, "search_word": word, "rows_with_路灯": lamp,
           "period": PERIOD, "database": {"engine": connection.vendor, "version": sqlite3.sqlite_version},
           "runs": a.runs, "budget_s": a.budget, "results": results}
    peer = json.loads(Path(a.peer).read_text()) if Path(a.peer).exists() else None
    if a.json:
        print(json.dumps({**out, "peer": peer}, ensure_ascii=False))
        return
    print(table(out, peer))


def _fmt(m: dict | None) -> str:
    if not m:
        return "–"
    if m.get("capped"):
        return f"capped (>{m['cap_s']:g} s)"
    return f"{m['median_ms']:,.0f} [{m['p95_ms']:,.0f}] n={m['n']}"


def _ratio(o: dict, p: dict | None) -> str:
    if not p or p.get("capped") or not p.get("median_ms"):
        return "–"
    return f"{o['median_ms'] / p['median_ms']:.2f}"


def table(out: dict, peer: dict | None) -> str:
    pr = (peer or {}).get("results", {})
    lines = [f"ours: {out['appeals']:,} appeals; peer: {(peer or {}).get('tickets', '–')} tickets "
             f"(median ms [p95] n)",
             "| case | ours view | peer view | ours÷peer view | ours SQL | peer SQL | ours÷peer SQL "
             "| ours rows (view/SQL) | peer rows (view/SQL) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in out["results"].items():
        p = pr.get(name.split("_路灯")[0] if name != "c_search_路灯" else "c_search")
        pv, ps = (p or {}).get("view"), (p or {}).get("sql")
        rows = f"{r.get('view_rows', '–')}/{r.get('rows_matching', '–')}"
        prows = f"{(p or {}).get('view_rows', '–')}/{(p or {}).get('rows_matching', '–')}"
        lines.append(f"| {name} | {_fmt(r['view'])} | {_fmt(pv)} | {_ratio(r['view'], pv)} | {_fmt(r['sql'])} "
                     f"| {_fmt(ps)} | {_ratio(r['sql'], ps)} | {rows} | {prows} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
