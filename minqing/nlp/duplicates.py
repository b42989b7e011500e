"""Open appeals that say the same thing about the same place (at intake and in the workbench).

exact: the same text after normalisation; near: character-bigram cosine ≥ NEAR; paraphrase:
≥ PARAPHRASE after folding common synonyms (坏了/不亮/损坏 …). The same village adds SAME_PLACE,
the same township SAME_TOWN to the score, so a lamp in another village ranks below one here.
Merging is the appeals action `merge_into` (POST /api/v1/appeals/{id}/actions/merge_into)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .textnorm import normalize, text_hash

NEAR = 0.8
PARAPHRASE = 0.42
SAME_PLACE = 0.1
SAME_TOWN = 0.05
MAX_CANDIDATES = 2000

_SYNONYMS = [
    (r"不亮|不能亮|损坏|坏掉|坏了|故障|失灵|破损|破烂|烂了|不能用|不好用", "坏"),
    (r"堵塞|堵住|堵了|不通畅|不通", "堵"), (r"漏水|渗水|渗漏|漏了", "漏"), (r"垃圾堆放|乱堆垃圾|垃圾成堆", "垃圾堆"),
    (r"噪音|噪声|吵闹|扰民", "噪"), (r"尽快|及早|早日|赶紧", ""), (r"维修|修理|修复|修缮", "修"),
    (r"道路|马路|公路|路面", "路"), (r"村里|村内|村上", "村"), (r"小区里|小区内", "小区"),
]
_SYN = [(re.compile(p), r) for p, r in _SYNONYMS]


def fold(text: str) -> str:
    text = normalize(text)
    for pattern, repl in _SYN:
        text = pattern.sub(repl, text)
    return re.sub(r"[^\w]", "", text)


@dataclass
class Match:
    appeal: Any
    score: float
    kind: str  # exact | near | paraphrase
    similarity: float


def _place_bonus(code: str | None, other: str) -> float:
    if not code:
        return 0.0
    if code == other:
        return SAME_PLACE
    both_below = min(regioncode.level_of(code), regioncode.level_of(other)) >= regioncode.TOWNSHIP
    return SAME_TOWN if both_below and code[:9] == other[:9] else 0.0


def similar_open(user, text: str, *, title: str = "", region_code: str | None = None, exclude_id: int | None = None,
                 limit: int = 5) -> list[Match]:
    """Open (or paused) appeals this user may see that resemble the text, best first."""
    from minqing.appeals.models import Appeal

    query = f"{title} {text}".strip()
    if not normalize(query):
        return []
    qs = jurisdiction.visible(user, Appeal).filter(group__in=["open", "paused"], merged_into__isnull=True)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    if region_code:
        region_code = regioncode.normalize(region_code)
        qs = qs.filter(jurisdiction.region_q([region_code[:6].ljust(12, "0")]))  # the same county
    rows = list(qs.order_by("-received_at").only("id", "title", "text", "region_id", "number", "status",
                                                  "received_at")[:MAX_CANDIDATES])
    if not rows:
        return []
    key = text_hash(text)
    docs = [fold(query)] + [fold(f"{a.title} {a.text}") for a in rows]
    X = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True).fit_transform(docs)
    sims = (X[1:] @ X[0].T).toarray().ravel()
    out: list[Match] = []
    for a, sim in zip(rows, sims, strict=True):
        if text_hash(a.text) == key or text_hash(f"{a.title} {a.text}") == text_hash(query):
            kind, sim = "exact", 1.0
        elif sim >= NEAR:
            kind = "near"
        elif sim >= PARAPHRASE:
            kind = "paraphrase"
        else:
            continue
        score = min(1.0, float(sim) + _place_bonus(region_code, a.region_id))
        out.append(Match(appeal=a, score=round(score, 4), kind=kind, similarity=round(float(sim), 4)))
    out.sort(key=lambda m: (-m.score, -m.appeal.received_at.timestamp()))
    return out[:limit]
