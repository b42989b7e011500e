"""The leaders' dashboard at 1 000 000 appeals from the roll-up tables against the same dashboard from
the appeals (the raw definitions), side by side in one run, and one raw count of the period's cases
as the yardstick (issue 21: the county year must cost less than one raw count of the county's year).

    cp /work/main/var/bench/metrics.sqlite3 var/bench/            # never write the shared copy
    minqing rollup rebuild                                          # on the copy (DATABASE_URL)
    .venv/bin/python bench/rollups.py [--repeat 5] [--raw-repeat 1]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/rollup21_bench .venv/bin/python bench/rollups.py

For each case (county / township × May 2024 / the year 2024) as the county leader of bench/peer.py:
``raw s`` = dashboards.figures.build with the metrics read from the appeals (metric_read.raw()),
``rollup s`` = the same build from the roll-ups, ``figures s`` = the appeal figures alone
(summary_with_children + trend) from the roll-ups, ``count s`` = SELECT COUNT(*) of the place's cases
received in the period. Wall medians and the process CPU of the roll-up build. Every run checks that
the two builds show the same figures, drill-down rows and trend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _setup import REPO, django_for  # noqa: E402

COUNTY, TOWNSHIP = "511722000000", "511722104000"
CASES = [("county, month 2024-05", COUNTY, "2024-05"), ("township, month 2024-05", TOWNSHIP, "2024-05"),
         ("county, year 2024", COUNTY, "2024"), ("township, year 2024", TOWNSHIP, "2024")]


def median(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeat`` runs after one warm-up, and the last result."""
    result = fn()
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), result


def raw_count(code: str, period) -> int:
    """One plain count of the place's cases received in the period (the yardstick)."""
    from django.db import connection

    from minqing.appeals import metrics
    from minqing.lib import regioncode

    low, high = metrics.bounds(period.start, period.end)
    lo, hi = regioncode.subtree_range(code)
    at = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM appeals_appeal WHERE region_id BETWEEN %s AND %s AND received_at >= %s "
                    "AND received_at < %s AND deleted_at IS NULL", [lo, hi, at(low), at(high)])
        return cur.fetchone()[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--raw-repeat", type=int, default=1, help="runs of the (slow) raw build")
    a = ap.parse_args()
    if "DATABASE_URL" not in os.environ and not (REPO / "var" / "bench" / "metrics.sqlite3").exists():
        sys.exit("var/bench/metrics.sqlite3 is missing: copy the shared one (never write it) and rebuild the roll-ups.")
    url = django_for("metrics", fresh=False)
    from django.conf import settings
    from django.db import connection
    from peer import county_leader

    from minqing.appeals import metric_read
    from minqing.appeals.models import AppealRollup
    from minqing.dashboards import figures
    from minqing.lib import periods
    from minqing.regions.models import Region

    settings.MINQING_ROLLUPS = True
    if not AppealRollup.objects.exists():
        sys.exit("the roll-up tables are empty: run `minqing rollup rebuild` on this database first.")
    user = county_leader()
    print(f"database: {url.split('@')[-1]} ({connection.vendor}); user {user.username}; "
          f"median of {a.repeat} (raw: {a.raw_repeat}) after one warm-up\n")
    print(f"{'case':26} {'raw s':>7} {'rollup s':>9} {'cpu s':>6} {'figures s':>9} {'count s':>8} "
          f"{'raw/rollup':>10} {'count/rollup':>12}  check")
    for label, code, token in CASES:
        region, period = Region.objects.get(code=code), periods.parse(token)

        def build(r=region, p=period):
            return figures.build(r, p, user)

        def appeal_figures(r=region, p=period):
            figures._summary_and_children(r, p, user)
            return figures._trend(r.code, p, user)

        def raw_build():
            with metric_read.raw():
                return build()

        t_roll, c_roll, dash = median(build, a.repeat)
        t_fig, _c, _r = median(appeal_figures, a.repeat)
        t_count, _c, n = median(lambda c=code, p=period: raw_count(c, p), a.repeat)
        t_raw, _c, truth = median(raw_build, a.raw_repeat)
        same = (dash.figures, dash.children, dash.trend) == (truth.figures, truth.children, truth.trend)
        print(f"{label:26} {t_raw:7.2f} {t_roll:9.3f} {c_roll:6.3f} {t_fig:9.3f} {t_count:8.3f} "
              f"{t_raw / t_roll:10.1f} {t_count / t_roll:12.2f}  {'same' if same else 'MISMATCH'} ({n:,} cases)",
              flush=True)
        if not same:
            for k in sorted(set(dash.figures) | set(truth.figures)):
                if dash.figures.get(k) != truth.figures.get(k):
                    print(f"    {k}: raw {truth.figures.get(k)} rollup {dash.figures.get(k)}")


if __name__ == "__main__":
    main()
