"""Ten counties on one PostgreSQL: a county's list and dashboard figures next to the same on a
database holding that county alone, side by side in one run (docs/scale.md).

    .venv/bin/python bench/province.py --appeals 100000      # 10 × 100 000 appeals
    .venv/bin/python bench/province.py --appeals 100000 --reuse

Three databases on 127.0.0.1:5432, made here and dropped with --drop:
  scale21_one   bench/metrics.py's county 511722 with N appeals (its build, seed 2024);
  scale21_ten   the same plus 9 copies of it as counties 511723…511731 (ids, numbers, households and
                region codes shifted; INSERT … SELECT), so every county has the same data;
  scale21_tenp  scale21_ten partitioned by county (minqing/ops/partition.py: appeals, events, audit).
Timed, alternating between the databases: metrics.county_summary of county 511722 for a month and a
year (the county dashboard's appeal figures) and a cadre's list (open appeals of a township and of the
county, newest 25 + count, under the jurisdiction's county bound). Medians of --repeat runs, wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

ADMIN = "postgresql://root@127.0.0.1:5432/test"
ONE, TEN, TENP = "scale21_one", "scale21_ten", "scale21_tenp"
COUNTY = "511722"
COPIES = [f"{int(COUNTY) + k:06d}" for k in range(1, 10)]


def admin(sql: str) -> None:
    import psycopg

    for _attempt in range(30):
        try:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(sql)
            return
        except psycopg.errors.ObjectInUse:  # a template in use: wait for its session to end
            time.sleep(2)
    raise RuntimeError(f"could not: {sql}")


def exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(ADMIN, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def use(name: str) -> None:
    """While building: the one connection, closed and pointed at another database."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


_kept: dict = {}


def keep(name: str) -> None:
    """While timing: one open connection per database, swapped in as "default" (warm catalog caches)."""
    from django.db import connections

    if name not in _kept:
        connections.settings[name] = {**connections.settings["default"], "NAME": name}
        _kept[name] = connections.create_connection(name)
    connections["default"] = _kept[name]


def columns(cur, table: str) -> list[str]:
    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                [table])
    return [r[0] for r in cur.fetchall()]


def copy_rows(cur, table: str, where: str, exprs: dict[str, str]) -> None:
    cols = columns(cur, table)
    select = ", ".join(exprs.get(c, f'"{c}"') for c in cols)
    cur.execute(f'INSERT INTO {table} ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
                f"SELECT {select} FROM {table} WHERE {where}")


def widen(n: int) -> None:
    """Counties 511723…511731 as copies of 511722 (on the current database)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM households_household")
        hh = cur.fetchone()[0] or 0
        cur.execute("SELECT max(id) FROM appeals_appealevent")
        ev = cur.fetchone()[0] or 0
        cur.execute("SELECT max(id) FROM appeals_returnvisit")
        rv = cur.fetchone()[0] or 0
        for k, c in enumerate(COPIES, start=1):
            def code(col: str, c: str = c) -> str:
                return f"('{c}' || substr({col}, 7))"

            copy_rows(cur, "regions_region", f"code LIKE '{COUNTY}%'",
                      {"code": code("code"), "name": f"name || '{k}'",
                       "parent_id": f"CASE WHEN level = 3 THEN parent_id ELSE {code('parent_id')} END"})
            copy_rows(cur, "households_household", f"region_id LIKE '{COUNTY}%'",
                      {"id": f"id + {k * hh}", "region_id": code("region_id")})
            copy_rows(cur, "appeals_appeal", f"region_id LIKE '{COUNTY}%'",
                      {"id": f"id + {k * n}", "number": f"'C{k}' || substr(number, 2)", "region_id": code("region_id"),
                       "household_id": f"household_id + {k * hh}", "merged_into_id": "NULL", "source_ref": "NULL"})
            copy_rows(cur, "appeals_appealevent", f"region_id LIKE '{COUNTY}%'",
                      {"id": f"id + {k * ev}", "appeal_id": f"appeal_id + {k * n}", "region_id": code("region_id")})
            copy_rows(cur, "appeals_returnvisit", f"appeal_id <= {n}",
                      {"id": f"id + {k * rv}", "appeal_id": f"appeal_id + {k * n}"})
            print(f"  county {c} copied", flush=True)
        for table in ("households_household", "appeals_appeal", "appeals_appealevent", "appeals_returnvisit"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def build(n: int, by_year: bool) -> None:
    os.environ["DATABASE_URL"] = f"postgresql://root@127.0.0.1:5432/{ONE}"
    for name in (TENP, TEN, ONE):
        admin(f"DROP DATABASE IF EXISTS {name}")
    admin(f"CREATE DATABASE {ONE}")
    from _setup import django_for

    t0 = time.perf_counter()
    django_for("province", fresh=False)
    import metrics as bench_metrics

    bench_metrics.build(n)
    print(f"{ONE}: migrate + {n:,} appeals: {time.perf_counter() - t0:.1f} s", flush=True)
    use("test")
    admin(f"CREATE DATABASE {TEN} TEMPLATE {ONE}")
    use(TEN)
    t0 = time.perf_counter()
    widen(n)
    print(f"{TEN}: 9 more counties: {time.perf_counter() - t0:.1f} s", flush=True)
    use("test")
    partitioned(by_year)


def partitioned(by_year: bool) -> None:
    """scale21_tenp: a copy of scale21_ten, partitioned by county."""
    admin(f"CREATE DATABASE {TENP} TEMPLATE {TEN}")
    use(TENP)
    from minqing.ops import partition

    t0 = time.perf_counter()
    plan = partition.apply(by_year=by_year)
    print(f"{TENP}: partitioned {', '.join(plan.done)}{' (events also by year)' if by_year else ''} in "
          f"{time.perf_counter() - t0:.1f} s; {len(plan.dropped_fks)} foreign keys to appeals dropped", flush=True)


def list_page(code: str) -> int:
    """A cadre's list: open appeals of the subtree, bounded by the county, newest 25 and the count."""
    from minqing.appeals.models import Appeal
    from minqing.regions.jurisdiction import region_q

    qs = (Appeal.objects.filter(region_q([code]) & region_q([COUNTY]), deleted_at__isnull=True, group="open")
          .order_by("-received_at"))
    list(qs.values("id", "number", "title", "status", "received_at", "region_id")[:25])
    return qs.count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000, help="appeals per county")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="time the databases made by an earlier run")
    parser.add_argument("--repartition", action="store_true",
                        help="with --reuse: make scale21_tenp again from scale21_ten (partitioning changed)")
    parser.add_argument("--events-by-year", action="store_true", help="events also partitioned by year")
    parser.add_argument("--drop", action="store_true", help="drop the three databases at the end")
    args = parser.parse_args()
    os.environ.setdefault("MINQING_STATEMENT_TIMEOUT", "0")
    if args.reuse and all(exists(d) for d in (ONE, TEN, TENP)):
        os.environ["DATABASE_URL"] = f"postgresql://root@127.0.0.1:5432/{ONE}"
        from _setup import django_for

        django_for("province", fresh=False)
        if args.repartition:
            use("test")
            admin(f"DROP DATABASE IF EXISTS {TENP}")
            partitioned(args.events_by_year)
    else:
        build(args.appeals, args.events_by_year)
    from django.db import connection

    from minqing.appeals import metrics

    connection.close()
    for name in (ONE, TEN, TENP):
        keep(name)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), count(DISTINCT substr(region_id, 1, 6)), "
                        "pg_database_size(current_database()) FROM appeals_appeal")
            n, counties, size = cur.fetchone()
        print(f"{name:13} appeals {n:>10,}  counties {counties:>2}  database {size / 2**20:,.0f} MiB")
    cases = [
        ("dashboard county month 2024-05", lambda: metrics.county_summary(COUNTY, dt.date(2024, 5, 1),
                                                                          dt.date(2024, 5, 31)).received),
        ("dashboard county year 2024", lambda: metrics.county_summary(COUNTY, dt.date(2024, 1, 1),
                                                                      dt.date(2024, 12, 31)).received),
        ("list township 511722104 open", lambda: list_page("511722104")),
        ("list county 511722 open", lambda: list_page(COUNTY)),
    ]
    dbs = (ONE, TEN, TENP)
    print(f"\n{'query':32} {'one s':>8} {'ten s':>8} {'tenp s':>8} {'ten/one':>8} {'tenp/one':>8}  result")
    for label, fn in cases:
        times: dict[str, list[float]] = {d: [] for d in dbs}
        results = {}
        for d in dbs:  # warm each database's cache
            keep(d)
            fn()
        for _ in range(args.repeat):
            for d in dbs:
                keep(d)
                t = time.perf_counter()
                results[d] = fn()
                times[d].append(time.perf_counter() - t)
        m = {d: statistics.median(times[d]) for d in dbs}
        same = len(set(results.values())) == 1
        print(f"{label:32} {m[ONE]:8.3f} {m[TEN]:8.3f} {m[TENP]:8.3f} {m[TEN] / m[ONE]:8.2f} {m[TENP] / m[ONE]:8.2f}  "
              f"{results[ONE]:,}{'' if same else ' (DIFFERS: ' + str(results) + ')'}", flush=True)
    for wrapper in _kept.values():
        wrapper.close()
    if args.drop:
        for name in dbs:
            admin(f"DROP DATABASE IF EXISTS {name}")


if __name__ == "__main__":
    main()
