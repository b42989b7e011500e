"""Field-work figures at county scale: 300 000 households, 5 000 000 visits (two years), a paired cadre
per household. Times minqing.fieldwork.metrics.coverage and the paired-visit quota (Django ORM, as the
API and the dashboards call them) next to the same figures written by hand as raw SQL on the same
database, and a village cadre's plan (plans.due_for).

    .venv/bin/python bench/fieldwork.py                       # SQLite: var/bench/fieldwork.sqlite3
    DATABASE_URL=postgresql://root@127.0.0.1:5432/minqing_fw .venv/bin/python bench/fieldwork.py
    .venv/bin/python bench/fieldwork.py --households 30000 --visits 500000    # a quicker run

The database is built once and reused while it holds the requested numbers (--rebuild forces it).
There is no django-helpdesk figure here: a helpdesk has no households or visits to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
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
TOWNSHIPS, VILLAGES = 37, 10
END = dt.datetime(2025, 1, 1, tzinfo=TZ)
START = END - dt.timedelta(days=730)


def township_code(t: int) -> str:
    return f"511722{101 + t:03d}000"


def village_code(t: int, v: int) -> str:
    return f"511722{101 + t:03d}{201 + v:03d}"


def reset() -> None:
    """An empty, migrated database (django_for(fresh=True) only works before Django holds a connection)."""
    from pathlib import Path

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    else:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", interactive=False, verbosity=0)


def build(households: int, visits: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from minqing.accounts.models import Pairing, Post, Unit, User
    from minqing.demo.bulk import insert_rows
    from minqing.fieldwork.models import QuotaRule, Visit
    from minqing.households.models import Household
    from minqing.regions.models import Region

    rng = random.Random(2024)
    villages = [(t, v) for t in range(TOWNSHIPS) for v in range(VILLAGES)]
    per_village = households // len(villages)
    started = time.perf_counter()
    with transaction.atomic():
        Region.objects.bulk_create([
            Region(code="510000000000", name="四川省", level=1),
            Region(code="511700000000", name="达州市", level=2, parent_id="510000000000"),
            Region(code=COUNTY, name="宣汉县", level=3, parent_id="511700000000"),
        ])
        Region.objects.bulk_create([Region(code=township_code(t), name=f"乡镇{t + 1}", level=4, parent_id=COUNTY)
                                    for t in range(TOWNSHIPS)])
        Region.objects.bulk_create([Region(code=village_code(t, v), name=f"乡镇{t + 1}村{v + 1}", level=5,
                                           parent_id=township_code(t)) for t, v in villages])
        password = make_password("bench")
        users, posts = [], []
        for t, v in villages:
            unit = Unit.objects.create(name=f"村委会{t}-{v}", kind="village_committee", region_id=village_code(t, v))
            for k in range(2):
                users.append(User(username=f"c{t}-{v}-{k}", password=password))
                posts.append((unit, village_code(t, v)))
        User.objects.bulk_create(users, batch_size=2000)
        users = list(User.objects.filter(username__startswith="c").order_by("pk"))
        since = dt.date(2020, 1, 1)
        Post.objects.bulk_create([Post(user=u, unit=unit, role="village_secretary", region_id=code, started_on=since)
                                  for u, (unit, code) in zip(users, posts, strict=True)])
        created = START - dt.timedelta(days=30)
        insert_rows(Household, ["id", "region", "number", "head_name", "address", "note", "created_at",
                                "updated_at", "version"],
                    ((1 + i * per_village + k, village_code(t, v), f"{k:04d}", "户主", "地址", "", created, created, 1)
                     for i, (t, v) in enumerate(villages) for k in range(per_village)))
        insert_rows(Pairing, ["cadre", "region", "household", "started_on"],
                    ((users[2 * i + k % 2].pk, village_code(t, v), 1 + i * per_village + k, dt.date(2020, 1, 1))
                     for i, (t, v) in enumerate(villages) for k in range(per_village)))
        QuotaRule.objects.create(region_id=COUNTY, code="paired_monthly", name="包联户每月走访",
                                 roles=["village_secretary"], measure="paired_visits", target=1, period="month")
        span = (END - START).total_seconds()

        def rows():
            for n in range(1, visits + 1):
                i = rng.randrange(len(villages))
                t, v = villages[i]
                k = rng.randrange(per_village)
                at = START + dt.timedelta(seconds=rng.random() * span)
                yield (n, 1 + i * per_village + k, village_code(t, v), users[2 * i + k % 2].pk, at, "走访", "[]", "[]",
                       False, "", at, at, 1)

        insert_rows(Visit, ["id", "household", "region", "visitor", "visited_at", "note", "tags_added", "tags_removed",
                            "problems_found", "device", "created_at", "updated_at", "version"], rows(), batch=20000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"built {households} households, {visits} visits in {time.perf_counter() - started:.0f} s", flush=True)


RAW_COVERAGE = """
SELECT h.region_id,
       COUNT(*) AS households,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM fieldwork_visit v WHERE v.household_id = h.id AND v.deleted_at IS NULL
                                AND v.visited_at >= %s AND v.visited_at < %s) THEN 1 ELSE 0 END) AS visited
FROM households_household h
WHERE h.region_id >= %s AND h.region_id <= %s AND h.created_at < %s AND (h.deleted_at IS NULL OR h.deleted_at >= %s)
GROUP BY h.region_id
"""

RAW_PAIRED = """
SELECT p.cadre_id, COUNT(DISTINCT p.household_id) AS required,
       COUNT(DISTINCT CASE WHEN v.id IS NOT NULL THEN p.household_id END) AS done
FROM accounts_pairing p
JOIN households_household h ON h.id = p.household_id AND h.deleted_at IS NULL
LEFT JOIN fieldwork_visit v ON v.household_id = p.household_id AND v.visitor_id = p.cadre_id
     AND v.deleted_at IS NULL AND v.visited_at >= %s AND v.visited_at < %s
WHERE p.region_id >= %s AND p.region_id <= %s
GROUP BY p.cadre_id
"""


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=300_000)
    ap.add_argument("--visits", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    url = django_for("fieldwork", fresh=False)
    from django.db import connection
    from django.utils import timezone

    from minqing.accounts.models import User
    from minqing.fieldwork import metrics, plans
    from minqing.fieldwork.models import Visit
    from minqing.lib import regioncode

    if args.rebuild or Visit.objects.count() != args.visits:
        reset()
        build(args.households, args.visits)
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), {Visit.objects.count()} visits")

    def bounds(start: dt.date, end: dt.date):
        low = timezone.make_aware(dt.datetime.combine(start, dt.time()))
        return low, timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time()))

    def raw(sql: str, params: list) -> list:
        adapt = connection.ops.adapt_datetimefield_value  # stored text on SQLite, timestamptz on PostgreSQL
        params = [adapt(p) if isinstance(p, dt.datetime) else p for p in params]
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    cases = [("county, one month", COUNTY, dt.date(2024, 10, 1), dt.date(2024, 10, 31)),
             ("county, one year", COUNTY, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
             ("township, one month", township_code(0), dt.date(2024, 10, 1), dt.date(2024, 10, 31))]
    print(f"{'figure':40} {'ORM s':>8} {'raw SQL s':>10} {'ORM/raw':>8}")
    for label, code, start, end in cases:
        low, high = bounds(start, end)
        lo, hi = regioncode.subtree_range(code)
        t_orm, cov = timed(functools.partial(metrics.coverage, code, start, end), args.repeat)
        t_raw, rows = timed(functools.partial(raw, RAW_COVERAGE, [low, high, lo, hi, high, low]), args.repeat)
        assert cov["households"] == sum(r[1] for r in rows) and cov["visited"] == sum(r[2] for r in rows), label
        print(f"{'coverage, ' + label:40} {t_orm:8.2f} {t_raw:10.2f} {t_orm / t_raw:8.2f}"
              f"   ({cov['visited']}/{cov['households']} households)")
    for label, code in (("county", COUNTY), ("township", township_code(0))):
        start, end = dt.date(2024, 10, 1), dt.date(2024, 10, 31)
        low, high = bounds(start, end)
        lo, hi = regioncode.subtree_range(code)
        t_orm, report = timed(functools.partial(metrics.quota_report, code, start, end), args.repeat)
        t_raw, rows = timed(functools.partial(raw, RAW_PAIRED, [low, high, lo, hi]), args.repeat)
        paired = [r for r in report if r["required"]]
        assert sum(r["done"] for r in paired) == sum(r[2] for r in rows), label
        print(f"{'paired-visit quota, ' + label + ', one month':40} {t_orm:8.2f} {t_raw:10.2f} {t_orm / t_raw:8.2f}"
              f"   ({len(paired)} cadres)")
    cadre = User.objects.filter(username="c0-0-0").first()
    t_plan, due = timed(lambda: plans.due_for(cadre, dt.date(2024, 12, 31)), args.repeat)
    print(f"{'a village cadre plan (due_for)':40} {t_plan:8.2f} {'':>10} {'':>8}   ({len(due)} households due)")


if __name__ == "__main__":
    main()
