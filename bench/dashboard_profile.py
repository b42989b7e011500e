"""Where one dashboard request goes: the county leader of bench/peer.py GETs /dashboards/<code>/?period=…
through django.test.Client (the whole view: middleware, figures.build, the template) in one process; per
case the statements (an execute wrapper), the CPU milliseconds of a warm request (median of --runs)
and, with --profile, cProfile's top functions by cumulative time.

    MINQING_HOME=… DATABASE_URL=… .venv/bin/python bench/dashboard_profile.py [--profile] [--sql] [--runs 5]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402

django_for("metrics", fresh=False)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from peer import county_leader  # noqa: E402

COUNTY, TOWNSHIP = "511722000000", "511722104000"
CASES = (("county year", COUNTY, "2024"), ("county month", COUNTY, "2024-05"),
         ("township year", TOWNSHIP, "2024"), ("township month", TOWNSHIP, "2024-05"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--sql", action="store_true", help="print every statement of the county year")
    ap.add_argument("--cases", default="")
    a = ap.parse_args()
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(county_leader())
    for label, code, token in CASES:
        if a.cases and label not in a.cases.split(","):
            continue
        path = f"/dashboards/{code}/?period={token}"
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        captured: list[dict] = []

        def log(execute, sql, params, many, context, captured=captured):
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append({"sql": sql, "time": time.perf_counter() - t0})

        with connection.execute_wrapper(log):
            r = client.get(path)
        cpus, walls = [], []
        for _ in range(a.runs):
            w0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            walls.append(time.perf_counter() - w0)
            cpus.append(time.process_time() - c0)
        statements = len(captured)
        sql_ms = sum(float(x["time"]) for x in captured) * 1e3
        print(f"{connection.vendor} {label:15} {statements:3d} statements ({sql_ms:.0f} ms in them), "
              f"CPU {statistics.median(cpus) * 1e3:.0f} ms, wall {statistics.median(walls) * 1e3:.0f} ms, "
              f"{len(r.content):,} bytes", flush=True)
        if a.sql and label == "county year":
            for x in captured:
                print(f"  {float(x['time']) * 1e3:6.1f} ms  {x['sql'][:220]}")
        if a.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(3):
                client.get(path)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue())


if __name__ == "__main__":
    main()
