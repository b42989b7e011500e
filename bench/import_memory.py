"""Peak memory and time of reading hostile spreadsheets, each in its own subprocess (ru_maxrss).

    .venv/bin/python bench/import_memory.py [--rows 1000000]

Makes in a temporary directory: a 1 M-row CSV, a 1 M-row .xlsx, the sparse-grid .xlsx (A1 and
XFD1048576) and a 200 000-row CSV (the default cap, read whole: the largest file an import accepts);
then runs ledgers.importers.parse on each in a fresh interpreter and prints its peak RSS, time and
answer. Needs no database (parse never touches it). Budget: < 300 MB each, sparse grid < 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
import django
django.setup()
from minqing.ledgers.importers import LedgerImportError, parse
t0 = time.perf_counter()
try:
    _layout, items, errors = parse(sys.argv[1], mapping="own")
    answer = f"read {len(items)} rows, {len(errors)} errors"
except LedgerImportError as exc:
    answer = "refused: " + exc.errors[0][2]
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": round(elapsed, 2), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "answer": answer[:90]}, ensure_ascii=False))
"""


def main() -> None:
    from minqing.ledgers import RECTIFICATION_COLUMNS
    from tests.ledgers_metrics import hostile

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    header = ",".join(RECTIFICATION_COLUMNS)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        files = {
            "sparse grid .xlsx": hostile.sparse_grid(d / "sparse.xlsx"),
            f"{args.rows} rows .csv": hostile.million_rows_csv(d / "big.csv", args.rows),
            f"{args.rows} rows .xlsx": hostile.million_rows_xlsx(d / "big.xlsx", args.rows),
            "200000 rows .csv (at the cap)": _at_cap(d / "cap.csv", header),
        }
        baseline = _child(d / "none.csv")
        print(f"interpreter + Django baseline: {baseline['peak_mb']} MB")
        for label, path in files.items():
            out = _child(path)
            print(f"{label:32} {path.stat().st_size / 1e6:8.1f} MB file  peak {out['peak_mb']:4} MB  "
                  f"{out['seconds']:6.2f} s  {out['answer']}")


def _at_cap(path: Path, header: str) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        for n in range(1, 200_001):
            fh.write(f"{n},入户走访,居民{n},,人居环境整治,第{n}个问题,,,,,,否,,\n")
    return path


def _child(path: Path) -> dict:
    if not path.exists():
        path.write_text("序号\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    if done.returncode != 0:
        return {"seconds": round(time.perf_counter() - t0, 2), "peak_mb": -1,
                "answer": f"CRASHED rc={done.returncode}: {done.stderr[-200:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
