"""Meaning vectors of messages for duplicate suggestions (issue 20): word-level LSA.

Character n-grams find the same words; they miss 路灯不亮 / 照明坏了. Here a message becomes jieba
words (synonyms of the county's list folded onto one word first), TF-IDF, then a TruncatedSVD
projection fitted on the unlabelled pool, so words that occur in the same kind of messages land near
each other. The fitted object is small (vocabulary, idf, projection: a few MB) and travels inside the
signed category model file (`minqing model train`); nothing is downloaded. No Django here.

Choices (measured, bench/nlp_duplicates.py and docs/decisions): 150 dimensions, 15 000 words seen in
≥ 2 messages, the subject once plus the first 300 characters of the body."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import jieba
import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from .textnorm import normalize

jieba.setLogLevel(60)

DIMENSIONS = 150
MAX_WORDS = 15000
BODY_CHARS = 300
_KEEP = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$|^[\u4e00-\u9fff]$")
# Words every message carries (greetings, the address of the letter): they would make all letters alike.
STOP = frozenset("""您好 你好 尊敬 领导 请问 希望 问题 反映 情况 谢谢 感谢 我们 你们 他们 自己 这个 那个
一个 没有 已经 可以 因为 所以 但是 而且 还是 就是 现在 目前 相关 部门 有关 进行 要求 解决 处理 什么 怎么
如何 为什么 是否 能否 的 了 在 是 我 有 和 就 不 人 都 也 很 到 说 要 去 会 着 看 好 这 那 吗 呢 吧 啊 及
与 或 被 把 对 从 等 后 前 中 上 下 已 还 又 让 给""".split())


def fold_map(groups: Iterable[Sequence[str] | str]) -> dict[str, str]:
    """word → the first word of its synonym group (路灯 照明 → 照明 reads as 路灯); a group is a
    sequence of words or one string of words separated by spaces."""
    out: dict[str, str] = {}
    for group in groups:
        words = [w.lower() for w in (group.split() if isinstance(group, str) else group) if w]
        for w in words:
            out.setdefault(w, words[0])
    return out


def words(text: str, folds: dict[str, str]) -> list[str]:
    """Content words of a text, synonyms folded. Group words are added to jieba's dictionary by
    `Meaning.ready`, so 照明 and 最低生活保障 are cut as one word."""
    out = []
    for w in jieba.lcut(normalize(text).lower(), HMM=False):
        w = folds.get(w, w)
        if _KEEP.match(w) and w not in STOP:
            out.append(w)
    return out


def message_text(title: str, text: str) -> str:
    return f"{normalize(title)} {normalize(text)[:BODY_CHARS]}"


@dataclass
class Meaning:
    vocabulary: dict[str, int]
    idf: np.ndarray  # float32, one per word
    projection: np.ndarray  # float32, words × DIMENSIONS
    folds: dict[str, str]

    def ready(self) -> None:
        for w in self.folds:
            if len(w) > 1:
                jieba.add_word(w)

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear TF-IDF rows (L2-normalised) of the fitted vocabulary."""
        self.ready()
        rows, cols, vals = [], [], []
        for i, t in enumerate(texts):
            counts: dict[int, int] = {}
            for w in words(t, self.folds):
                j = self.vocabulary.get(w)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            for j, c in counts.items():
                rows.append(i)
                cols.append(j)
                vals.append((1.0 + np.log(c)) * self.idf[j])
        X = sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                          shape=(len(texts), len(self.vocabulary)))
        norms = np.sqrt(np.asarray(X.multiply(X).sum(1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms).dot(X).tocsr()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors (n × DIMENSIONS); a text with no known word is the zero vector."""
        if not texts:
            return np.zeros((0, self.projection.shape[1]), dtype=np.float32)
        V = np.asarray(self.matrix(texts) @ self.projection, dtype=np.float32)
        norms = np.linalg.norm(V, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return V / norms


def fit(texts: Sequence[str], groups: Iterable[Sequence[str]] = (), *, dimensions: int = DIMENSIONS,
        max_words: int = MAX_WORDS, seed: int = 0) -> Meaning:
    """Fit on unlabelled messages (each `message_text(title, body)`)."""
    folds = fold_map(groups)
    for w in folds:
        if len(w) > 1:
            jieba.add_word(w)
    vec = TfidfVectorizer(analyzer=lambda t: words(t, folds), min_df=2, max_features=max_words, sublinear_tf=True,
                          dtype=np.float32)
    X = vec.fit_transform(texts)
    if min(X.shape) < 3:
        raise ValueError("too few messages or words for meaning vectors")
    k = min(dimensions, X.shape[1] - 1, X.shape[0] - 1)
    svd = TruncatedSVD(n_components=k, random_state=seed).fit(X)
    return Meaning(vocabulary={w: int(i) for w, i in vec.vocabulary_.items()}, idf=vec.idf_.astype(np.float32),
                   projection=np.ascontiguousarray(svd.components_.T, dtype=np.float32), folds=folds)
