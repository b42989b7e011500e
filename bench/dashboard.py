"""Cost of a leader's dashboard (/dashboards/<code>/) at 1 000 000 appeals: the whole Dashboard object
(minqing.dashboards.figures.build, as a county leader) for the county and a township, a month and a
year, next to the same figures written by hand as raw SQL on the same database (the same queries and
plan choices as the ORM's: the ratio is the ORM's cost); SQL statements per dashboard and seconds per
section; and, with --before, the dashboard built the way it was before the grouped metric variants
(county_summary, then the metric functions once per child place and per month) — with today's metric
functions and indexes, so it isolates the grouping; bench/RESULTS.md keeps the run made before any
of these changes.

    .venv/bin/python bench/dashboard.py                   # SQLite: var/bench/metrics.sqlite3
    .venv/bin/python bench/dashboard.py --pg              # PostgreSQL database minqing_bench
    .venv/bin/python bench/dashboard.py --before --repeat 3 --explain --cases 1,2

The database is the one bench/metrics.py builds (`bench/metrics.py --appeals 1000000 [--pg]`); this
script never builds or changes appeals (it applies migrations, as every bench does, and creates the
county leader of bench/peer.py idempotently). Each run checks
that the dashboard's figures, its drill-down rows and its trend equal the raw SQL's, and that the
"before" way gives the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _setup import REPO, django_for  # noqa: E402

PG_URL = "postgresql://root@127.0.0.1:5432/minqing_bench"
COUNTY, TOWNSHIP = "511722000000", "511722104000"
CASES = [("county, month 2024-05", COUNTY, "2024-05"), ("township, month 2024-05", TOWNSHIP, "2024-05"),
         ("county, year 2024", COUNTY, "2024"), ("township, year 2024", TOWNSHIP, "2024")]


# ---------------------------------------------------------------------------------------------
# The same figures by hand: the queries the ORM sends, written as SQL, with the same plan choices
# (on SQLite: no index for county-wide region ranges, deleted_at, group and status, nor for the
# dates of a county-wide period over 93 days where no covering index serves — metrics._wide,
# _alive, _status, _unindexed_dates). So build/raw measures the ORM, not a different plan.

CLOSED = "('solved', 'closed_unsolved')"
ANSWERS = "('satisfied', 'basically_satisfied', 'unsatisfied')"


class Raw:
    def __init__(self, code: str, start: dt.date, end: dt.date) -> None:
        from django.db import connection

        from minqing.appeals import metric_rows, metrics
        from minqing.lib import regioncode

        self.connection = connection
        self.metrics = metrics
        self.code = regioncode.normalize(code)
        sqlite = connection.vendor == "sqlite"
        self.low, self.high = metrics.bounds(start, end)
        self.p = "+" if sqlite else ""  # deleted_at, group, status: never an index (SQLite)
        self.d = "+" if metric_rows._unindexed_dates(self.code, self.low, self.high) else ""
        lo, hi = regioncode.subtree_range(self.code)
        place = "+a.region_id" if metric_rows._wide(self.code) else "a.region_id"
        self.base = f"{place} BETWEEN %s AND %s AND {self.p}a.deleted_at IS NULL AND a.\"group\" <> 'merged'"
        self.scope = [lo, hi]
        level = regioncode.level_of(self.code)
        self.key = f"substr(a.region_id, 1, {regioncode.PREFIX_LEN[level + 1]})" if level < 5 else "a.region_id"

    def at(self, moment: dt.datetime):
        return self.connection.ops.adapt_datetimefield_value(moment)

    def rows(self, sql: str, params: list) -> list[tuple]:
        with self.connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def grouped(self, sql: str, params: list, names: tuple[str, ...]) -> tuple[dict, dict]:
        """Per prefix, and over every group (the place's own figure)."""
        per = {k: dict(zip(names, (v or 0 for v in values), strict=True)) for k, *values in self.rows(sql, params)}
        return per, {n: sum(r[n] for r in per.values()) for n in names}

    def dashboard(self, months: list[tuple[dt.date, dt.date]]) -> dict:
        low, high = self.at(self.low), self.at(self.high)
        base, scope, key, p, d = self.base, self.scope, self.key, self.p, self.d
        out: dict = {}
        r = self.rows(f"""
            SELECT COUNT(*),
              SUM(CASE WHEN a.responded_at IS NOT NULL AND (a.response_due_at IS NULL
                       OR a.responded_at <= a.response_due_at) THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'solve_on_spot' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'assign' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.triage = 'assign' AND a."group" IN {CLOSED} AND a.closed_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.max_level IN ('township', 'county') AND e.x = 1 THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.max_level = 'county' AND e.x = 1 THEN 1 ELSE 0 END),
              COUNT(DISTINCT a.household_id),
              COUNT(DISTINCT CASE WHEN a.max_level IN ('township', 'county') AND e.x = 1 THEN a.household_id END),
              COUNT(DISTINCT CASE WHEN a.max_level = 'county' AND e.x = 1 THEN a.household_id END)
            FROM appeals_appeal a
            LEFT JOIN (SELECT DISTINCT appeal_id, 1 AS x FROM appeals_appealevent WHERE action = 'escalate') e
              ON e.appeal_id = a.id
            WHERE {base} AND {d}a.received_at >= %s AND {d}a.received_at < %s""", [high, *scope, low, high])[0]
        for name, v in zip(("received", "responded", "on_spot", "assigned", "assigned_done", "to_township",
                            "to_county", "found_households", "to_township_households", "to_county_households"),
                           r, strict=True):
            out[name] = v or 0
        received, _t = self.grouped(
            f"SELECT {key}, COUNT(*) FROM appeals_appeal a WHERE {base} AND a.received_at >= %s"
            " AND a.received_at < %s GROUP BY 1", [*scope, low, high], ("received",))
        due, t = self.grouped(f"""
            SELECT {key}, COUNT(*), SUM(CASE WHEN a."group" IN {CLOSED} AND a.closed_at < %s THEN 1 ELSE 0 END),
              SUM(CASE WHEN a."group" IN {CLOSED} AND a.closed_at < %s AND a.closed_at <= a.due_at THEN 1 ELSE 0 END)
            FROM appeals_appeal a WHERE {base} AND (({d}a.due_at >= %s AND {d}a.due_at < %s) OR ({d}a.due_at >= %s
              AND {d}a.closed_at >= %s AND {d}a.closed_at < %s AND {p}a."group" IN {CLOSED})) GROUP BY 1""",
            [high, high, *scope, low, high, high, low, high], ("due", "closed_due", "on_time"))
        out.update(t)
        closed, t = self.grouped(f"""
            SELECT {key}, COUNT(*), SUM(CASE WHEN a."group" = 'solved' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.status = 'explained' THEN 1 ELSE 0 END),
              SUM(CASE WHEN a.status = 'closed_unsolved' THEN 1 ELSE 0 END)
            FROM appeals_appeal a WHERE {base} AND {p}a."group" IN {CLOSED} AND a.closed_at >= %s
              AND a.closed_at < %s GROUP BY 1""", [*scope, low, high], ("closed", "solved", "explained",
                                                                        "closed_unsolved"))
        out.update(t)
        answers, t = self.grouped(f"""
            SELECT k, SUM(s), SUM(b), SUM(u) FROM (
              SELECT {key} k, SUM(CASE WHEN v.satisfaction = 'satisfied' THEN 1 ELSE 0 END) s,
                     SUM(CASE WHEN v.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END) b,
                     SUM(CASE WHEN v.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END) u
              FROM appeals_returnvisit v JOIN appeals_appeal a ON a.id = v.appeal_id
              WHERE {base} AND v.at >= %s AND v.at < %s AND v.satisfaction IN {ANSWERS} GROUP BY 1
              UNION ALL
              SELECT {key}, SUM(CASE WHEN a.satisfaction = 'satisfied' THEN 1 ELSE 0 END),
                     SUM(CASE WHEN a.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END),
                     SUM(CASE WHEN a.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END)
              FROM appeals_appeal a
              WHERE {base} AND {p}a.status = 'solved_on_spot' AND {d}a.closed_at >= %s AND {d}a.closed_at < %s
                AND a.satisfaction IN {ANSWERS}
                AND NOT EXISTS (SELECT 1 FROM appeals_returnvisit v2 WHERE v2.appeal_id = a.id) GROUP BY 1) t
            GROUP BY k""", [*scope, low, high, *scope, low, high], ("satisfied", "basic", "unsatisfied"))
        out.update(t)

        def backlog(moment: dt.datetime, grouped: bool):
            m = self.at(moment)
            lim = self.at(moment - dt.timedelta(days=self.metrics.PETITION_LIMIT_DAYS))
            where = f"""FROM appeals_appeal a WHERE {base} AND a.kind = 'petition' AND a.received_at < %s
                  AND (a.closed_at IS NULL OR a.closed_at >= %s)
                  AND (a.due_at < %s OR (a.due_at IS NULL AND a.received_at < %s))"""
            if grouped:
                return self.grouped(f"SELECT {key}, COUNT(*) {where} GROUP BY 1", [*scope, m, m, m, lim], ("n",))
            return self.rows(f"SELECT COUNT(*) {where}", [*scope, m, m, m, lim])[0][0]

        back, t = backlog(self.high, True)
        out["backlog"] = t["n"]
        year_end = self.metrics._year_before((self.high - dt.timedelta(days=1)).date())
        out["backlog_year_before"] = backlog(self.metrics.bounds(year_end, year_end)[1], False)
        out["by_category"] = dict(self.rows(f"""
            SELECT COALESCE(c.name, '未分类'), COUNT(*) FROM appeals_appeal a
            LEFT JOIN appeals_category c ON c.id = a.category_id
            WHERE {base} AND a.received_at >= %s AND a.received_at < %s GROUP BY 1""", [*scope, low, high]))
        out["by_group"] = dict(self.rows(f"""
            SELECT a."group", COUNT(*) FROM appeals_appeal a
            WHERE {base} AND a.received_at >= %s AND a.received_at < %s GROUP BY 1""", [*scope, low, high]))
        children = {k: {**received.get(k, {}), **due.get(k, {}), **closed.get(k, {}), **answers.get(k, {}),
                        "backlog": back.get(k, {}).get("n", 0)}
                    for k in set(received) | set(due) | set(closed) | set(answers) | set(back)}
        return {"summary": out, "children": children, "trend": self.trend(months)}

    def trend(self, months: list[tuple[dt.date, dt.date]]) -> list[tuple[int, int, int]]:
        """(received, closed, solved) per month, one GROUP BY on a CASE of month bounds each."""
        edges = [tuple(self.at(x) for x in self.metrics.bounds(s, e)) for s, e in months]
        out = [[0, 0, 0] for _ in months]

        def case(column: str) -> tuple[str, list]:
            whens = " ".join(f"WHEN {column} >= %s AND {column} < %s THEN {i}" for i in range(len(edges)))
            return f"CASE {whens} END", [x for e in edges for x in e]

        sql, params = case("a.received_at")
        for i, n in self.rows(f"SELECT {sql}, COUNT(*) FROM appeals_appeal a WHERE {self.base}"
                              " AND a.received_at >= %s AND a.received_at < %s GROUP BY 1",
                              [*params, *self.scope, edges[0][0], edges[-1][1]]):
            if i is not None:
                out[i][0] = n
        sql, params = case("a.closed_at")
        for i, n, solved in self.rows(f"""SELECT {sql}, COUNT(*), SUM(CASE WHEN a."group" = 'solved' THEN 1 ELSE 0 END)
                FROM appeals_appeal a WHERE {self.base} AND {self.p}a."group" IN {CLOSED} AND a.closed_at >= %s
                  AND a.closed_at < %s GROUP BY 1""", [*params, *self.scope, edges[0][0], edges[-1][1]]):
            if i is not None:
                out[i][1], out[i][2] = n, solved or 0
        return [tuple(r) for r in out]


def raw_dashboard(code: str, period) -> dict:
    """Everything the appeal sections of the dashboard show, by hand."""
    return Raw(code, period.start, period.end).dashboard(period.months())


def check(dash, raw: dict) -> list[str]:
    """Where the dashboard and the raw SQL disagree (empty: nowhere)."""
    from metrics import orm_figures

    from minqing.appeals.metrics import Rate
    from minqing.lib import regioncode

    bad = []
    o, r = orm_figures(dash.summary), dict(raw["summary"])
    r["by_group"] = {k: v for k, v in r["by_group"].items() if v}
    if o != r:
        bad.append(f"summary {({k: (o[k], r.get(k)) for k in o if o[k] != r.get(k)})}")
    for row in dash.children:
        c = raw["children"].get(regioncode.prefix(row["code"]), {})
        want = {"received": c.get("received", 0),
                "resolution": Rate(c.get("solved", 0), c.get("closed", 0)).percent,
                "on_time": Rate(c.get("on_time", 0), c.get("due", 0)).percent,
                "satisfaction": Rate(c.get("satisfied", 0) + c.get("basic", 0),
                                     c.get("satisfied", 0) + c.get("basic", 0) + c.get("unsatisfied", 0)).percent,
                "backlog": c.get("backlog", 0)}
        got = {k: row[k] for k in want}
        if got != want:
            bad.append(f"child {row['code']}: {got} != {want}")
    trend = [(m["received"], m["closed"], m["solved"]) for m in dash.trend]
    if trend != raw["trend"]:
        bad.append(f"trend {trend} != {raw['trend']}")
    return bad


# ---------------------------------------------------------------------------------------------
# The way it was: one set of metric calls per child place and per month


def summary_and_children_before(region, period, user):
    """metrics.county_summary, then the five metric functions for each child place in turn."""
    from minqing.appeals import metrics
    from minqing.dashboards.figures import appeal_list_url, cases_url
    from minqing.regions import jurisdiction
    from minqing.regions.models import Region

    summary = metrics.county_summary(region.code, period.start, period.end, user=user)
    scope = jurisdiction.scope_of(user)
    rows = []
    for kid in Region.objects.filter(parent_id=region.code, is_active=True).order_by("code"):
        if user is not None and not scope.sees_figures(kid.code):
            continue
        r = metrics.received(kid.code, period.start, period.end, user=user)
        c = metrics.closed_in_period(kid.code, period.start, period.end, user=user)
        d = metrics.due_for_closure(kid.code, period.start, period.end, user=user)
        s = metrics.satisfaction_rate(kid.code, period.start, period.end, user=user)
        b = metrics.backlog(kid.code, period.start, period.end, user=user)
        rows.append({"code": kid.code, "name": kid.name, "received": r["received"],
                     "received_link": appeal_list_url(kid.code, period),
                     "resolution": metrics.Rate(c["solved"] or 0, c["closed"] or 0).percent,
                     "on_time": metrics.Rate(d["on_time"] or 0, d["due"] or 0).percent,
                     "satisfaction": s.percent, "backlog": b.at_end,
                     "backlog_link": cases_url(kid.code, period, "backlog")})
    return summary, rows


def trend_before(code, period, user):
    from minqing.appeals import metrics
    from minqing.dashboards.figures import appeal_list_url

    rows = []
    for start, end in period.months():
        r = metrics.received(code, start, end, user=user)
        c = metrics.closed_in_period(code, start, end, user=user)
        rows.append({"month": f"{start.year}年{start.month}月", "start": start.isoformat(), "end": end.isoformat(),
                     "received": r["received"], "closed": c["closed"] or 0, "solved": c["solved"] or 0,
                     "link": appeal_list_url(code, None, **{"from": start.isoformat(), "to": end.isoformat()})})
    return rows


class Before:
    """figures.build with the per-place drill-down and the per-month trend put back."""

    def __enter__(self):
        from minqing.dashboards import figures

        self.saved = figures._summary_and_children, figures._trend
        figures._summary_and_children, figures._trend = summary_and_children_before, trend_before

    def __exit__(self, *exc):
        from minqing.dashboards import figures

        figures._summary_and_children, figures._trend = self.saved


# ---------------------------------------------------------------------------------------------
# Timing


class Sections:
    """Seconds spent in each part of one build: the place's summary with the drill-down rows, the trend
    and the other parts (field work, disputes, checklists, liaison: empty tables in this database)."""

    NAMES = {"_summary_and_children": "summary", "_trend": "trend", "_call_optional": "parts",
             "_checklists": "parts", "_liaison": "parts"}

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __enter__(self):
        from minqing.dashboards import figures

        self.saved = []
        for name, section in self.NAMES.items():
            fn = getattr(figures, name)
            self.saved.append((figures, name, fn))
            setattr(figures, name, self._timed(fn, section))
        return self

    def _timed(self, fn, section):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[section] = self.seconds.get(section, 0.0) + time.perf_counter() - t
        return wrapper

    def __exit__(self, *exc):
        for target, name, fn in self.saved:
            setattr(target, name, fn)


def timed(fn, repeat: int) -> tuple[float, object, int, dict[str, float]]:
    """Median seconds of ``repeat`` runs after one warm-up run (which counts the SQL statements), and
    the mean seconds per section over the timed runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    times = []
    with Sections() as sec:
        for _ in range(repeat):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
    return statistics.median(times), result, len(ctx.captured_queries), {
        k: v / max(repeat, 1) for k, v in sec.seconds.items()}


def explain(code: str, period, user) -> None:
    """The plan of each query of the summary, the drill-down and the trend (what the ORM sends)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minqing.dashboards import figures
    from minqing.regions.models import Region

    region = Region.objects.get(code=code)
    with CaptureQueriesContext(connection) as ctx:
        figures._summary_and_children(region, period, user)
        figures._trend(code, period, user)
    for q in ctx.captured_queries:
        sql = q["sql"]
        if "appeals_appeal" not in sql:
            continue
        prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        with connection.cursor() as cur:
            cur.execute(prefix + sql)
            plan = [" ".join(str(x) for x in row[-1:]) for row in cur.fetchall()]
        print(f"  [{float(q['time']):.2f} s] {sql[:150]} …")
        for line in plan:
            print(f"      {line}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", action="store_true", help="PostgreSQL database minqing_bench on 127.0.0.1")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", action="store_true", help="also time the per-place / per-month way")
    ap.add_argument("--before-repeat", type=int, default=1, help="runs of the (slow) before way")
    ap.add_argument("--explain", action="store_true", help="print the plans of the grouped queries")
    ap.add_argument("--cases", default="", help="comma-separated case numbers (1-4) to run, default all")
    ap.add_argument("--no-jit", action="store_true", help="PostgreSQL: SET jit = off for this connection")
    a = ap.parse_args()
    if a.pg:
        os.environ["DATABASE_URL"] = PG_URL
    elif "DATABASE_URL" not in os.environ and not (REPO / "var" / "bench" / "metrics.sqlite3").exists():
        sys.exit("var/bench/metrics.sqlite3 is missing: build it with bench/metrics.py first (this script does not).")
    url = django_for("metrics", fresh=False)
    from django.db import connection
    from django.test import Client
    from peer import county_leader

    from minqing.appeals.models import Appeal
    from minqing.dashboards import figures
    from minqing.lib import periods
    from minqing.regions.models import Region

    def session() -> None:
        """The page request closes the connection (CONN_MAX_AGE 0): set the session up for each case."""
        if a.no_jit and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET jit = off")

    session()
    have = Appeal.objects.count()
    if have < 100_000:
        sys.exit(f"{have} appeals: build the database with bench/metrics.py --appeals 1000000 first.")
    user = county_leader()
    client = Client()
    client.force_login(user)
    jit = ""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW jit")
            jit = f"; jit {cur.fetchone()[0]}"
    print(f"database: {url.split('@')[-1]} ({connection.vendor}{jit}), {have:,} appeals; user {user.username}; "
          f"median of {a.repeat} after one warm-up\n")
    header = (f"{'case':26} {'build s':>8} {'SQL':>4} {'raw s':>7} {'build/raw':>9} {'page s':>7}  "
              f"{'summary+children':>16} {'trend':>6} {'parts':>6}")
    if a.before:
        header += f"  {'before s':>8} {'SQL':>4} {'before/after':>12}"
    print(header)
    chosen = {int(x) for x in a.cases.split(",") if x} or set(range(1, len(CASES) + 1))
    for i, (label, code, token) in enumerate(CASES, 1):
        if i not in chosen:
            continue
        session()
        region = Region.objects.get(code=code)
        period = periods.parse(token)
        t_build, dash, n_sql, sections = timed(lambda r=region, p=period: figures.build(r, p, user), a.repeat)
        t_raw, raw, _n, _s = timed(lambda c=code, p=period: raw_dashboard(c, p), a.repeat)
        bad = check(dash, raw)
        t = time.perf_counter()
        response = client.get(f"/dashboards/{code}/", {"period": token})
        t_page = time.perf_counter() - t
        assert response.status_code == 200, response.status_code
        line = (f"{label:26} {t_build:8.2f} {n_sql:4d} {t_raw:7.2f} {t_build / t_raw:9.2f} {t_page:7.2f}  "
                + " ".join(f"{sections.get(k, 0):{w}.2f}" for k, w in (("summary", 16), ("trend", 6), ("parts", 6))))
        if a.before:
            session()
            with Before():
                t_old, old, n_old, _s = timed(lambda r=region, p=period: figures.build(r, p, user),
                                               a.before_repeat)
            if (old.children, old.trend, old.figures) != (dash.children, dash.trend, dash.figures):
                bad.append("the per-place build differs from the grouped one")
            line += f"  {t_old:8.2f} {n_old:4d} {t_old / t_build:12.1f}"
        print(line + ("" if not bad else "  MISMATCH"), flush=True)
        for b in bad:
            print("   ", b)
        if a.explain:
            explain(code, period, user)


if __name__ == "__main__":
    main()
