"""Cost of the metric queries at 1 000 000 appeals: metrics.county_summary (Django ORM) next to the
same figures written by hand as raw SQL, on the same database, for the county and one township.

    .venv/bin/python bench/metrics.py                 # SQLite: var/bench/metrics.sqlite3
    .venv/bin/python bench/metrics.py --pg            # PostgreSQL database minqing_bench on 127.0.0.1
    .venv/bin/python bench/metrics.py --appeals 200000 --rebuild

The database is built once (bulk insert, deterministic: seed 2024) and reused while it holds the
requested number of appeals. Besides the appeals it holds 370 villages in 37 townships, 50 000
households, the escalate events (the only events the metrics read: the other events of a case are
not generated) and the return visits.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
COUNTY = "511722000000"
TOWNSHIPS = 37
VILLAGES = 10
HOUSEHOLDS = 50_000
SEED = 2024
START = dt.datetime(2023, 1, 1, tzinfo=TZ)
SPAN = (dt.datetime(2025, 1, 1, tzinfo=TZ) - START).total_seconds()
PG_URL = "postgresql://root@127.0.0.1:5432/minqing_bench"


def township_code(t: int) -> str:
    return f"511722{101 + t:03d}000"


def village_code(t: int, v: int) -> str:
    return f"511722{101 + t:03d}{201 + v:03d}"


# ---------------------------------------------------------------------------------------------
# Building the database


def _ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://root@127.0.0.1:5432/test", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = 'minqing_bench'").fetchone():
            conn.execute("CREATE DATABASE minqing_bench")


class Writer:
    """COPY on PostgreSQL, executemany on SQLite; datetimes adapted once per value."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.pg = connection.vendor == "postgresql"

    def when(self, value: dt.datetime | None):
        if value is None:
            return None
        if self.pg:
            return value
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")

    def insert(self, table: str, columns: list[str], rows) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with self.connection.cursor() as cur:
            if self.pg:
                with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        n += 1
                return n
            sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
            chunk: list = []
            for row in rows:
                chunk.append(row)
                if len(chunk) >= 20_000:
                    cur.executemany(sql, chunk)
                    n += len(chunk)
                    chunk = []
            if chunk:
                cur.executemany(sql, chunk)
                n += len(chunk)
        return n


APPEAL_COLUMNS = [
    "id", "deleted_at", "number", "kind", "status", "group", "level", "max_level", "region_id", "household_id",
    "channel", "category_id", "urgency", "sensitivity", "title", "text", "anonymous", "received_at", "triage",
    "handler_name", "measures", "response_due_at", "responded_at", "due_at", "due_estimated", "warning",
    "closed_at", "closed_on_time", "satisfaction", "reopen_count", "remind_count", "supervise_level",
    "fund_source", "accountability", "state", "source_ref", "version", "updated_at", "category_source",
]


def build(n: int) -> None:
    from django.db import connection, transaction

    from minqing.appeals.models import Category
    from minqing.regions.models import Region

    w = Writer()
    rng = random.Random(SEED)
    day = dt.timedelta(days=1)
    with transaction.atomic():
        with connection.cursor() as cur:
            for table in ("appeals_returnvisit", "appeals_appealevent", "appeals_appeal", "households_household",
                          "appeals_category", "regions_region"):
                cur.execute(f"DELETE FROM {table}")
        Region.objects.bulk_create([
            Region(code="510000000000", name="四川省", level=1),
            Region(code="511700000000", name="达州市", level=2, parent_id="510000000000"),
            Region(code=COUNTY, name="宣汉县", level=3, parent_id="511700000000"),
        ])
        Region.objects.bulk_create([Region(code=township_code(t), name=f"乡镇{t + 1}", level=4, parent_id=COUNTY)
                                    for t in range(TOWNSHIPS)])
        Region.objects.bulk_create([Region(code=village_code(t, v), name=f"乡镇{t + 1}村{v + 1}", level=5,
                                           parent_id=township_code(t))
                                    for t in range(TOWNSHIPS) for v in range(VILLAGES)])
        cats = Category.objects.bulk_create([Category(code=f"b{i}", name=f"类别{i}", scheme="taidi")
                                             for i in range(15)])
        cat_ids = [c.pk for c in cats]
        per_village = HOUSEHOLDS // (TOWNSHIPS * VILLAGES)
        now = w.when(dt.datetime(2024, 1, 1, tzinfo=TZ))
        w.insert("households_household", ["id", "region_id", "number", "head_name", "address", "note", "created_at",
                                          "updated_at", "version"],
                 ((1 + (t * VILLAGES + v) * per_village + k, village_code(t, v), f"{k:04d}", "户主", "地址", "",
                   now, now, 1)
                  for t in range(TOWNSHIPS) for v in range(VILLAGES) for k in range(per_village)))

        events: list[tuple] = []
        visits: list[tuple] = []

        def appeals():
            for i in range(1, n + 1):
                t, v = rng.randrange(TOWNSHIPS), rng.randrange(VILLAGES)
                region = village_code(t, v)
                received = START + dt.timedelta(seconds=rng.random() * SPAN)
                kind = "petition" if rng.random() < 0.10 else "problem"
                household = (1 + (t * VILLAGES + v) * per_village + rng.randrange(per_village)
                             if rng.random() < 0.8 else None)
                limit = 60 if kind == "petition" else 15
                status, group, triage, level, max_level = "registered", "open", "", "village", "village"
                response_due, responded, due, closed, sat = received + 2 * day, None, received + limit * day, None, ""
                r = rng.random()
                if r < 0.02:
                    status, group = "merged", "merged"
                elif r < 0.32:
                    status, group, triage = "solved_on_spot", "solved", "solve_on_spot"
                    closed = responded = received + dt.timedelta(hours=1)
                    sat = rng.choices(["satisfied", "basically_satisfied", "unsatisfied", ""], [70, 18, 7, 5])[0]
                elif r < 0.40:
                    status, group, triage = "explained", "closed_unsolved", "explain"
                    closed = responded = received + rng.uniform(0.2, 3) * day
                elif r < 0.85:
                    triage, status = "assign", "in_progress"
                    responded = received + rng.uniform(0.1, 3.5) * day
                    if rng.random() < 0.85:
                        closed = received + rng.uniform(2, limit * 1.4) * day
                        unsolved = rng.random() < 0.06
                        status, group = ("closed_unsolved", "closed_unsolved") if unsolved else \
                            ("closed_solved", "solved")
                        sat = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [75, 17, 8])[0]
                        visits.append((i, w.when(closed - dt.timedelta(hours=2)), True, sat, ""))
                elif r < 0.95:
                    status, triage = "escalated", "escalate"
                    responded = received + rng.uniform(0.1, 2) * day
                    level = max_level = "county" if rng.random() < 0.3 else "township"
                    events.append((i, region, "escalate", "registered", "escalated", "township",
                                   w.when(received + day), "{}", "上报"))
                    if level == "county":
                        events.append((i, region, "escalate", "escalated", "escalated", "county",
                                       w.when(received + 3 * day), "{}", "上报"))
                    due = None
                yield (i, None, f"B{i:09d}", kind, status, group, level, max_level, region, household, "visit",
                       cat_ids[rng.randrange(15)] if rng.random() < 0.9 else None, "normal", "normal", "诉求",
                       "内容", False, w.when(received), triage, "", "", w.when(response_due), w.when(responded),
                       w.when(due), False, "", w.when(closed),
                       (closed <= due) if (closed and due) else None, sat, 0, 0, "", "", False, "{}", None, 1,
                       w.when(closed or received), "")

        w.insert("appeals_appeal", APPEAL_COLUMNS, appeals())
        w.insert("appeals_appealevent", ["appeal_id", "region_id", "action", "from_status", "to_status", "level",
                                         "at", "payload", "reason"], iter(events))
        w.insert("appeals_returnvisit", ["appeal_id", "at", "reached", "satisfaction", "note"], iter(visits))
    if w.pg:
        with connection.cursor() as cur:
            cur.execute("SELECT setval(pg_get_serial_sequence('appeals_appeal', 'id'), %s)", [n])
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


# ---------------------------------------------------------------------------------------------
# The same figures as raw SQL


def raw_summary(code: str, start: dt.date, end: dt.date, basic_weight: float = 1.0) -> dict:
    from django.db import connection

    from minqing.appeals import metric_rows, metrics
    from minqing.lib import regioncode

    ops = connection.ops
    low, high = metrics.bounds(start, end)
    lo_code, hi_code = regioncode.subtree_range(code)
    p_low, p_high = ops.adapt_datetimefield_value(low), ops.adapt_datetimefield_value(high)
    # Same plan choice as metrics._wide: on SQLite a county-wide range must not pick the region index.
    place = "+a.region_id" if metric_rows._wide(regioncode.normalize(code)) else "a.region_id"
    base = f"{place} BETWEEN %s AND %s AND a.deleted_at IS NULL AND a.\"group\" <> 'merged'"
    scope = [lo_code, hi_code]
    closed_groups = "('solved', 'closed_unsolved')"
    out: dict = {}
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT COUNT(*),
              SUM(CASE WHEN a.responded_at IS NOT NULL AND (a.response_due_at IS NULL
                       OR a.responded_at <= a.response_due_at) THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'solve_on_spot' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'assign' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'assign' AND a."group" IN {closed_groups} AND a.closed_at < %s
                  THEN 1 ELSE 0 END),
              SUM(CASE WHEN e.x = 1 AND a.max_level IN ('township', 'county') THEN 1 ELSE 0 END),
              SUM(CASE WHEN e.x = 1 AND a.max_level = 'county' THEN 1 ELSE 0 END),
              COUNT(DISTINCT a.household_id),
              COUNT(DISTINCT CASE WHEN e.x = 1 AND a.max_level IN ('township', 'county') THEN a.household_id END),
              COUNT(DISTINCT CASE WHEN e.x = 1 AND a.max_level = 'county' THEN a.household_id END)
            FROM appeals_appeal a
            LEFT JOIN (SELECT DISTINCT appeal_id, 1 AS x FROM appeals_appealevent WHERE action = 'escalate') e
              ON e.appeal_id = a.id
            WHERE {base} AND a.received_at >= %s AND a.received_at < %s""", [p_high, *scope, p_low, p_high])
        (out["received"], out["responded"], out["on_spot"], out["assigned"], out["assigned_done"],
         out["to_township"], out["to_county"], out["found_households"], out["to_township_households"],
         out["to_county_households"]) = [v or 0 for v in cur.fetchone()]
        cur.execute(f"""
            SELECT COUNT(*),
              SUM(CASE WHEN a."group" IN {closed_groups} AND a.closed_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN a."group" IN {closed_groups} AND a.closed_at < %s AND a.closed_at <= a.due_at
                  THEN 1 ELSE 0 END)
            FROM appeals_appeal a
            WHERE {base} AND ((a.due_at >= %s AND a.due_at < %s) OR (a.due_at >= %s AND a.closed_at >= %s
                  AND a.closed_at < %s AND a."group" IN {closed_groups}))""",
                    [p_high, p_high, *scope, p_low, p_high, p_high, p_low, p_high])
        out["due"], out["closed_due"], out["on_time"] = [v or 0 for v in cur.fetchone()]
        cur.execute(f"""
            SELECT COUNT(*), SUM(CASE WHEN a."group" = 'solved' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.status = 'explained' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.status = 'closed_unsolved' THEN 1 ELSE 0 END)
            FROM appeals_appeal a
            WHERE {base} AND a."group" IN {closed_groups} AND a.closed_at >= %s AND a.closed_at < %s""",
                    [*scope, p_low, p_high])
        out["closed"], out["solved"], out["explained"], out["closed_unsolved"] = [v or 0 for v in cur.fetchone()]
        cur.execute(f"""
            SELECT SUM(s), SUM(b), SUM(u) FROM (
              SELECT SUM(CASE WHEN v.satisfaction = 'satisfied' THEN 1 ELSE 0 END) s,
                     SUM(CASE WHEN v.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END) b,
                     SUM(CASE WHEN v.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END) u
              FROM appeals_returnvisit v JOIN appeals_appeal a ON a.id = v.appeal_id
              WHERE {base} AND v.at >= %s AND v.at < %s
                AND v.satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')
              UNION ALL
              SELECT SUM(CASE WHEN a.satisfaction = 'satisfied' THEN 1 ELSE 0 END),
                     SUM(CASE WHEN a.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END),
                     SUM(CASE WHEN a.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END)
              FROM appeals_appeal a
              WHERE {base} AND a.status = 'solved_on_spot' AND a.closed_at >= %s AND a.closed_at < %s
                AND a.satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')
                AND NOT EXISTS (SELECT 1 FROM appeals_returnvisit v2 WHERE v2.appeal_id = a.id)) t""",
                    [*scope, p_low, p_high, *scope, p_low, p_high])
        out["satisfied"], out["basic"], out["unsatisfied"] = [v or 0 for v in cur.fetchone()]

        def backlog(moment: dt.datetime) -> int:
            m = ops.adapt_datetimefield_value(moment)
            lim = ops.adapt_datetimefield_value(moment - dt.timedelta(days=metrics.PETITION_LIMIT_DAYS))
            cur.execute(f"""
                SELECT COUNT(*) FROM appeals_appeal a
                WHERE {base} AND a.kind = 'petition' AND a.received_at < %s
                  AND (a.closed_at IS NULL OR a.closed_at >= %s)
                  AND (a.due_at < %s OR (a.due_at IS NULL AND a.received_at < %s))""", [*scope, m, m, m, lim])
            return cur.fetchone()[0]

        out["backlog"] = backlog(high)
        try:
            year_end = end.replace(year=end.year - 1)
        except ValueError:
            year_end = end.replace(year=end.year - 1, day=28)
        out["backlog_year_before"] = backlog(metrics.bounds(year_end, year_end)[1])
        cur.execute(f"""
            SELECT COALESCE(c.name, '未分类'), COUNT(*) FROM appeals_appeal a
            LEFT JOIN appeals_category c ON c.id = a.category_id
            WHERE {base} AND a.received_at >= %s AND a.received_at < %s GROUP BY 1""", [*scope, p_low, p_high])
        out["by_category"] = dict(cur.fetchall())
        cur.execute(f"""
            SELECT a."group", COUNT(*) FROM appeals_appeal a
            WHERE {base} AND a.received_at >= %s AND a.received_at < %s GROUP BY 1""", [*scope, p_low, p_high])
        out["by_group"] = dict(cur.fetchall())
    return out


def orm_figures(s) -> dict:
    """The ORM summary in the raw dict's shape, to check both give the same numbers."""
    return {
        "received": s.received, "responded": s.response.numerator, "on_spot": s.on_spot, "assigned": s.assigned,
        "assigned_done": s.assigned_done, "to_township": s.funnel.to_township, "to_county": s.funnel.to_county,
        "found_households": s.funnel.found_households, "to_township_households": s.funnel.to_township_households,
        "to_county_households": s.funnel.to_county_households, "due": s.closure.denominator,
        "closed_due": s.closure.numerator, "on_time": s.on_time.numerator, "closed": s.resolution.denominator,
        "solved": s.resolution.numerator, "explained": s.explained, "closed_unsolved": s.closed_unsolved,
        "satisfied": s.satisfaction_counts["satisfied"], "basic": s.satisfaction_counts["basic"],
        "unsatisfied": s.satisfaction_counts["unsatisfied"], "backlog": s.backlog.at_end,
        "backlog_year_before": s.backlog.year_before, "by_category": s.by_category,
        "by_group": {k: v for k, v in s.by_group.items() if v},
    }


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL database minqing_bench on 127.0.0.1")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.pg:
        _ensure_pg_database()
        os.environ["DATABASE_URL"] = PG_URL
    # Migrate without dropping: the data is reused when it is already there.
    url = django_for("metrics", fresh=False)
    from django.db import connection

    from minqing.appeals import metrics
    from minqing.appeals.models import Appeal

    have = Appeal.objects.count()
    marker_ok = have == args.appeals and Appeal.objects.filter(number=f"B{args.appeals:09d}").exists()
    if args.rebuild or not marker_ok:
        print(f"building {args.appeals:,} appeals on {connection.vendor} …", flush=True)
        t0 = time.perf_counter()
        build(args.appeals)
        print(f"load: {time.perf_counter() - t0:.1f} s", flush=True)
        # The dashboards read whole months from the roll-ups (decision 0055): fill them as `minqing
        # upgrade` would, so the ORM figures below are the product's and the data is ready for the pages.
        from minqing.appeals import rollup_store

        t0 = time.perf_counter()
        rollup_store.rebuild()
        print(f"rollup rebuild: {time.perf_counter() - t0:.1f} s", flush=True)
    else:
        print(f"reusing {have:,} appeals on {connection.vendor}")
    from minqing.appeals.models import AppealEvent, ReturnVisit

    print(f"database: {url.split('@')[-1]}  appeals={Appeal.objects.count():,} "
          f"events={AppealEvent.objects.count():,} return_visits={ReturnVisit.objects.count():,}")
    cases = [
        ("county 511722, month 2024-05", "511722", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
        ("township 511722104, month 2024-05", "511722104", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
        ("county 511722, year 2024", "511722", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("township 511722104, year 2024", "511722104", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ]
    print(f"\n{'query':38} {'ORM s':>8} {'raw s':>8} {'ORM/raw':>8}  received  on-time")
    for label, code, start, end in cases:
        metrics.county_summary(code, start, end)  # warm the page cache
        t_orm, summary = timed(lambda c=code, s=start, e=end: metrics.county_summary(c, s, e), args.repeat)
        t_raw, raw = timed(lambda c=code, s=start, e=end: raw_summary(c, s, e), args.repeat)
        same = orm_figures(summary) == raw
        print(f"{label:38} {t_orm:8.3f} {t_raw:8.3f} {t_orm / t_raw:8.2f}  {summary.received:8,}  "
              f"{summary.on_time}{'' if same else '  (MISMATCH)'}")
        if not same:
            o = orm_figures(summary)
            print("   differs:", {k: (o[k], raw.get(k)) for k in o if o[k] != raw.get(k)})


if __name__ == "__main__":
    main()
