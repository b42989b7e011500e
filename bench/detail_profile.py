"""The case page (/appeals/ID/) at 1 000 000 appeals: server time, CPU and statements per request for a
county leader, a township leader and a village cadre, with the slowest statements (and their plans).

    .venv/bin/python bench/detail_profile.py                       # SQLite: var/bench/metrics.sqlite3
    DATABASE_URL=postgresql://root@127.0.0.1:5432/detail21_bench .venv/bin/python bench/detail_profile.py
    .venv/bin/python bench/detail_profile.py --runs 5 --top 6 --explain --json var/bench/detail.json

The case is the one bench/load.py opens: the newest open appeal of category b6 in the county (--case ID
for another). Each user: one warm-up request (its statements are listed), then --runs timed requests
through django.test.Client (the whole view: middleware, template); wall and process CPU (user+system)
per request, medians. The users are bench-only (created idempotently, like bench/peer.py's leader); this
script never writes appeals. It runs on a copy of the shared bench databases (docs: COMMON rules).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402

COUNTY = "511722000000"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def place_user(username: str, role: str, code: str, kind: str, unit_name: str):
    from minqing.accounts.models import Post, Unit, User

    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": username})
    unit, _ = Unit.objects.get_or_create(region_id=code, name=unit_name, defaults={"kind": kind})
    Post.objects.get_or_create(user=user, unit=unit, role=role, region_id=code)
    return user


def users_for(appeal) -> dict:
    from peer import county_leader

    from minqing.accounts.roles import Role, UnitKind

    village = appeal.region_id
    township = village[:9] + "000"
    return {
        "county_leader": county_leader(),
        "township_leader": place_user("bench-township-leader", Role.TOWNSHIP_SECRETARY, township,
                                      UnitKind.TOWNSHIP_OFFICE, "乡镇党委政府（基准）"),
        "village_cadre": place_user("bench-village-cadre", Role.VILLAGE_SECRETARY, village,
                                    UnitKind.VILLAGE_COMMITTEE, "村两委（基准）"),
    }


def pick_case() -> int:
    from minqing.appeals.models import Appeal, Category

    cat = Category.objects.filter(code="b6").values_list("id", flat=True).first() or \
        Category.objects.order_by("id").values_list("id", flat=True).first()
    return Appeal.objects.filter(group="open", category_id=cat, deleted_at=None, region__code__startswith="511722") \
        .order_by("-received_at", "-id").values_list("id", flat=True).first()


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            return "\n".join(r[0] for r in cur.fetchall())
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(r[-1]) for r in cur.fetchall())


def profile(client, path: str, runs: int, top: int, do_explain: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        t, c = time.perf_counter(), cpu()
        response = client.get(path)
        first = {"wall_ms": (time.perf_counter() - t) * 1e3, "cpu_ms": (cpu() - c) * 1e3}
    assert response.status_code == 200, response.status_code
    queries = [(float(q["time"]) * 1e3, q["sql"]) for q in ctx.captured_queries]
    walls, cpus, db_ms = [], [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as run:
            t, c = time.perf_counter(), cpu()
            client.get(path)
            walls.append((time.perf_counter() - t) * 1e3)
            cpus.append((cpu() - c) * 1e3)
        db_ms.append(sum(float(q["time"]) * 1e3 for q in run.captured_queries))
    slow = sorted(queries, key=lambda q: -q[0])[:top]
    out = {"statements": len(queries), "first": first,
           "wall_ms": statistics.median(walls) if walls else None, "cpu_ms": statistics.median(cpus) if cpus else None,
           "db_ms": statistics.median(db_ms) if db_ms else None,
           "slowest": [{"ms": ms, "sql": sql} for ms, sql in slow]}
    if do_explain:
        plans = []
        for ms, sql in slow[:3]:
            if ms < 20 or not sql.lstrip().upper().startswith("SELECT"):
                continue
            try:  # the captured SQL has its parameters inlined
                plans.append({"ms": ms, "plan": explain(sql, None)})
            except Exception as exc:  # noqa: BLE001 - a plan we cannot redo is reported, not fatal
                plans.append({"ms": ms, "plan": f"(not explained: {exc})"})
        out["plans"] = plans
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=6)
    ap.add_argument("--case", type=int)
    ap.add_argument("--who", default="county_leader,township_leader,village_cadre")
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--json")
    a = ap.parse_args()
    django_for("metrics", fresh=False)
    from django.db import connection
    from django.test import Client

    from minqing.appeals.models import Appeal

    pk = a.case or pick_case()
    appeal = Appeal.objects.get(pk=pk)
    users = users_for(appeal)
    print(f"{connection.vendor}: case {pk} ({appeal.number}, {appeal.region_id}, {appeal.group}, "
          f"received {appeal.received_at:%Y-%m-%d %H:%M})", flush=True)
    results = {}
    for who in a.who.split(","):
        client = Client()
        client.force_login(users[who])
        r = profile(client, f"/appeals/{pk}/", a.runs, a.top, a.explain)
        results[who] = r
        print(f"\n{who}: {r['statements']} statements; first {r['first']['wall_ms']:.0f} ms "
              f"(cpu {r['first']['cpu_ms']:.0f}); median of {a.runs}: wall {r['wall_ms'] or 0:.0f} ms, "
              f"cpu {r['cpu_ms'] or 0:.0f} ms, SQL {r['db_ms'] or 0:.0f} ms", flush=True)
        for q in r["slowest"]:
            print(f"  {q['ms']:8.1f} ms  {q['sql'][:400]}")
        for p in r.get("plans", []):
            print(f"  --- plan of the {p['ms']:.0f} ms statement:\n    " + p["plan"].replace("\n", "\n    "))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"engine": connection.vendor, "case": pk, "results": results}, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
