"""花名册 import at township and county scale: generated realistic rosters (valid ID numbers, phones,
households of 1–6 people, tags) of 10 000 and 200 000 residents over 20 villages of one county,
each imported in a fresh process on a fresh database, then imported again (the idempotent re-run).
Prints residents per second and the process's peak RSS (ru_maxrss) before and after each import:
memory flat in file size means the peak does not grow with the file.

    .venv/bin/python bench/households_import.py [--sizes 10000,200000] [--formats csv,xlsx]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/<db> .venv/bin/python bench/households_import.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TOWNS = 4
VILLAGES_PER_TOWN = 5


def _places() -> list[tuple[str, str, str, str]]:
    """(township code, township name, village code, village name)."""
    out = []
    for t in range(TOWNS):
        town_code = f"5117221{t:02d}000"
        for v in range(VILLAGES_PER_TOWN):
            out.append((town_code, f"第{t + 1}镇", f"5117221{t:02d}2{v:02d}", f"第{t + 1}镇{v + 1}村"))
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(path: str) -> None:
    """One import run in this process: prints a JSON line."""
    sys.path.insert(0, str(HERE))
    from _setup import django_for

    django_for("households_import")
    from minqing.households.imports import import_roster
    from minqing.households.models import BUILTIN_TAGS, Tag
    from minqing.regions.models import Level, Region

    Region.objects.create(code="510000000000", name="四川省", level=Level.PROVINCE)
    Region.objects.create(code="511700000000", name="达州市", level=Level.CITY, parent_id="510000000000")
    Region.objects.create(code="511722000000", name="宣汉县", level=Level.COUNTY, parent_id="511700000000")
    for town_code, town, code, name in _places():
        Region.objects.get_or_create(code=town_code, defaults={"name": town, "level": Level.TOWNSHIP,
                                                               "parent_id": "511722000000"})
        Region.objects.create(code=code, name=name, level=Level.VILLAGE, parent_id=town_code)
    for code, name, per_year in BUILTIN_TAGS:
        Tag.objects.get_or_create(code=code, defaults={"name": name, "is_builtin": True, "visits_per_year": per_year})
    runs = []
    for _ in range(2):  # the second run of the same file changes nothing
        before = _peak_mb()
        t0, c0 = time.perf_counter(), _cpu()
        result = import_roster(path, region="511722")
        seconds, cpu = time.perf_counter() - t0, _cpu() - c0
        runs.append({"rows": result.rows, "created": result.residents_created, "changed": result.changed,
                     "seconds": round(seconds, 1), "per_second": round(result.rows / seconds),
                     "cpu": round(cpu, 1), "per_cpu_second": round(result.rows / cpu),
                     "peak_before_mb": round(before), "peak_after_mb": round(_peak_mb())})
    print(json.dumps(runs))


def generate(size: int, fmt: str, folder: Path) -> Path:
    sys.path.insert(0, str(HERE.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    import django

    django.setup()
    from minqing.households.imports import sample

    places = [(town, village) for _tc, town, _vc, village in _places()]
    path = folder / f"roster_{size}.{fmt}"
    (sample.write_xlsx if fmt == "xlsx" else sample.write_csv)(path, size, places)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,200000")
    parser.add_argument("--formats", default="csv")
    parser.add_argument("--child", default=None)
    parser.add_argument("--generate", nargs=3, default=None)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.generate:
        print(generate(int(args.generate[0]), args.generate[1], Path(args.generate[2])))
        return
    db = os.environ.get("DATABASE_URL", "sqlite (var/bench/households_import.sqlite3)")
    print(f"database: {db.split('@')[-1]}")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            for size in (int(s) for s in args.sizes.split(",")):
                # Each file is written and imported in its own process: neither's memory counts for the other.
                path = subprocess.run([sys.executable, __file__, "--generate", str(size), fmt, tmp], check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1]
                mb = Path(path).stat().st_size / 1e6
                out = subprocess.run([sys.executable, __file__, "--child", path], check=True, capture_output=True,
                                     text=True).stdout.strip().splitlines()[-1]
                first, again = json.loads(out)
                print(f"{fmt} {size:>7} residents ({mb:.1f} MB): {first['per_second']:>5} residents/s wall "
                      f"({first['seconds']} s), {first['per_cpu_second']} per CPU second ({first['cpu']} s CPU); "
                      f"peak RSS {first['peak_before_mb']} MB before → {first['peak_after_mb']} MB after; "
                      f"re-run {again['seconds']} s wall, {again['cpu']} s CPU, changed {again['changed']}, "
                      f"peak {again['peak_after_mb']} MB")


if __name__ == "__main__":
    main()
