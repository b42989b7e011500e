"""A read replica for the dashboards: the county figures on a streaming standby next to the same
figures on the primary, while a write load runs on the primary. Two throw-away clusters on this
machine (bench/_clusters.py), removed at the end unless --keep.

    .venv/bin/python bench/replica.py --appeals 100000          # as root (pg_createcluster)
    .venv/bin/python bench/replica.py --appeals 100000 --keep   # leave the clusters running

Steps: primary (port 5441) made and migrated; standby (port 5442) by pg_basebackup -R; the dataset of
bench/metrics.py loaded on the primary and streamed to the standby; wait for replay; then, idle and
under a write load (another process updating appeals and adding events on the primary, one
transaction per 10 rows), metrics.county_summary timed inside replica.figures() (the router sends it
to the standby) and outside it (the primary), alternately. Both clusters share the same 2 cores: a
standby on its own machine is what takes the dashboards' reads off the primary; here it shows the
router and replication work and what the figures cost on each side, not extra capacity.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import _clusters  # noqa: E402

PRIMARY, STANDBY = "scale21p", "scale21s"
P_PORT, S_PORT = 5441, 5442
DB = "bench"


def url(port: int) -> str:
    return f"postgresql://root@127.0.0.1:{port}/{DB}"


def writer(stop, counter, n: int) -> None:
    """The write load: random appeals touched and an event added each, 10 per transaction."""
    import psycopg

    rng = random.Random(7)
    with psycopg.connect(url(P_PORT)) as conn:
        while not stop.is_set():
            with conn.transaction():
                for _ in range(10):
                    i = rng.randrange(1, n + 1)
                    conn.execute("UPDATE appeals_appeal SET version = version + 1, updated_at = now() WHERE id = %s",
                                 [i])
                    conn.execute("INSERT INTO appeals_appealevent (appeal_id, region_id, action, from_status, "
                                 "to_status, level, at, payload, reason) SELECT id, region_id, 'remind', status, "
                                 "status, level, now(), '{}', '催办' FROM appeals_appeal WHERE id = %s", [i])
            with counter.get_lock():
                counter.value += 10


def replay_gap() -> tuple[int, float | None]:
    import psycopg

    with psycopg.connect(url(P_PORT), autocommit=True) as p:
        lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        lag = p.execute("SELECT EXTRACT(EPOCH FROM replay_lag) FROM pg_stat_replication").fetchone()
    with psycopg.connect(url(S_PORT), autocommit=True) as s:
        gap = s.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn())", [lsn]).fetchone()[0]
    return int(gap), (float(lag[0]) if lag and lag[0] is not None else None)


def wait_for_replay(timeout: float = 600) -> float:
    t0 = time.perf_counter()
    while replay_gap()[0] > 0:
        if time.perf_counter() - t0 > timeout:
            raise RuntimeError("the standby did not catch up")
        time.sleep(0.2)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave both clusters running")
    args = parser.parse_args()
    for name in (STANDBY, PRIMARY):
        _clusters.drop(name)
    try:
        run(args)
    finally:
        if not args.keep:
            for name in (STANDBY, PRIMARY):
                _clusters.drop(name)
            print("clusters removed")


def run(args) -> None:
    import psycopg

    # Small servers: the machine is shared; wal_level=replica and max_wal_senders are the defaults.
    settings = ("shared_buffers=256MB", "max_connections=30", "synchronous_commit=on")
    _clusters.create(PRIMARY, P_PORT, *settings)
    _clusters.start(PRIMARY)
    _clusters.superuser(P_PORT)
    with psycopg.connect(f"postgresql://root@127.0.0.1:{P_PORT}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DB}")
    _clusters.standby(STANDBY, S_PORT, P_PORT, *settings)
    print(f"primary :{P_PORT}, standby :{S_PORT} (pg_basebackup -R, streaming)", flush=True)

    os.environ["DATABASE_URL"] = url(P_PORT)
    os.environ["DATABASE_REPLICA_URL"] = url(S_PORT)
    from _setup import django_for

    t0 = time.perf_counter()
    django_for("replica", fresh=False)
    print(f"migrate: {time.perf_counter() - t0:.1f} s", flush=True)
    import metrics as bench_metrics  # bench/metrics.py

    t0 = time.perf_counter()
    bench_metrics.build(args.appeals)
    print(f"load {args.appeals:,} appeals on the primary: {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"standby caught up {wait_for_replay():.1f} s after the load", flush=True)

    from django.db import connections

    from minqing.appeals import metrics
    from minqing.appeals.models import Appeal
    from minqing.lib import replica

    with replica.figures():
        assert replica.read_alias(Appeal) == "replica"
        on_standby = Appeal.objects.count()
    print(f"appeals on the standby: {on_standby:,}; on the primary: {Appeal.objects.count():,}")

    cases = [("county month 2024-05", dt.date(2024, 5, 1), dt.date(2024, 5, 31)),
             ("county year 2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31))]

    def summary(start, end, on_replica: bool):
        if on_replica:
            with replica.figures():
                return metrics.county_summary(bench_metrics.COUNTY, start, end)
        return metrics.county_summary(bench_metrics.COUNTY, start, end)

    def measure(label: str) -> None:
        for name, start, end in cases:
            times = {False: [], True: []}
            figures = {}
            for _ in range(args.repeat):
                for side in (False, True):  # alternately, so both see the same load
                    t = time.perf_counter()
                    figures[side] = summary(start, end, side).as_dict()
                    times[side].append(time.perf_counter() - t)
            p, s = statistics.median(times[False]), statistics.median(times[True])
            same = figures[False]["received"] == figures[True]["received"]
            print(f"{label:18} {name:22} primary {p:7.3f} s  standby {s:7.3f} s  standby/primary {s / p:5.2f}"
                  f"  received {figures[False]['received']:,}{'' if same else ' (differs: replay behind)'}",
                  flush=True)

    for side in (False, True):  # warm both caches
        for _, start, end in cases:
            summary(start, end, side)
    measure("idle")
    stop, counter = multiprocessing.Event(), multiprocessing.Value("l", 0)
    proc = multiprocessing.Process(target=writer, args=(stop, counter, args.appeals))
    proc.start()
    time.sleep(2)
    t_load = time.perf_counter()
    measure("under write load")
    elapsed = time.perf_counter() - t_load
    gap, lag = replay_gap()
    stop.set()
    proc.join()
    print(f"write load: {counter.value / (time.perf_counter() - t_load + 2):.0f} rows/s (update + event); "
          f"at its end the standby was {max(gap, 0):,} bytes behind, "
          f"replay_lag {lag if lag is None else f'{lag:.3f} s'}; "
          f"measured for {elapsed:.0f} s")
    print(f"standby caught up {wait_for_replay():.2f} s after the load stopped")
    for alias in ("default", "replica"):
        connections[alias].close()


if __name__ == "__main__":
    main()
