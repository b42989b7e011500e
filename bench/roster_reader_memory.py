"""Peak memory of reading a 花名册 .xlsx alone (no database): the streamed reader the roster import uses
(households.imports.reading → imports.xlsx) against calamine (the ledger importer's reader, which holds
the whole sheet). Prints the process's peak RSS (ru_maxrss) before and after reading every row.

    .venv/bin/python bench/households_import.py --generate 200000 xlsx /tmp/rosters
    .venv/bin/python bench/roster_reader_memory.py /tmp/rosters/roster_200000.xlsx stream
    .venv/bin/python bench/roster_reader_memory.py /tmp/rosters/roster_200000.xlsx calamine
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")


def main() -> None:
    import django

    django.setup()
    from minqing.households.imports import reading
    from minqing.lib import sheets

    path, how = sys.argv[1], sys.argv[2]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    rows = reading.iter_rows(path) if how == "stream" else sheets._xlsx_rows(Path(path))
    n = sum(1 for _ in rows)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{how}: {n} rows, peak RSS {before:.0f} MB before → {peak:.0f} MB after, {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
