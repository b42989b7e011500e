"""Hot spots of 附件3 (4 326 messages): runtime and the top 10 as a Markdown table.

    .venv/bin/python bench/hotspots.py [--top 10] [--file PATH]
(the product command is `minqing hotspots --csv FILE --top N --json`; this prints the table for RESULTS.md)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from minqing.nlp.hotspots import Record, find_hotspots  # noqa: E402
from minqing.nlp.taidi import read_messages  # noqa: E402

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data"))

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--file", default=str(DATA / "taidi2020c" / "附件3.csv"))
    args = parser.parse_args()
    t = time.perf_counter()
    records = [Record(id=m.id, title=m.title, text=m.text, time=m.time, likes=m.likes, user=m.user)
               for m in read_messages(args.file)]
    read = time.perf_counter() - t
    t = time.perf_counter()
    spots = find_hotspots(records, top=args.top)
    took = time.perf_counter() - t
    print(f"{len(records)} messages: read {read:.1f} s, hot spots {took:.1f} s\n")
    print("| # | heat | place | period | messages / residents | likes | title | message ids |")
    print("|---:|---:|---|---|---:|---:|---|---|")
    for i, h in enumerate(spots, 1):
        ids = " ".join(h.message_ids[:4]) + (" …" if len(h.message_ids) > 4 else "")
        print(f"| {i} | {h.heat} | {h.place or '—'} | {h.start} – {h.end} | {h.count} / {h.residents} | {h.likes} "
              f"| {h.title} | {ids} |")
