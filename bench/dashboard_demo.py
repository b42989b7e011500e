"""The county dashboard page on a loaded demo county, as demo-county: wall time of the whole request
(Django test client, figures + template) and every SQL statement it sends, timed, the slowest first.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/DB .venv/bin/python bench/dashboard_demo.py
    .venv/bin/python bench/dashboard_demo.py --period 2025-06 --repeat 3 --top 12

The database must hold a demo (`manage.py demo --load-only --households N --anchor 2025-06-30`); this
script changes nothing in it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", default="2025-06",
                        help="YYYY-MM or YYYY (the dashboard's ?period=); '' for the page's default (this month)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--user", default="demo-county")
    parser.add_argument("--big", action="store_true", help="the 大屏 view instead")
    args = parser.parse_args()
    django_for("demo", fresh=False)
    from django.db import connection
    from django.test import Client

    from minqing.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=args.user))
    query = "&".join(q for q in (f"period={args.period}" if args.period else "", "view=big" if args.big else "") if q)
    url = "/dashboards/" + (f"?{query}" if query else "")
    times: list[float] = []
    cpu: list[float] = []
    statements: dict[str, list[float]] = defaultdict(list)
    for i in range(args.repeat + 1):  # the first request warms caches and is not counted
        seen: list[tuple[str, float]] = []

        def timed(execute, sql, params, many, context, seen=seen):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                seen.append((sql, time.perf_counter() - started))

        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timed):
            response = client.get(url, HTTP_HOST="localhost")
        elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
        assert response.status_code == 200, response.status_code
        if i:
            times.append(elapsed)
            cpu.append(cpu_used)
            for sql, t in seen:
                statements[sql].append(t)
    runs = len(times)
    sql_total = sum(sum(v) for v in statements.values()) / runs
    print(f"{connection.vendor} {url} as {args.user}: median {statistics.median(times):.3f} s "
          f"(runs {', '.join(f'{t:.3f}' for t in times)}), {sum(len(v) for v in statements.values()) // runs} "
          f"statements, {sql_total:.3f} s in SQL per request, {statistics.median(cpu):.3f} s CPU of this process "
          f"(load average {os.getloadavg()[0]:.1f})")
    for sql, ts in sorted(statements.items(), key=lambda kv: -sum(kv[1]))[:args.top]:
        print(f"{sum(ts) / runs * 1000:8.1f} ms ×{len(ts) // runs}  {sql[:240]}")


if __name__ == "__main__":
    main()
