"""Per-county fine-tuning from accepted/corrected suggestions (issue 20), measured as learning curves
on the fixed hold-out of bench/nlp_holdout.py (附件2 de-duplicated, even rows = half A, odd rows = half B).

1. Feedback curve, through the product's own path. Half B is split at random (stratified) into B1, 100
   messages that play the county's corrections, arriving in the order of 留言时间, and B2, the other 97,
   never trained on. For k = 0, 25, 50, 75, 100 the first k of B1 become `CategoryFeedback` rows in a
   fresh database (the county's categories seeded as at installation); then `minqing model train
   --exclude B2.csv --no-meaning` and `minqing model evaluate B2.csv --json` — the commands, unchanged
   (call_command), so whatever the product does with feedback (labels, weights, de-duplication, the
   model file and its reload) is what is measured. Repeated over --splits random B1/B2 splits.
2. Base learning curve: the training function those commands call (textmodel.train, same sources:
   the 附件1 leaves and the county's category names as short examples) on stratified random subsets of
   half A of 50 / 100 / 150 / 197 labels, scored on the whole of half B and, per split, on B2; then
   the same with A + the first k of B1 (197 + k labels) on B2, so one curve runs from 50 to 297
   labels on one evaluation set. Fitted with 1 − F1 = b·n^(−c) (and F1 = a − b·n^(−c)) and extrapolated
   to 0.90, with a bootstrap over the repeats for the uncertainty.

No download; reads ../shared/data/taidi2020c. Writes only under --home (a scratch MINQING_HOME with its
own SQLite database; the default is a new folder under /tmp).

    nice -n 5 .venv/bin/python bench/nlp_finetune.py                  # 5 splits, 10 subsets per size
    nice -n 5 .venv/bin/python bench/nlp_finetune.py --splits 3 --repeats 5
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core
    os.environ.setdefault(var, "1")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nlp_holdout import raw_halves  # noqa: E402  (the one fixed split; never copied)

DATA = Path(os.environ.get("MINQING_SHARED_DATA", REPO.parent / "shared" / "data"))
LABELLED = DATA / "taidi2020c" / "附件2_示例数据_dev.csv"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def scratch_shared(home: Path, half_a: list[dict], fields: list[str]) -> Path:
    """../shared/data as the commands read it, with 附件2 cut down to half A: the hold-out half B must
    reach the model only as feedback (B1), and `--exclude` would drop B1's feedback rows too."""
    root = home / "shared"
    d = root / "taidi2020c"
    d.mkdir(parents=True, exist_ok=True)
    for name in ("divisions", "taidi2020c/附件1.csv", "taidi2020c/附件3.csv", "taidi2020c/附件4.csv",
                 "taidi2020c/测试数据.csv"):
        link = root / name
        if not link.exists() and (DATA / name).exists():
            link.symlink_to(DATA / name)
    write_csv(d / LABELLED.name, half_a, fields)
    return root


def setup_django(home: Path, shared: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    os.environ["MINQING_SHARED_DATA"] = str(shared)
    os.environ["MINQING_HOME"] = str(home)
    os.environ["DATABASE_URL"] = f"sqlite:///{home / 'finetune.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.DictWriter(out, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def command(*args: str) -> dict:
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def feed(messages: list, county, cats: dict) -> None:
    """The county's corrections: one CategoryFeedback row per message, as follow._feedback and
    classify.record_feedback write them (the suggested category left empty: not used in training)."""
    import datetime as dt

    from django.utils import timezone

    from minqing.nlp.models import CategoryFeedback

    CategoryFeedback.objects.all().delete()
    CategoryFeedback.objects.bulk_create([
        CategoryFeedback(region=county, title=m.title[:200], text=m.text, chosen=cats[m.label], accepted=False,
                         at=timezone.make_aware(m.time or dt.datetime(2020, 1, 1)))
        for m in messages])


CAP = 1e9  # "never": the fitted curve does not reach 0.90 below a billion labels


def labels(n: float) -> str:
    if not np.isfinite(n) or n >= CAP:
        return "never (curve flat or falling)"
    return f"{n:,.0f}" if n < 1e6 else f"{n:.1e}"


def fit_curve(ns: np.ndarray, f1: np.ndarray) -> dict:
    """1 − F1 = b·n^(−c) by least squares in log-log; and F1 = a − b·n^(−c) when it converges."""
    slope, intercept = np.polyfit(np.log(ns), np.log(1 - f1), 1)
    b, c = float(np.exp(intercept)), float(-slope)
    log_n90 = (np.log(b) - np.log(0.1)) / c if c > 0 else np.inf  # in logs: a flat curve overflows
    out = {"b": b, "c": c, "n90": float(np.exp(min(log_n90, np.log(CAP)))), "f1_at_9210": 1 - b * 9210 ** (-c)}
    try:
        from scipy.optimize import curve_fit

        (a, b3, c3), _ = curve_fit(lambda n, a, b, c: a - b * n ** (-c), ns, f1, p0=(0.9, 1.0, 0.5),
                                   bounds=([0.5, 0, 0.01], [1.0, 100, 3]), maxfev=20000)
        out.update(a=float(a), b3=float(b3), c3=float(c3),
                   n90_free=float(np.exp(min((np.log(b3) - np.log(a - 0.9)) / c3, np.log(CAP)))) if a > 0.9 else CAP)
    except (RuntimeError, ValueError):
        out.update(a=float("nan"), n90_free=float("nan"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--splits", type=int, default=5)
    ap.add_argument("--ks", type=int, nargs="*", default=[0, 25, 50, 75, 100])
    ap.add_argument("--sizes", type=int, nargs="*", default=[50, 100, 150, 197], help="0 (names only) is added")
    ap.add_argument("--repeats", type=int, default=10, help="random subsets of half A per size (< 197)")
    ap.add_argument("--json", type=Path, help="write every figure here")
    ap.add_argument("--weights", action="store_true",
                    help="only the sensitivity to the weight of the tree's names and of the county's feedback")
    args = ap.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="nlp_finetune-"))
    raw_a, raw_b, fields = raw_halves()
    setup_django(home, scratch_shared(home, raw_a, fields))

    from sklearn.model_selection import StratifiedShuffleSplit

    from minqing.appeals.categories import seed_categories
    from minqing.nlp import training
    from minqing.nlp.taidi import Message, parse_time
    from minqing.nlp.textmodel import report, train
    from minqing.nlp.textnorm import normalize
    from minqing.regions.models import Level, Region

    seed_categories(DATA)  # the county's tree as at installation: seeds + 附件1's three levels
    from minqing.appeals.models import Category

    cats = {c.name: c for c in Category.objects.filter(level=1, scheme="taidi")}
    county, _ = Region.objects.get_or_create(code="430121000000", defaults={"name": "长沙县", "level": Level.COUNTY})

    def message(r: dict) -> Message:
        return Message(id=r["留言编号"].strip(), user="", title=normalize(r["留言主题"]), text=normalize(r["留言详情"]),
                       time=parse_time(r["留言时间"]), label=normalize(r["一级分类"]))

    msg_b = [message(r) for r in raw_b]
    y_b = np.array([m.label for m in msg_b])
    src = training.shared_sources(DATA)  # the real 附件2, both halves (the function curves pick rows)
    A, B = src.labelled[0::2], src.labelled[1::2]
    assert [e.label for e in B] == y_b.tolist()
    base = src.base + training.county_sources().base  # what `model train` adds besides the labels
    y_a = np.array([e.label for e in A])

    def subset_model(n: int, rep: int, extra: list | None = None, leaves: bool = True):
        if n >= len(A):
            rows = list(A)
        elif n == 0:
            rows = []
        else:
            idx, _ = next(StratifiedShuffleSplit(1, train_size=n, random_state=rep).split(y_a, y_a))
            rows = [A[i] for i in idx]
        return train(rows + (extra or []) + (base if leaves else []), calibrate=False)

    def subset_scores(n: int, rep: int, evals: dict[str, list[int]], extra: list | None = None) -> dict:
        model = subset_model(n, rep, extra)
        out = {}
        for name, idx_e in evals.items():
            r = report([B[i].label for i in idx_e], model.predict([B[i].text for i in idx_e]))
            out[name] = (r["macro_f1"], r["accuracy"])
        return out

    if args.weights:
        weights(args, A, B, base, y_b, msg_b)
        return
    figures: dict = {"splits": [], "base_on_B": {}, "labels_only_on_B": {}}
    preds: dict[str, dict[int, list[list[str]]]] = {"leaves": {}, "labels only": {}}
    t0, c0 = time.perf_counter(), cpu()
    # --- base curve on the whole of B, with the names of the tree (as the product) and without ----
    for kind, sizes in (("leaves", [0, *args.sizes]), ("labels only", args.sizes)):
        key = "base_on_B" if kind == "leaves" else "labels_only_on_B"
        for n in sizes:
            reps = 1 if n >= len(A) or n == 0 else args.repeats
            preds[kind][n] = [subset_model(n, rep, leaves=kind == "leaves").predict([e.text for e in B])
                              for rep in range(reps)]
            figures[key][n] = [(report(y_b.tolist(), p)["macro_f1"], report(y_b.tolist(), p)["accuracy"])
                               for p in preds[kind][n]]
            f = np.array(figures[key][n])
            sd = f[:, 0].std(ddof=1) if reps > 1 else 0.0
            print(f"{kind:11s} A subset {n:3d} labels → B (197): macro-F1 {f[:, 0].mean():.3f} ± {sd:.3f}"
                  f"  accuracy {f[:, 1].mean():.3f}  ({reps} subsets)", flush=True)
    # --- per split: feedback through the commands, and the curve on B2 --------------------------
    splitter = StratifiedShuffleSplit(args.splits, train_size=100, random_state=20)
    for s, (i1, i2) in enumerate(splitter.split(y_b, y_b)):
        b1 = sorted(i1.tolist(), key=lambda i: (msg_b[i].time is None, msg_b[i].time, i))  # arriving in order
        b2 = sorted(i2.tolist())
        b2_csv = home / f"split{s}_b2.csv"
        write_csv(b2_csv, [raw_b[i] for i in b2], fields)
        row: dict = {"split": s, "product": {}, "function": {}}
        for k in args.ks:
            c1, w1 = cpu(), time.perf_counter()
            feed([msg_b[i] for i in b1[:k]], county, cats)
            trained = command("model", "train", "--exclude", str(b2_csv), "--no-meaning", "--json")
            held = command("model", "evaluate", str(b2_csv), "--json")
            row["product"][k] = (held["macro_f1"], held["accuracy"], trained["labelled"])
            print(f"split {s} k={k:3d}: model train ({trained['labelled']} rows) + evaluate B2 ({held['n']}): "
                  f"macro-F1 {held['macro_f1']:.4f} accuracy {held['accuracy']:.4f} "
                  f"({cpu() - c1:.1f} CPU-s, {time.perf_counter() - w1:.1f} s)", flush=True)
        for n in args.sizes:  # the base curve on this split's B2
            reps = 1 if n >= len(A) else args.repeats
            row["function"][n] = [subset_scores(n, rep, {"B2": b2})["B2"] for rep in range(reps)]
        for k in args.ks:
            if k:
                row["function"][len(A) + k] = [subset_scores(len(A), 0, {"B2": b2}, extra=[B[i] for i in b1[:k]])["B2"]]
        figures["splits"].append(row)
    figures["cpu_s"], figures["wall_s"] = cpu() - c0, time.perf_counter() - t0

    # --- tables ---------------------------------------------------------------------------------
    print("\nFeedback curve (product commands), B2 = 97 messages never trained on, mean ± sd over "
          f"{args.splits} splits; Δ = paired difference with k = 0")
    print("| k corrections | labels trained | macro-F1 | accuracy | Δ macro-F1 |")
    print("|---:|---:|---:|---:|---:|")
    base_f = np.array([r["product"][0][0] for r in figures["splits"]]) if 0 in args.ks else None
    for k in args.ks:
        f = np.array([r["product"][k][0] for r in figures["splits"]])
        acc = np.array([r["product"][k][1] for r in figures["splits"]])
        d = f - base_f if base_f is not None else f * np.nan
        print(f"| {k} | {figures['splits'][0]['product'][k][2]} | {f.mean():.3f} ± {f.std(ddof=1):.3f} | "
              f"{acc.mean():.3f} ± {acc.std(ddof=1):.3f} | {d.mean():+.3f} ± {d.std(ddof=1):.3f} |")
    ns = sorted({n for r in figures["splits"] for n in r["function"]})
    curve = np.array([[np.mean([x[0] for x in r["function"][n]]) for n in ns] for r in figures["splits"]])
    print("\nTraining function on B2 (labels = subset of A, then A + first k of B1), mean ± sd over splits")
    print("| labels | " + " | ".join(str(n) for n in ns) + " |")
    print("|---|" + "---:|" * len(ns))
    print("| macro-F1 | " + " | ".join(f"{m:.3f} ± {sd:.3f}" for m, sd in
                                        zip(curve.mean(0), curve.std(0, ddof=1), strict=True)) + " |")
    fits = {"B2, with the tree's names, 50–297 labels": fit_curve(np.array(ns, float), curve.mean(0))}
    for kind, key in (("with the tree's names", "base_on_B"), ("labels only", "labels_only_on_B")):
        nb = sorted(n for n in figures[key] if n)
        fb = np.array([np.mean([x[0] for x in figures[key][n]]) for n in nb])
        fits[f"B, {kind}, 50–197 labels"] = fit_curve(np.array(nb, float), fb)
    rng = np.random.default_rng(0)
    classes = sorted(set(y_b.tolist()))

    def macro_f1(y: np.ndarray, p: np.ndarray) -> float:
        f = []
        for c in classes:
            tp, t, q = np.sum((y == c) & (p == c)), np.sum(y == c), np.sum(p == c)
            if t:
                f.append(2 * tp / (t + q) if t + q else 0.0)
        return float(np.mean(f))

    boot: dict[str, list[float]] = {}
    for kind in preds:  # resample B's messages and, per size, one of the subsets
        nb = sorted(n for n in preds[kind] if n)
        arr = {n: [np.array(p) for p in preds[kind][n]] for n in nb}
        for _ in range(500):
            m = rng.integers(0, len(y_b), len(y_b))
            pts = [macro_f1(y_b[m], arr[n][rng.integers(len(arr[n]))][m]) for n in nb]
            boot.setdefault(kind, []).append(fit_curve(np.array(nb, float), np.array(pts))["n90"])
    for _ in range(500):  # the B2 curve: resample the splits and, per size, the subsets
        pick = rng.integers(0, len(figures["splits"]), len(figures["splits"]))
        pts = [np.mean([figures["splits"][p]["function"][n][rng.integers(len(figures["splits"][p]["function"][n]))][0]
                        for p in pick]) for n in ns]
        boot.setdefault("B2", []).append(fit_curve(np.array(ns, float), np.array(pts))["n90"])
    figures["fits"] = fits
    figures["n90_boot"] = {k: np.percentile(np.array(v), [10, 50, 90]).tolist() for k, v in boot.items()}
    print("\nExtrapolation to macro-F1 0.90")
    for name, f in fits.items():
        print(f"  {name}: 1−F1 = {f['b']:.3f}·n^−{f['c']:.3f} → 0.90 at n ≈ {labels(f['n90'])} "
              f"(predicts {f['f1_at_9210']:.3f} at 9 210 labels); "
              f"free asymptote a = {f.get('a', float('nan')):.3f} → 0.90 at n ≈ {labels(f.get('n90_free', CAP))}")
    for k, v in figures["n90_boot"].items():
        print(f"  bootstrap, {k} curve (500 resamples): labels for 0.90, 10 / 50 / 90 % = "
              + " / ".join(labels(x) for x in v))
    print(f"\n{figures['cpu_s']:.0f} CPU-s, {figures['wall_s']:.0f} s wall")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str))


def weights(args, A: list, B: list, base: list, y_b: np.ndarray, msg_b: list) -> None:
    """Would the feedback count if it weighed more, or the tree's names less? (1) CV inside half A
    (5 folds × 2, the protocol of decision 0049) of the names' weight; (2) on each split's B2, A + the
    100 corrections of B1 at feedback weight 1 / 2 / 4 against A alone — a sensitivity, not a choice
    (B2 is the evaluation set)."""
    from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

    from minqing.nlp.textmodel import Example, report, train

    y_a = np.array([e.label for e in A])
    for w in (0.5, 1.0, 2.0):
        names = [Example(e.text, e.label, w if e.weight == 2.0 else e.weight) for e in base]
        scores = []
        for rep in range(2):
            pred = np.empty(len(A), dtype=object)
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=rep).split(y_a, y_a):
                pred[te] = train([A[i] for i in tr] + names, calibrate=False).predict([A[i].text for i in te])
            scores.append(report(y_a.tolist(), pred.tolist())["macro_f1"])
        print(f"CV inside A, names at weight {w}: macro-F1 {np.mean(scores):.3f}", flush=True)
    rows: dict[str, list[float]] = {}
    splitter = StratifiedShuffleSplit(args.splits, train_size=100, random_state=20)
    for i1, i2 in splitter.split(y_b, y_b):
        b1 = sorted(i1.tolist(), key=lambda i: (msg_b[i].time is None, msg_b[i].time, i))
        b2 = sorted(i2.tolist())
        truth = [B[i].label for i in b2]
        for name, extra, names_w in (("A alone", [], 2.0), *[(f"A + 100 feedback at weight {w}", w, 2.0)
                                                             for w in (1, 2, 4)],
                                     ("A + 100 feedback, names at weight 1", 1, 1.0)):
            fb = [Example(B[i].text, B[i].label, float(extra), B[i].key) for i in b1[:100]] if extra else []
            names = [Example(e.text, e.label, names_w if e.weight == 2.0 else e.weight) for e in base]
            r = report(truth, train(list(A) + fb + names, calibrate=False).predict([B[i].text for i in b2]))
            rows.setdefault(name, []).append(r["macro_f1"])
    first = np.array(rows["A alone"])
    print(f"\nOn B2, {args.splits} splits (sensitivity only: B2 is the evaluation set, nothing chosen on it)")
    print("| training | macro-F1 | Δ vs A alone (paired) |\n|---|---:|---:|")
    for name, v in rows.items():
        d = np.array(v) - first
        print(f"| {name} | {np.mean(v):.3f} ± {np.std(v, ddof=1):.3f} | {d.mean():+.3f} ± {d.std(ddof=1):.3f} |")


if __name__ == "__main__":
    main()
