"""nlp.charsim gives the numbers of scikit-learn's character TF-IDF (what nlp.duplicates used before)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from minqing.nlp.charsim import cosines
from minqing.nlp.duplicates import fold

TEXTS = ["村口路灯不亮", "甲村村口的路灯不亮了，晚上走路看不见", "二组水渠堵塞，灌溉困难", "ABC  de", "abc de",
         "", "x", "路灯坏了 Lamp BROKEN", "   ", "噪音扰民，晚上吵闹", "甲村村口的路灯不亮了，晚上走路都看不见啊"]


def sklearn_cosines(query: str, docs: list[str]) -> np.ndarray:
    X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform([query, *docs])
    return (X[1:] @ X[0].T).toarray().ravel()


@pytest.mark.parametrize("folded", [False, True])
def test_the_same_cosines_as_tfidfvectorizer(folded):
    texts = [fold(t) for t in TEXTS] if folded else TEXTS
    for i, query in enumerate(texts):
        if not query.strip():
            continue
        docs = texts[:i] + texts[i + 1:]
        assert np.allclose(cosines(query, docs), sklearn_cosines(query, docs), atol=1e-12)


def test_lowered_docs_are_taken_as_they_are():
    docs = [fold(t).lower() for t in TEXTS]
    assert np.allclose(cosines("村口路灯坏了", docs, lowered=True), sklearn_cosines("村口路灯坏了", docs), atol=1e-12)
    assert cosines("", []).shape == (0,) and list(cosines("", ["", ""])) == [0.0, 0.0]


def test_the_same_cosines_on_the_residents_messages(shared_data_dir):
    from minqing.nlp.taidi import read_messages

    texts = [fold(f"{m.title} {m.text}") for m in read_messages(shared_data_dir / "taidi2020c" / "附件3.csv")][:905]
    for start in range(0, 905, 301):
        part = texts[start:start + 301]
        assert np.allclose(cosines(part[0], part[1:]), sklearn_cosines(part[0], part[1:]), atol=1e-12)
