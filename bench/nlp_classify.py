"""Category model: training time, throughput on one core, and (with --replies) the reply-quality
scores over 附件4. Reads ../shared/data/taidi2020c; no database.

    .venv/bin/python bench/nlp_classify.py            # train on 附件2 + seed texts, then time predict
    .venv/bin/python bench/nlp_classify.py --replies  # reply scores over 附件4 and agreement with the
                                                      # third-party 完整性/可解释性 marks (100 replies)

Cross-validated quality is measured by the product command itself:
    minqing model evaluate ../shared/data/taidi2020c/附件2_示例数据_dev.csv --cv 5 --json
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core
    os.environ.setdefault(var, "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from minqing.nlp.replies import score_reply  # noqa: E402
from minqing.nlp.taidi import read_messages  # noqa: E402
from minqing.nlp.textmodel import prepare, train  # noqa: E402
from minqing.nlp.training import shared_sources  # noqa: E402

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data"))


def bench_model() -> None:
    t = time.perf_counter()
    src = shared_sources(DATA)
    load = time.perf_counter() - t
    t = time.perf_counter()
    model = train(src.labelled + src.base)
    fit = time.perf_counter() - t
    msgs = list(read_messages(DATA / "taidi2020c" / "附件3.csv"))
    texts = [prepare(m.title, m.text) for m in msgs]
    model.predict(texts[:50])  # warm up
    rates = []
    for _ in range(3):
        t = time.perf_counter()
        model.predict(texts)
        rates.append(len(texts) / (time.perf_counter() - t))
    one = []
    for m in msgs[:300]:  # one at a time, as at intake (prepare included)
        t = time.perf_counter()
        model.proba([prepare(m.title, m.text)])
        one.append(time.perf_counter() - t)
    print(f"sources read: {load:.1f} s; training rows {model.meta['labelled']} ({src.notes}); fit {fit:.1f} s")
    print(f"batch predict on 附件3 ({len(texts)} messages, one core): median {statistics.median(rates):,.0f} msg/s")
    print(f"one message at a time: median {statistics.median(one) * 1000:.2f} ms")


def bench_replies() -> None:
    folder = DATA / "taidi2020c"
    msgs = list(read_messages(folder / "附件4.csv"))
    t = time.perf_counter()
    scores = {m.id: score_reply(m.text, m.reply, title=m.title, asked_at=m.time, replied_at=m.reply_time)
              for m in msgs}
    took = time.perf_counter() - t
    print(f"{len(scores)} replies scored in {took:.1f} s")
    for k in ("timeliness", "relevance", "completeness", "overall"):
        vals = [getattr(s, k) for s in scores.values() if getattr(s, k) is not None]
        print(f"  {k}: mean {statistics.mean(vals):.3f}, median {statistics.median(vals):.3f}")
    days = [s.days for s in scores.values() if s.days is not None]
    quick = sum(d <= 5 for d in days) / len(days)
    print(f"  days to answer: median {statistics.median(days):.1f}, ≤5 days {quick:.0%}")
    missing: dict[str, int] = {}
    for s in scores.values():
        for m in s.missing:
            missing[m] = missing.get(m, 0) + 1
    for m, n in sorted(missing.items(), key=lambda kv: -kv[1]):
        print(f"  missing: {m}: {n / len(scores):.0%}")
    path = folder / "third_party_annotations" / "rollbear_sheet_4_labeled.csv"
    if path.is_file():
        marks = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if (row.get("完整性指标") or "").strip():
                    marks[row["留言编号"]] = (float(row["完整性指标"]), float(row["可解释性指标"]))
        for idx, (name, ours) in enumerate((("完整性", "completeness"), ("可解释性", "relevance"))):
            for val in (0.0, 1.0):
                vals = [getattr(scores[i], ours) for i, m in marks.items() if m[idx] == val and i in scores]
                print(f"  third-party {name}={val:.0f} (n={len(vals)}): our {ours} mean {statistics.mean(vals):.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", action="store_true")
    args = parser.parse_args()
    bench_replies() if args.replies else bench_model()
