"""Demo generation rate: a county of N households (default 300 000) on a fresh database.

    .venv/bin/python bench/demo_rate.py [--households 300000] [--foundation-only]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/minqing_bench .venv/bin/python bench/demo_rate.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from _setup import django_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--foundation-only", action="store_true",
                        help="places, people and households only, without the appeals and later parts")
    args = parser.parse_args()
    url = django_for("demo_rate")
    from minqing.demo.generator import DemoOptions, load_demo
    from minqing.households.models import Household, Resident

    t0 = time.perf_counter()
    load_demo(DemoOptions(seed=2024, anchor=dt.date(2026, 11, 23), households=args.households,
                          extensions=not args.foundation_only),
              progress=lambda s: None)
    elapsed = time.perf_counter() - t0
    h, r = Household.objects.count(), Resident.objects.count()
    print(f"database: {url.split('@')[-1]}")
    print(f"{h:,} households, {r:,} residents (and everything else the demo makes) in {elapsed:.1f} s")
    print(f"rate: {h / elapsed:,.0f} households/s, {r / elapsed:,.0f} residents/s")


if __name__ == "__main__":
    main()
