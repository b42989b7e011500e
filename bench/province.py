"""Ten counties on one PostgreSQL: a county's list and dashboard figures next to the same on a
database holding that county alone, side by side in one run (docs/scale.md).

    .venv/bin/python bench/province.py --appeals 100000      # 10 × 100 000 appeals
    .venv/bin/python bench/province.py --appeals 100000 --reuse

Three databases on 127.0.0.1:5432, made here and dropped with --drop:
  scale21_one   bench/metrics.py's county 511722 with N appeals (its build, seed 2024);
  scale21_ten   the same plus 9 copies of it as counties 511723…511731 (ids, numbers, households and
                region codes shifted; INSERT … SELECT), so every county has the same data;
  scale21_tenp  scale21_ten partitioned by county (minqing/ops/partition.py: appeals, events, audit).
--template DB (province22, 10 × 1 000 000): DB is a built one-county database with its roll-ups
(minqing_bench from `bench/metrics.py --pg`). NAME_one (--name, default province22) is a copy of it;
NAME_ten a copy of NAME_one widened to ten counties *partitioned from the start* — never a plain
ten-county table: regions, households and the roll-ups (appeals_rollup*, shifted; the city's and the
province's pre-sums × 10) copied first, then partition.apply() on the one county's rows, then each
copy county's appeals and events loaded into a table of its own without indexes, indexed like county
511722's partition and attached (a CHECK of its bounds spares the attach its scan). Then the county
leader's pages (dashboard, lists, a case) through Django's test client on the two, alternately:

    nice -n 10 .venv/bin/python bench/province.py --template minqing_bench --repeat 7
    .venv/bin/python bench/province.py --template minqing_bench --reuse --repeat 7

Timed (without --template), alternating between the databases: metrics.county_summary of county 511722 for a month and a
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

    for _attempt in range(150):
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


# ---------------------------------------------------------------------------------------------
# 10 × 1 M: from a built one-county database (minqing_bench), straight to the partitioned ten


def renice_backend(cur, level: int = 10) -> None:
    """The long load is this connection's server process: run it below the other engineers' work."""
    cur.execute("SELECT pg_backend_pid()")
    os.system(f"renice -n {level} -p {cur.fetchone()[0]} >/dev/null 2>&1")


def _max_id(cur, table: str) -> int:
    cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
    return cur.fetchone()[0]


def _deferred_indexes(cur, table: str) -> list[str]:
    """Drop the unique constraints and plain indexes of `table` (not its primary key; the other
    tables' foreign keys need that): the statements that make them again, to run after the load."""
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'", [table])
    uniques = cur.fetchall()
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))",
                [table, table])
    plain = cur.fetchall()
    for name, _ in uniques:
        cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in plain:
        cur.execute(f'DROP INDEX "{name}"')
    return ([f'ALTER TABLE "{table}" ADD CONSTRAINT "{n}" {d}' for n, d in uniques] + [d for _, d in plain])


def _code(col: str, c: str) -> str:
    return f"('{c}' || substr({col}, 7))"


def _in_county(col: str) -> str:
    return f"{col} >= '{COUNTY}000000' AND {col} < '{int(COUNTY) + 1:06d}000000'"


def widen_plain(cur, copies: list[str], off: dict[str, int], tables: tuple[str, ...]) -> None:
    """The copies' rows of the tables that stay plain: regions, households, return visits, roll-ups."""
    for k, c in enumerate(copies if "regions_region" in tables else [], start=1):
        copy_rows(cur, "regions_region", f"code LIKE '{COUNTY}%'",
                  {"code": _code("code", c), "name": f"name || '{k}'",
                   "parent_id": f"CASE WHEN level = 3 THEN parent_id ELSE {_code('parent_id', c)} END"})
    for table, where, exprs in [
        ("households_household", _in_county("region_id"),
         lambda k, c: {"id": f"id + {k * off['hh']}", "region_id": _code("region_id", c)}),
        ("appeals_returnvisit", f"appeal_id <= {off['ap']}",
         lambda k, c: {"id": f"id + {k * off['rv']}", "appeal_id": f"appeal_id + {k * off['ap']}"}),
        ("appeals_rollup", _in_county("region"),
         lambda k, c: {"id": f"id + {k * off['ru']}", "region": _code("region", c)}),
        ("appeals_rollup_household", _in_county("region"),
         lambda k, c: {"id": f"id + {k * off['rh']}", "region": _code("region", c),
                       "household": f"household + {k * off['hh']}"}),
        ("appeals_rollup_up", f"depth >= 3 AND {_in_county('region')}",
         lambda k, c: {"id": f"id + {k * off['rp']}", "region": _code("region", c)}),
    ]:
        if table not in tables:
            continue
        t0 = time.perf_counter()
        again = _deferred_indexes(cur, table)
        for k, c in enumerate(copies, start=1):
            copy_rows(cur, table, where, exprs(k, c))
        for sql in again:
            cur.execute(sql)
        print(f"  {table}: {len(copies)} copies in {time.perf_counter() - t0:.0f} s", flush=True)
    # the city's and the province's pre-sums: every county alike, so ten times one county's counters
    # (households are the counties' own, so the distinct counts add up too)
    if "appeals_rollup_up" in tables:
        cur.execute(f"UPDATE appeals_rollup_up SET n = n * {len(copies) + 1} WHERE depth <= 2")


def widen_partition(cur, table: str, copies: list[str], exprs) -> None:
    """Each copy county's partition loaded as a table of its own without indexes, then indexed like
    the source county's partition and attached (PostgreSQL adopts the matching indexes, and a CHECK
    of the bounds spares the attach its scan). The empty partition made by partition.apply goes."""
    src = f"{table}_p{COUNTY}"
    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')", [src])
    constraints = cur.fetchall()
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)", [src, src])
    indexes = cur.fetchall()
    for k, c in enumerate(copies, start=1):
        t0 = time.perf_counter()
        part = f"{table}_p{c}"
        cur.execute(f'ALTER TABLE "{table}" DETACH PARTITION "{part}"')
        cur.execute(f'DROP TABLE "{part}"')
        cur.execute(f'CREATE TABLE "{part}" (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                    f"INCLUDING STORAGE)")
        cols = columns(cur, src)
        e = exprs(k, c)
        cur.execute(f'INSERT INTO "{part}" ({", ".join(chr(34) + x + chr(34) for x in cols)}) '
                    f'SELECT {", ".join(e.get(x, chr(34) + x + chr(34)) for x in cols)} FROM "{src}"')
        t1 = time.perf_counter()
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE "{part}" ADD CONSTRAINT "{name.replace(src, part)}" {definition}')
        for _name, sql in indexes:
            cur.execute(sql.replace(src, part))
        low, high = f"{c}000000", f"{int(c) + 1:06d}000000"
        cur.execute(f'ALTER TABLE "{part}" ADD CONSTRAINT bounds CHECK (region_id IS NOT NULL AND '
                    f"region_id >= '{low}' AND region_id < '{high}')")
        cur.execute(f'ALTER TABLE "{table}" ATTACH PARTITION "{part}" '
                    f"FOR VALUES FROM ('{low}') TO ('{high}')")
        cur.execute(f'ALTER TABLE "{part}" DROP CONSTRAINT bounds')
        print(f"  {part}: load {t1 - t0:.0f} s, index + attach {time.perf_counter() - t1:.0f} s", flush=True)


ROLLUPS = ("appeals_rollup", "appeals_rollup_household", "appeals_rollup_up")


def _offsets(cur) -> dict[str, int]:
    """Id offsets of a copy: the one county's largest ids (its rows are those of county 511722)."""
    def top(table: str, col: str = "region_id") -> int:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table} WHERE {_in_county(col)}")
        return cur.fetchone()[0]

    off = {"hh": top("households_household"), "ap": top("appeals_appeal"), "ev": top("appeals_appealevent")}
    cur.execute(f"SELECT coalesce(max(id), 0) FROM appeals_returnvisit WHERE appeal_id <= {off['ap']}")
    return {**off, "rv": cur.fetchone()[0], "ru": top("appeals_rollup", "region"),
            "rh": top("appeals_rollup_household", "region"), "rp": top("appeals_rollup_up", "region")}


def _dump(source: str, target: str, args: str) -> None:
    t0 = time.perf_counter()
    rc = os.system(f"pg_dump -h 127.0.0.1 -U root -Fc -Z 0 {args} {source} | "
                   f"nice -n 10 pg_restore -h 127.0.0.1 -U root --no-owner -d {target}")
    if rc:
        raise RuntimeError(f"pg_dump {source} | pg_restore {target}: exit {rc}")
    print(f"{target}: restored from {source} ({args or 'everything'}) in {time.perf_counter() - t0:.0f} s", flush=True)


def build_from_template(template: str, one: str, ten: str, stage: str = "all") -> None:
    """`one` = a copy of `template` (a built county 511722 with its roll-ups); `ten` = the same plus
    9 shifted copies (counties 511723…511731), partitioned by county (minqing/ops/partition.py) and
    loaded into the partitions directly — never a plain ten-county table.

    stage "all": both from the template. "appeals": only `ten` without roll-ups, from a pg_dump of
    the template's committed rows (the template may still be in use, e.g. its roll-ups being rebuilt).
    "rollups": then `one` from the template and `ten`'s roll-ups from `one`, shifted."""
    if stage in ("all", "appeals"):
        admin(f"DROP DATABASE IF EXISTS {ten}")
    if stage in ("all", "rollups"):
        admin(f"DROP DATABASE IF EXISTS {one}")
        admin(f"CREATE DATABASE {one} TEMPLATE {template}")
    if stage == "all":
        admin(f"CREATE DATABASE {ten} TEMPLATE {one}")  # no one else connects to ours
    elif stage == "appeals":
        admin(f"CREATE DATABASE {ten}")
        _dump(template, ten, " ".join(f"--exclude-table-data={t}" for t in ROLLUPS))
    os.environ["DATABASE_URL"] = f"postgresql://root@127.0.0.1:5432/{ten}"
    from _setup import django_for

    django_for("province", fresh=False)
    from django.db import connection, transaction

    from minqing.ops import partition

    t00 = time.perf_counter()
    if stage == "rollups":
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(ROLLUPS)}")
        connection.close()
        _dump(one, ten, "--data-only " + " ".join(f"-t {t}" for t in ROLLUPS))
    with connection.cursor() as cur:
        renice_backend(cur)
        cur.execute("SET maintenance_work_mem = '512MB'")
        off = _offsets(cur)
    tables = {"all": ("regions_region", "households_household", *ROLLUPS),
              "appeals": ("regions_region", "households_household"), "rollups": ROLLUPS}[stage]
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred checks would block ALTER TABLE
        widen_plain(cur, COPIES, off, tables)
    print(f"{ten}: {', '.join(tables)} widened in {time.perf_counter() - t00:.0f} s", flush=True)
    if stage != "rollups":
        t0 = time.perf_counter()
        plan = partition.apply()
        print(f"{ten}: partitioned {', '.join(plan.done)} (county {COUNTY} only) in "
              f"{time.perf_counter() - t0:.0f} s; {len(plan.dropped_fks)} foreign keys to appeals dropped", flush=True)
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        if stage != "rollups":
            with transaction.atomic():
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                widen_partition(cur, "appeals_appeal", COPIES, lambda k, c: {
                    "id": f"id + {k * off['ap']}", "number": f"'C{k}' || substr(number, 2)",
                    "region_id": _code("region_id", c), "household_id": f"household_id + {k * off['hh']}",
                    "merged_into_id": f"merged_into_id + {k * off['ap']}", "source_ref": "NULL"})
            with transaction.atomic():
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                widen_partition(cur, "appeals_appealevent", COPIES, lambda k, c: {
                    "id": f"id + {k * off['ev']}", "appeal_id": f"appeal_id + {k * off['ap']}",
                    "region_id": _code("region_id", c)})
            with transaction.atomic():  # its foreign key to appeals went with the partitioning
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                widen_plain(cur, COPIES, off, ("appeals_returnvisit",))
        for table in ("households_household", "appeals_appeal", "appeals_appealevent", "appeals_returnvisit",
                      *ROLLUPS):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"GREATEST((SELECT max(id) FROM {table}), 1))")
        t0 = time.perf_counter()
        # at the end, VACUUM too: the visibility map of freshly loaded rows (index-only counts) as on a
        # database that has run a while; the one-county copy gets the same
        cur.execute("ANALYZE" if stage == "appeals" else "VACUUM (ANALYZE)")
        print(f"{ten}: {'ANALYZE' if stage == 'appeals' else 'VACUUM (ANALYZE)'} {time.perf_counter() - t0:.0f} s",
              flush=True)
    if stage != "appeals":
        import psycopg

        t0 = time.perf_counter()
        with psycopg.connect(ADMIN.replace("/test", f"/{one}"), autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        print(f"{one}: VACUUM (ANALYZE) {time.perf_counter() - t0:.0f} s", flush=True)
    print(f"{ten}: stage {stage} built in {time.perf_counter() - t00:.0f} s", flush=True)


def list_page(code: str) -> int:
    """A cadre's list: open appeals of the subtree, bounded by the county, newest 25 and the count."""
    from minqing.appeals.models import Appeal
    from minqing.regions.jurisdiction import region_q

    qs = (Appeal.objects.filter(region_q([code]) & region_q([COUNTY]), deleted_at__isnull=True, group="open")
          .order_by("-received_at"))
    list(qs.values("id", "number", "title", "status", "received_at", "region_id")[:25])
    return qs.count()


def _cpu(pid: int) -> float:
    """user + system seconds of a PostgreSQL backend (this machine's /proc)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_pages(dbs: tuple[str, str], repeat: int) -> None:
    """The county leader's pages through Django's test client, one client (and one kept connection)
    per database, alternately; medians of wall time, and per request the mean CPU of the PostgreSQL
    server process (db CPU, /proc) and of this process (py CPU: Django, the same work on both)."""
    from django.db import connection
    from django.test import Client
    from peer import county_leader

    from minqing.appeals.models import Appeal
    from minqing.nlp.models import SearchDoc

    clients, pids = {}, {}
    for d in dbs:
        keep(d)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*), count(DISTINCT substr(region_id, 1, 6)), "
                        "pg_database_size(current_database()) FROM appeals_appeal")
            n, counties, size = cur.fetchone()
            cur.execute("SELECT count(*), count(DISTINCT substr(region, 1, 6)) FROM appeals_rollup")
            ru, ruc = cur.fetchone()
            cur.execute("SELECT count(*) FROM appeals_appealevent")
            ev = cur.fetchone()[0]
            cur.execute("SELECT pg_backend_pid()")
            pids[d] = cur.fetchone()[0]
        print(f"{d:16} appeals {n:>10,}  events {ev:>9,}  counties {counties:>2}  roll-up rows {ru:>10,} "
              f"({ruc} counties)  database {size / 2**30:,.1f} GiB", flush=True)
        clients[d] = Client()
        clients[d].force_login(county_leader())
    keep(dbs[0])
    case = (Appeal.objects.filter(group="open", deleted_at=None)
            .order_by("-received_at", "-id").values_list("id", flat=True)[100])
    docs = SearchDoc.objects.count()
    pages = [
        ("dashboard county, month 2024-05", f"/dashboards/{COUNTY}000000/", {"period": "2024-05"}),
        ("dashboard county, year 2024", f"/dashboards/{COUNTY}000000/", {"period": "2024"}),
        ("dashboard township 511722104, 2024-05", f"/dashboards/{COUNTY}104000/", {"period": "2024-05"}),
        ("list API township 511722104, open", "/api/v1/appeals", {"region": "511722104", "group": "open",
                                                                  "limit": 25}),
        ("list API county, open", "/api/v1/appeals", {"region": COUNTY, "group": "open", "limit": 25}),
        ("list page county, open", "/appeals/", {"group": "open"}),
        (f"case page /appeals/{case}/", f"/appeals/{case}/", {}),
    ]
    if docs:
        pages.append(("search API 内容, county", "/api/v1/appeals", {"q": "内容", "region": COUNTY, "limit": 25}))
    else:
        print("search: nlp_searchdoc is empty on the one-county database (no index built): not timed")
    for d in dbs:  # both server processes at the same priority (the build ran its own at nice 10)
        os.system(f"renice -n 0 -p {pids[d]} >/dev/null 2>&1")
    a, b = dbs
    print(f"\n{'page (county leader)':40} {'one s':>8} {'ten s':>8} {'ten/one':>8} {'db CPU 1':>8} {'db CPU 10':>9}"
          f" {'py CPU 1':>8} {'py CPU 10':>9}  same")
    for label, path, params in pages:
        times: dict[str, list[float]] = {d: [] for d in dbs}
        cpu: dict[str, float] = dict.fromkeys(dbs, 0.0)
        py: dict[str, float] = dict.fromkeys(dbs, 0.0)
        bodies = {}
        for d in dbs:  # warm each database's cache
            keep(d)
            r = clients[d].get(path, params)
            assert r.status_code == 200, (d, path, r.status_code, r.content[:300])
        for _ in range(repeat):
            for d in dbs:
                keep(d)
                c0, p0, t = _cpu(pids[d]), time.process_time(), time.perf_counter()
                r = clients[d].get(path, params)
                times[d].append(time.perf_counter() - t)
                py[d] += time.process_time() - p0
                cpu[d] += _cpu(pids[d]) - c0
                assert r.status_code == 200, (d, path, r.status_code)
                bodies[d] = r.content
        m = {d: statistics.median(times[d]) for d in dbs}
        same = _comparable(bodies[a]) == _comparable(bodies[b])
        print(f"{label:40} {m[a]:8.3f} {m[b]:8.3f} {m[b] / m[a]:8.2f} {cpu[a] / repeat:8.3f} {cpu[b] / repeat:9.3f}"
              f" {py[a] / repeat:8.3f} {py[b] / repeat:9.3f}  {'yes' if same else 'NO'}", flush=True)


def _comparable(body: bytes) -> str:
    """A page without what differs between two renderings anyway (tokens, times, the other counties)."""
    import re

    text = body.decode("utf-8", "replace")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]*|\d\d:\d\d(:\d\d)?", "", text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000, help="appeals per county")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="time the databases made by an earlier run")
    parser.add_argument("--repartition", action="store_true",
                        help="with --reuse: make scale21_tenp again from scale21_ten (partitioning changed)")
    parser.add_argument("--events-by-year", action="store_true", help="events also partitioned by year")
    parser.add_argument("--drop", action="store_true", help="drop the three databases at the end")
    parser.add_argument("--template", help="a built one-county database (e.g. minqing_bench, 1 M appeals with "
                        "its roll-ups): copy it as NAME_one and build NAME_ten from it, partitioned, then time "
                        "the county leader's pages on the two")
    parser.add_argument("--name", default="province22", help="with --template: the databases' prefix")
    parser.add_argument("--stage", choices=("all", "appeals", "rollups"), default="all",
                        help="with --template: all; or the ten's appeals first (from a pg_dump: the template "
                        "may still be busy), then its roll-ups (and the one) once the template is done")
    parser.add_argument("--no-time", action="store_true", help="build only")
    args = parser.parse_args()
    os.environ.setdefault("MINQING_STATEMENT_TIMEOUT", "0")
    if args.template:
        one, ten = f"{args.name}_one", f"{args.name}_ten"
        if args.reuse and exists(one) and exists(ten):
            os.environ["DATABASE_URL"] = f"postgresql://root@127.0.0.1:5432/{one}"
            from _setup import django_for

            django_for("province", fresh=False)
        else:
            build_from_template(args.template, one, ten, args.stage)
        if args.no_time or args.stage == "appeals":
            return
        from django.db import connection

        connection.close()
        time_pages((one, ten), args.repeat)
        for wrapper in _kept.values():
            wrapper.close()
        if args.drop:
            for name in (one, ten):
                admin(f"DROP DATABASE IF EXISTS {name}")
        return
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
