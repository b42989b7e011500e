"""Appeals that say the same thing about the same place (at intake and on the case page): open ones,
and those closed within the repeat window (MINQING_REPEAT_WINDOW_DAYS, default 90), in the places the
user may see. The candidates are bounded by place (the case's township) and time (received within the
window around the case, nearest first), each read an index range (candidate_reads; docs/decisions 0057).

exact: the same text after normalisation; near: character-bigram cosine ≥ NEAR; paraphrase:
≥ PARAPHRASE after folding common synonyms (坏了/不亮/损坏 …); meaning: the words differ but the
meaning vectors of the category model file (meaning.py: word LSA with the county's synonyms) have a
cosine ≥ MEANING, and the case is in the same village or community — measured on 附件3, a meaning match
without the same place is mostly another place's similar complaint (docs/decisions, nlp20). The same
village adds SAME_PLACE, the same township SAME_TOWN to the score, so a lamp in another village ranks
below one here. Merging is the appeals action `merge_into` (POST /api/v1/appeals/{id}/actions/merge_into);
a closed case is not merged into but shown (a repeat after closure is the dispatcher's, repeats.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from .charsim import cosines
from .textnorm import hash_normalized, normalize, text_hash

NEAR = 0.8
PARAPHRASE = 0.42
SAME_PLACE = 0.1
SAME_TOWN = 0.05
MEANING = 0.6
MAX_CANDIDATES = 300  # compared per request, nearest in time first (≈ 1 ms CPU each at 370 characters)
LIVE, CLOSED = ("open", "paused"), ("solved", "closed_unsolved")  # the groups compared
PER_READ = 150  # rows per candidate read (open before/after, paused before/after, recently closed)
# Not the text: each candidate's stored signature (TextSignature) is what is compared; the texts are read
# (one statement) only of candidates without one and of those the meaning vectors look at.
FIELDS = ("id", "title", "region_id", "number", "status", "group", "received_at")
MAX_MEANING = 300  # same-place candidates whose meaning vector is computed on the fly (≈ 1 400/CPU-s)

_SYNONYMS = [
    (r"不亮|不能亮|损坏|坏掉|坏了|故障|失灵|破损|破烂|烂了|不能用|不好用", "坏"),
    (r"堵塞|堵住|堵了|不通畅|不通", "堵"), (r"漏水|渗水|渗漏|漏了", "漏"), (r"垃圾堆放|乱堆垃圾|垃圾成堆", "垃圾堆"),
    (r"噪音|噪声|吵闹|扰民", "噪"), (r"尽快|及早|早日|赶紧", ""), (r"维修|修理|修复|修缮", "修"),
    (r"道路|马路|公路|路面", "路"), (r"村里|村内|村上", "村"), (r"小区里|小区内", "小区"),
]
_SYN = [(re.compile(p), r) for p, r in _SYNONYMS]
# The version of fold(): a stored signature of another version is computed again from the text.
FOLDS = hashlib.sha1(repr((1, _SYNONYMS)).encode()).hexdigest()[:12]


def fold_groups() -> list[tuple[str, ...]]:
    """The folds above as synonym groups (the folded word first) for the meaning vectors."""
    return [(r, *p.split("|")) for p, r in _SYNONYMS if r]


_NOT_WORD = re.compile(r"[^\w]")


def fold(text: str) -> str:
    return _fold_normalized(normalize(text))


def _fold_normalized(text: str) -> str:
    for pattern, repl in _SYN:
        text = pattern.sub(repl, text)
    return _NOT_WORD.sub("", text)


class Signature(NamedTuple):
    """What the comparison needs of a text (stored per appeal as nlp.models.TextSignature)."""

    folded: str  # fold(f"{title} {text}") in lower case: the character TF-IDF's input
    key: str  # text_hash(text)
    key_full: str  # text_hash(f"{title} {text}")


def signature(title: str, text: str) -> Signature:
    full = normalize(f"{title} {text}")  # once for the fold and the full key
    return Signature(_fold_normalized(full).lower(), text_hash(text), hash_normalized(full))


def signature_rows(appeals: Iterable[Any]) -> list:
    """Unsaved TextSignature rows of some appeals (title and text loaded)."""
    from .models import TextSignature

    return [TextSignature(appeal_id=a.pk, folds=FOLDS, **signature(a.title, a.text)._asdict()) for a in appeals]


def store_signature(appeal: Any) -> None:
    """Write (or replace) one appeal's signature: at registration, in the appeal's own transaction
    (nlp.follow, through appeals.hooks), so that a registered case always has one."""
    _write_signatures(signature_rows([appeal]))


def _write_signatures(rows: list) -> None:
    from .models import TextSignature

    TextSignature.objects.bulk_create(rows, update_conflicts=True, unique_fields=["appeal"],
                                      update_fields=["folds", "folded", "key", "key_full"])


def fill_signatures(*, region: str | None = None, batch: int = 2000, progress=None) -> int:
    """Write the missing or outdated signatures (appeals imported in bulk before this existed, or after
    the fold rules changed): keyset pages of `batch` appeals, one transaction each. `region`: only the
    appeals of that place (a code prefix, e.g. a township's 9 digits). Returns how many were written."""
    from django.db import transaction

    from minqing.appeals.models import Appeal

    from .models import TextSignature

    qs = Appeal.objects.all()
    if region:
        code = regioncode.normalize(region)
        qs = qs.filter(jurisdiction.region_q([code]))
    last, written = 0, 0
    while True:
        page = list(qs.filter(pk__gt=last).order_by("pk").only("pk", "title", "text")[:batch])
        if not page:
            return written
        last = page[-1].pk
        done = set(TextSignature.objects.filter(appeal_id__in=[a.pk for a in page], folds=FOLDS)
                   .values_list("appeal_id", flat=True))
        todo = [a for a in page if a.pk not in done]
        if todo:
            with transaction.atomic():
                _write_signatures(signature_rows(todo))
            written += len(todo)
        if progress:
            progress(last, written)


def _signatures(rows: list) -> list[Signature]:
    """The candidates' signatures: stored ones in one read; the texts of the others in a second read."""
    from minqing.appeals.models import Appeal

    from .models import TextSignature

    ids = [a.pk for a in rows]
    found = {pk: Signature(*rest) for pk, *rest in TextSignature.objects.filter(appeal_id__in=ids, folds=FOLDS)
             .values_list("appeal_id", "folded", "key", "key_full")}
    missing = [a for a in rows if a.pk not in found]
    if missing:
        texts = dict(Appeal.objects.filter(pk__in=[a.pk for a in missing]).values_list("pk", "text"))
        for a in missing:
            a.text = texts.get(a.pk, "")
            found[a.pk] = signature(a.title, a.text)
    return [found[pk] for pk in ids]


@dataclass
class Match:
    appeal: Any
    score: float
    kind: str  # exact | near | paraphrase | meaning
    similarity: float
    closed: bool = False  # closed within the repeat window: shown, not merged into


def window_days() -> int:
    return int(getattr(settings, "MINQING_REPEAT_WINDOW_DAYS", 90))


def _meaning_model():
    from . import classify

    model = classify.current_model()
    return getattr(model, "meaning", None) if model is not None else None


def _place_bonus(code: str | None, other: str) -> float:
    if not code:
        return 0.0
    if code == other:
        return SAME_PLACE
    both_below = min(regioncode.level_of(code), regioncode.level_of(other)) >= regioncode.TOWNSHIP
    return SAME_TOWN if both_below and code[:9] == other[:9] else 0.0


def place_of(region_code: str) -> str:
    """The place the candidates come from: the case's township (its village's or its own), or the
    county of a case registered at county level — a like complaint elsewhere is another place's."""
    code = regioncode.normalize(region_code)
    if regioncode.level_of(code) >= regioncode.TOWNSHIP:
        return code[:9].ljust(12, "0")
    return code[:6].ljust(12, "0")


def candidate_reads(user, *, region_code: str | None, exclude_id: int | None, around: dt.datetime | None,
                    include_closed: bool, now: dt.datetime) -> list[QuerySet]:
    """The reads of the appeals compared, bounded by place and time so that each is an index range
    whatever the size of the county (docs/decisions/0057-detail21-case-page-at-scale.md): per open
    group, the cases received nearest to `around` (the case's receipt; now at intake) within the repeat
    window before and after it (index appeal_list_group: group, received_at, …, region), and the cases
    closed within the window (appeal_closed_group: group, closed_at, …, region); PER_READ rows each, in the
    place of `region_code` (place_of), always inside the user's jurisdiction."""
    from minqing.appeals.models import Appeal

    days = dt.timedelta(days=window_days())
    # No `merged_into IS NULL`: a case of the groups read here has none (only the merged group does:
    # appeals.snapshot clears it), and SQLite would take that column's index for it — a scan of every case.
    base = jurisdiction.visible(user, Appeal)  # alive() included
    if exclude_id:
        base = base.exclude(pk=exclude_id)
    if region_code:
        base = base.filter(jurisdiction.region_q([place_of(region_code)]))
    base = base.only(*FIELDS)
    at = min(around or now, now)
    reads = []
    for group in LIVE:
        same = base.filter(group=group)
        reads.append(same.filter(received_at__lte=at, received_at__gte=at - days).order_by("-received_at", "-id"))
        if at < now:  # a case page: those received after this case too
            reads.append(same.filter(received_at__gt=at, received_at__lte=min(at + days, now))
                         .order_by("received_at", "id"))
    if include_closed:
        for group in CLOSED:  # one range of appeal_closed_group each, newest closing first
            reads.append(base.filter(group=group, closed_at__gte=now - days).order_by("-closed_at", "-id"))
    return [qs[:PER_READ] for qs in reads]


def _candidates(user, *, around: dt.datetime | None, now: dt.datetime, **kw: Any) -> list:
    """The candidates of all reads, once each, nearest in time to `around` first, at most MAX_CANDIDATES."""
    rows: dict[int, Any] = {}
    for qs in candidate_reads(user, around=around, now=now, **kw):
        for a in qs:
            rows.setdefault(a.pk, a)
    at = min(around or now, now)
    return sorted(rows.values(), key=lambda a: (abs((a.received_at - at).total_seconds()), -a.pk))[:MAX_CANDIDATES]


def similar_open(user, text: str, *, title: str = "", region_code: str | None = None, exclude_id: int | None = None,
                 limit: int = 5, include_closed: bool = True, now: dt.datetime | None = None,
                 around: dt.datetime | None = None) -> list[Match]:
    """Appeals this user may see that resemble the text, best first: open or paused ones, and (unless
    include_closed is False) those closed within the repeat window. `around`: when the case was received
    (the case page; default now, as at intake) — candidates are read near it in time (_candidates)."""
    query = f"{title} {text}".strip()
    if not normalize(query):
        return []
    if region_code:
        region_code = regioncode.normalize(region_code)
    rows = _candidates(user, region_code=region_code, exclude_id=exclude_id, around=around,
                       include_closed=include_closed, now=now or timezone.now())
    if not rows:
        return []
    key, key_full = text_hash(text), text_hash(query)
    sigs = _signatures(rows)
    sims = cosines(fold(query), [s.folded for s in sigs], lowered=True)
    meanings = _meanings(query, title, text, rows, sims, region_code)
    out: list[Match] = []
    for i, (a, sig, sim) in enumerate(zip(rows, sigs, sims, strict=True)):
        if sig.key == key or sig.key_full == key_full:
            kind, sim = "exact", 1.0
        elif sim >= NEAR:
            kind = "near"
        elif sim >= PARAPHRASE:
            kind = "paraphrase"
        elif meanings.get(i, 0.0) >= MEANING:
            kind, sim = "meaning", meanings[i]
        else:
            continue
        score = min(1.0, float(sim) + _place_bonus(region_code, a.region_id))
        out.append(Match(appeal=a, score=round(score, 4), kind=kind, similarity=round(float(sim), 4),
                         closed=a.group not in LIVE))
    out.sort(key=lambda m: (-m.score, -m.appeal.received_at.timestamp()))
    out = out[:limit]
    prefetch_related_objects([m.appeal for m in out], "region")  # named on the page: one read, not one each
    return out


def _meanings(query: str, title: str, text: str, rows: list, sims, region_code: str | None) -> dict[int, float]:
    """Meaning cosines of the candidates in the same village or community that the characters missed
    (computed on the fly: a few dozen per place, see bench/RESULTS.md)."""
    if not region_code:
        return {}
    model = _meaning_model()
    if model is None:
        return {}
    idx = [i for i, a in enumerate(rows) if a.region_id == region_code and sims[i] < PARAPHRASE][:MAX_MEANING]
    if not idx:
        return {}
    from minqing.appeals.models import Appeal

    from .meaning import message_text

    unread = [rows[i].pk for i in idx if "text" in rows[i].get_deferred_fields()]
    if unread:  # their texts: one read
        texts = dict(Appeal.objects.filter(pk__in=unread).values_list("pk", "text"))
        for i in idx:
            if rows[i].pk in texts:
                rows[i].text = texts[rows[i].pk]
    body = text if title else query
    V = model.vectors([message_text(title, body)] + [message_text(rows[i].title, rows[i].text) for i in idx])
    if not V[0].any():
        return {}
    return {i: float(v) for i, v in zip(idx, V[1:] @ V[0], strict=True)}
