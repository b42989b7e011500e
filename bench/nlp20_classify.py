"""Category model, issue 20 second round (branch nlp20): what decision 0049 had not tried, on the same
fixed hold-out (bench/nlp_holdout.py: 附件2 de-duplicated, even rows = half A, odd rows = half B).
Settings are chosen by 5-fold CV repeated twice inside A only; B is scored once per final candidate
(`--holdout NAME ...`). No database; reads ../shared/data/taidi2020c.

Variants (all with the product's hashed char 1–3 TF-IDF + LinearSVC C=0.5 balanced + 附件1 leaves weight 2):
  leaf α      + α·(binary "the text contains a third-level name of class c", one column per class)
  word        jieba-word TF-IDF LinearSVC alone (synonyms folded as for duplicates)
  ens w       (1-w)·p_char + w·p_word, each a softmax of SVM scores at a temperature fitted by log-loss
              on inner 3-fold held-out scores of real messages (calibrated averaging)
  prior β     p·π^β, π the class shares of the real labels of the training rows (add-one smoothed)
  cotrain τ   two views (char, word) label the ~9 900 unlabelled messages; where both agree with
              p ≥ τ the message joins both views' training at weight 0.3, one round

    OMP_NUM_THREADS=1 .venv/bin/python bench/nlp20_classify.py            # CV inside A, every variant
    OMP_NUM_THREADS=1 .venv/bin/python bench/nlp20_classify.py --holdout base "ens 0.3"
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
import django  # noqa: E402

django.setup()
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from minqing.nlp import meaning, training  # noqa: E402
from minqing.nlp.taidi import read_leaves  # noqa: E402
from minqing.nlp.textmodel import _fit_scale, counts, report  # noqa: E402

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data"))


class Data:
    def __init__(self) -> None:
        src = training.shared_sources(DATA)
        self.A, self.B = src.labelled[0::2], src.labelled[1::2]
        self.seeds = src.base
        held = {e.key for e in src.labelled}
        pool = list(dict.fromkeys(e.text for e in src.unlabelled if e.key not in held))
        self.texts = [e.text for e in self.A + self.B + self.seeds] + pool
        self.nA, self.nB, self.nS = len(self.A), len(self.B), len(self.seeds)
        self.pool_idx = np.arange(self.nA + self.nB + self.nS, len(self.texts))
        self.seed_idx = np.arange(self.nA + self.nB, self.nA + self.nB + self.nS)
        self.y = np.array([e.label for e in self.A + self.B + self.seeds] + [""] * len(pool), dtype=object)
        t = time.process_time()
        self.C = counts(self.texts)
        leaves = read_leaves(DATA / "taidi2020c" / "附件1.csv")
        self.classes = sorted(leaves)
        self.L = sp.csr_matrix(np.array([[float(any(n in t for n in leaves[c])) for c in self.classes]
                                         for t in self.texts], dtype=np.float32))
        self.L_noseed = self.L.tolil()
        self.L_noseed[self.seed_idx] = 0
        self.L_noseed = self.L_noseed.tocsr()
        from minqing.nlp.duplicates import fold_groups
        from minqing.nlp.synonyms import SEED

        folds = meaning.fold_map([*SEED, *fold_groups()])
        for w in folds:
            if len(w) > 1:
                meaning.jieba.add_word(w)
        toks = [meaning.words(t, folds) for t in self.texts]
        self.W = CountVectorizer(analyzer=lambda x: x, min_df=2).fit_transform(toks).astype(np.float32).tocsr()
        print(f"{len(self.texts)} texts ({len(pool)} unlabelled) featurised in {time.process_time() - t:.0f} CPU-s",
              flush=True)


def svm_scores(X: sp.csr_matrix, tr: np.ndarray, y: np.ndarray, w: np.ndarray, te: np.ndarray,
               classes: list[str], extra: sp.csr_matrix | None = None) -> np.ndarray:
    """LinearSVC on the TF-IDF of X, with `extra` (already scaled) appended after the TF-IDF."""
    tfidf = TfidfTransformer(sublinear_tf=True).fit(X[tr])

    def rows(idx: np.ndarray) -> sp.csr_matrix:
        out = tfidf.transform(X[idx])
        return sp.hstack([out, extra[idx]]).tocsr() if extra is not None else out

    m = LinearSVC(C=0.5, class_weight="balanced").fit(rows(tr), y, sample_weight=w)
    d = np.full((len(te), len(classes)), -10.0)
    d[:, [classes.index(c) for c in m.classes_]] = m.decision_function(rows(te))
    return d


LEAF = 0.0  # --leaf α: the char view of every variant carries the leaf-name block too


def softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(1, keepdims=True)


def fit_predict(D: Data, variant: str, lab: np.ndarray, te: np.ndarray) -> np.ndarray:
    """Class probabilities (columns D.classes) of rows `te`, trained on labelled rows `lab` + seeds."""
    name, _, arg = variant.partition(" ")
    x = float(arg) if arg else 0.0
    classes = D.classes
    tr = np.concatenate([lab, D.seed_idx])
    y = D.y[tr]
    w = np.concatenate([np.ones(len(lab)), np.full(len(D.seed_idx), training.SEED_WEIGHT)])

    def calibrated(X: sp.csr_matrix, tr_: np.ndarray, y_: np.ndarray, w_: np.ndarray, rows: np.ndarray) -> np.ndarray:
        extra = D.L_noseed * LEAF if LEAF and X is D.C else None
        labelled = set(lab.tolist())
        real = np.array([i for i, r in enumerate(tr_) if r in labelled])
        held = np.zeros((len(real), len(classes)))
        for _a, b in StratifiedKFold(3, shuffle=True, random_state=0).split(real, y_[real]):
            keep = np.setdiff1d(np.arange(len(tr_)), real[b])
            held[b] = svm_scores(X, tr_[keep], y_[keep], w_[keep], tr_[real[b]], classes, extra)
        scale = _fit_scale(held, np.array([classes.index(c) for c in y_[real]]))
        return softmax(svm_scores(X, tr_, y_, w_, rows, classes, extra) * scale)

    if name in ("base", "prior"):
        p = calibrated(D.C, tr, y, w, te)
        if name == "prior":
            n = Counter(D.y[lab].tolist())
            pi = np.array([(n.get(c, 0) + 1) / (len(lab) + len(classes)) for c in classes])
            p = p * pi ** x
            p /= p.sum(1, keepdims=True)
        return p
    if name in ("leaf", "leafseed"):
        L = D.L if name == "leafseed" else D.L_noseed
        return softmax(svm_scores(D.C, tr, y, w, te, classes, extra=L * x))
    if name == "word":
        return softmax(svm_scores(D.W, tr, y, w, te, classes))
    if name == "ens":
        return (1 - x) * calibrated(D.C, tr, y, w, te) + x * calibrated(D.W, tr, y, w, te)
    if name == "cotrain":
        pool = D.pool_idx
        pc = calibrated(D.C, tr, y, w, pool)
        pw = calibrated(D.W, tr, y, w, pool)
        agree = (pc.argmax(1) == pw.argmax(1)) & (pc.max(1) >= x) & (pw.max(1) >= x)
        sel = pool[agree]
        print(f"      cotrain τ={x}: {agree.sum()} of {len(pool)} unlabelled kept "
              f"{dict(Counter(np.array(classes)[pc.argmax(1)[agree]].tolist()))}", flush=True)
        D.y[sel] = np.array(classes, dtype=object)[pc.argmax(1)[agree]]
        tr2, w2 = np.concatenate([tr, sel]), np.concatenate([w, np.full(len(sel), 0.3)])
        p = calibrated(D.C, tr2, D.y[tr2], w2, te)
        D.y[sel] = ""
        return p
    raise SystemExit(f"unknown variant {variant}")


def cv(D: Data, variant: str, repeats: int = 2) -> float:
    A = np.arange(D.nA)
    scores = []
    for rep in range(repeats):
        pred = np.empty(len(A), dtype=object)
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=rep).split(A, D.y[A]):
            p = fit_predict(D, variant, A[tr], A[te])
            pred[te] = np.array(D.classes, dtype=object)[p.argmax(1)]
        scores.append(report(D.y[A].tolist(), pred.tolist())["macro_f1"])
    return float(np.mean(scores))


VARIANTS = ["base", "leaf 0.3", "leaf 0.6", "leaf 1", "leafseed 0.6", "word", "ens 0.2", "ens 0.35", "ens 0.5",
            "prior 0.5", "prior 1", "cotrain 0.9", "cotrain 0.8"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", nargs="*", default=VARIANTS)
    ap.add_argument("--holdout", nargs="*", default=[])
    ap.add_argument("--leaf", type=float, default=0.0, help="leaf-name block (α) in the char view of every variant")
    args = ap.parse_args()
    global LEAF
    LEAF = args.leaf
    D = Data()
    if args.holdout:
        A, B = np.arange(D.nA), np.arange(D.nA, D.nA + D.nB)
        for v in args.holdout:
            p = fit_predict(D, v, A, B)
            r = report(D.y[B].tolist(), np.array(D.classes, dtype=object)[p.argmax(1)].tolist())
            print(f"hold-out B  {v:14s} macro-F1 {r['macro_f1']:.4f}  accuracy {r['accuracy']:.4f}", flush=True)
        return
    for v in args.variants:
        t = time.process_time()
        print(f"CV in A  {v:14s} {cv(D, v):.3f}   ({time.process_time() - t:.0f} CPU-s)", flush=True)


if __name__ == "__main__":
    main()
