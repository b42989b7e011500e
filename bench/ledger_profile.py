"""cProfile of one ledger import (bench/ledger_import.py's file and database set-up), top functions by
own and cumulative time, and the statements it sent.

    nice -n 5 .venv/bin/python bench/ledger_profile.py 20000 [csv|xlsx]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/import22_bench .venv/bin/python bench/ledger_profile.py 20000
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import ledger_import  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    fmt = sys.argv[2] if len(sys.argv) > 2 else "csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = ledger_import.generate(n, fmt, Path(tmp))
        prof = cProfile.Profile(time.process_time)  # CPU time: the machine is shared, wall time is mostly waiting
        ledger_import.child(str(path), profiler=prof)
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(45)
    stats.sort_stats("cumulative").print_stats(70)
    print(out.getvalue())


if __name__ == "__main__":
    main()
