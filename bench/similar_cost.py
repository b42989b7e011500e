"""CPU of the similar-cases comparison per candidate on realistic texts (附件3 of ../shared/data, ~370
characters each): nlp.duplicates' fold + character TF-IDF fit over the query and N candidates, as on the
case page (the bench database's constant texts hide this cost).

    .venv/bin/python bench/similar_cost.py            # N = 150, 300, 2000; CPU ms per fit, median of 3
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

    msgs = read_messages(REPO.parent.parent / "shared" / "data" / "taidi2020c" / "附件3.csv") \
        if (REPO.parent.parent / "shared").exists() else read_messages(Path("/work/shared/data/taidi2020c/附件3.csv"))
    texts = [f"{m.title} {m.text}" for m in msgs]
    print(f"{len(texts)} messages, {sum(map(len, texts)) / len(texts):.0f} characters on average")
    for n in (150, 300, 2000):
        docs = texts[:n + 1]
        runs = []
        for _ in range(3):
            c = cpu()
            folded = [fold(d) for d in docs]
            X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(folded)
            (X[1:] @ X[0].T).toarray()
            runs.append((cpu() - c) * 1e3)
        print(f"{n:5d} candidates: {statistics.median(runs):7.0f} ms CPU ({statistics.median(runs) / n:.2f} ms each)")


if __name__ == "__main__":
    main()
