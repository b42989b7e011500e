"""Issue 21's bar for the roll-ups: the dashboard's appeal figures of a county year (summary, the children's
rows, the trend: dashboards.figures._summary_and_children + _trend) against one raw COUNT of the county's cases
received in the year (bench/rollups.py raw_count), in one process, median of 7 after a warm-up.

    MINQING_HOME=… DATABASE_URL=… .venv/bin/python bench/dashboard_bar.py    # on a rebuilt copy of the 1 M data
"""

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from _setup import django_for  # noqa: E402

django_for("metrics", fresh=False)
from django.db import connection  # noqa: E402
from peer import county_leader  # noqa: E402
from rollups import raw_count  # noqa: E402

from minqing.dashboards import figures  # noqa: E402
from minqing.lib import periods  # noqa: E402
from minqing.regions.models import Region  # noqa: E402

CASES = (("511722000000", "2024"), ("511722000000", "2024-05"), ("511722104000", "2024"))


def median(fn) -> tuple[float, float]:
    """Median wall and CPU seconds of 7 runs after a warm-up."""
    fn()
    walls, cpus = [], []
    for _ in range(7):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    user = county_leader()
    for code, token in CASES:
        region, period = Region.objects.get(code=code), periods.parse(token, None, None)

        def fig(region=region, period=period, code=code) -> None:
            figures._summary_and_children(region, period, user)
            figures._trend(code, period, user)

        f = median(fig)
        c = median(lambda code=code, period=period: raw_count(code, period))
        print(f"{connection.vendor} {code} {token}: figures {f[0] * 1e3:.0f} ms wall / {f[1] * 1e3:.0f} ms CPU; "
              f"one raw count {c[0] * 1e3:.0f} ms wall / {c[1] * 1e3:.0f} ms CPU "
              f"({raw_count(code, period):,} cases); ratio {f[0] / c[0]:.2f}")


if __name__ == "__main__":
    main()
