"""Division import at national scale: the 44 653 province-to-township rows shipped in the package,
then a village CSV of 700 000 generated villages (17 under each township), then the same two
again (the idempotent re-run). Prints each time and the rate.

    .venv/bin/python bench/divisions.py                      # SQLite, var/bench/divisions.sqlite3
    DATABASE_URL=postgresql://root@127.0.0.1:5432/minqing_bench .venv/bin/python bench/divisions.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from _setup import django_for

VILLAGES = 700_000


def main() -> None:
    url = django_for("divisions")
    from minqing.regions.importer import import_divisions, shipped_divisions
    from minqing.regions.models import Region

    t0 = time.perf_counter()
    first = import_divisions(shipped_divisions())
    t1 = time.perf_counter()
    townships = list(Region.objects.filter(level=4).values_list("code", flat=True))
    per = -(-VILLAGES // len(townships))
    path = Path(tempfile.mkdtemp()) / "villages.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "name", "parent_code"])
        n = 0
        for t in townships:
            for i in range(1, per + 1):
                if n == VILLAGES:
                    break
                w.writerow([t[:9] + f"{200 + i:03d}", f"第{i}村", t[:9]])
                n += 1
    t2 = time.perf_counter()
    villages = import_divisions(path)
    t3 = time.perf_counter()
    again_tree = import_divisions(shipped_divisions())
    again_villages = import_divisions(path)
    t4 = time.perf_counter()
    print(f"database: {url.split('@')[-1]}")
    print(f"townships and above: {first.created} rows in {t1 - t0:.1f} s ({first.created / (t1 - t0):,.0f} rows/s)")
    print(f"villages: {villages.created} rows in {t3 - t2:.1f} s ({villages.created / (t3 - t2):,.0f} rows/s)")
    print(f"re-run of both: {again_tree.summary()} / {again_villages.summary()} in {t4 - t3:.1f} s")
    print(f"total regions: {Region.objects.count():,}")


if __name__ == "__main__":
    main()
