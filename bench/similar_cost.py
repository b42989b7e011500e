"""CPU of the similar-cases comparison per candidate on realistic texts (附件3 of ../shared/data, ~370
characters each): nlp.duplicates' fold + character TF-IDF fit over the query and N candidates, as on the
case page (the bench database's constant texts hide this cost).

    .venv/bin/python bench/similar_cost.py            # N = 150, 300, 2000; CPU ms per fit, median of 3

before (detail21): per candidate fold + the two exact keys (text_hash) + TfidfVectorizer over all;
now (detail22): the candidates' stored signatures (folded text, keys) + nlp.charsim over them — the
statement that reads the signatures is not in this figure (see bench/detail_profile.py).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    import django

    django.setup()
    from sklearn.feature_extraction.text import TfidfVectorizer

    from minqing.nlp.duplicates import fold
    from minqing.nlp.taidi import read_messages

    msgs = list(read_messages(REPO.parent.parent / "shared" / "data" / "taidi2020c" / "附件3.csv") \
        if (REPO.parent.parent / "shared").exists() else read_messages(Path("/work/shared/data/taidi2020c/附件3.csv")))
    texts = [f"{m.title} {m.text}" for m in msgs]
    print(f"{len(texts)} messages, {sum(map(len, texts)) / len(texts):.0f} characters on average")
    from minqing.nlp.charsim import cosines
    from minqing.nlp.duplicates import signature
    from minqing.nlp.textnorm import text_hash

    pairs = [(m.title, m.text) for m in msgs]
    stored = [signature(t, x) for t, x in pairs]
    for n in (150, 300, 2000):
        before, now = [], []
        for _ in range(3):
            c = cpu()
            folded = [fold(d) for d in texts[:n + 1]]
            keys = [(text_hash(x), text_hash(f"{t} {x}")) for t, x in pairs[1:n + 1]]
            X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(folded)
            (X[1:] @ X[0].T).toarray()
            before.append((cpu() - c) * 1e3)
            c = cpu()
            key = (text_hash(pairs[0][1]), text_hash(texts[0]))
            cosines(fold(texts[0]), [s.folded for s in stored[1:n + 1]], lowered=True)
            [s.key == key[0] or s.key_full == key[1] for s in stored[1:n + 1]]
            now.append((cpu() - c) * 1e3)
        assert keys
        b, a = statistics.median(before), statistics.median(now)
        print(f"{n:5d} candidates: before {b:7.0f} ms CPU ({b / n:.2f} ms each), now {a:6.1f} ms ({a / n:.3f} ms each)")


if __name__ == "__main__":
    main()
