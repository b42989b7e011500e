"""Chinese full-text search over appeals, their reports, replies and progress notes, and visit notes:
one line per case (its best snippet), the number of cases, the county's synonyms (噪音 finds 扰民).

Documents are indexed by searchindex.py (Han bigrams, spaces between Han characters removed). A
query is cut into words (jieba, the county's synonyms first); each word must appear as a phrase of
its bigrams, so 垃圾清运 finds 垃圾 清运 and 路灯 finds 小区路灯坏了; a space between words means
both. The user's jurisdiction is one more condition inside the full-text index (scope tokens);
then every case shown is checked through the source model's jurisdiction filter: nobody gets an id
they may not see. A whole phone or ID number is looked up by its keyed hash only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jieba
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q

from minqing.lib import regioncode
from minqing.regions import jurisdiction

from . import synonyms
from .models import SearchDoc
from .searchindex import (  # noqa: F401  (the indexing side, re-exported for its callers)
    LEVELS,
    clean,
    index_appeal,
    index_event,
    index_progress,
    index_report,
    index_visit,
    put,
    rebuild,
    remove,
    reply_text,
    terms_of,
    tokens,
    visit_model,
)
from .textnorm import bigrams, normalize

jieba.setLogLevel(60)
KINDS = ("appeal", "report", "progress", "reply", "visit", "resident")
MAX_CANDIDATES = 1000  # documents read per query; past it the newest are read and the total estimated
MIN_TERM = 2  # a query needs one term of two characters (a Han bigram or a word)
TOO_SHORT = "检索词太短：请至少输入两个字（或一个完整的词、号码）"
_WHOLE_NUMBER = re.compile(r"^(\d{11}|\d{17}[\dXx]|0\d{2,3}-?\d{7,8})$")
_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
# Which document of a case stands for it when several match: the case's own text first.
_PREFER = {"appeal": 0, "report": 1, "reply": 2, "progress": 3, "visit": 0}


@dataclass
class Hit:
    object_type: str
    object_id: int
    title: str
    snippet: str  # HTML: escaped text with <mark> around the matching words
    score: float
    region_code: str
    appeal_id: int | None = None
    url: str = ""
    place: str = ""  # the township and village in words (never the code)
    at: Any = None


@dataclass
class Results:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # cases (and visit notes) found within the user's jurisdiction
    estimated: bool = False  # past MAX_CANDIDATES: counted in the index, not checked case by case


def url_for(hit: Hit) -> str:
    """Where a hit leads: the object's page when that part has one, else its API resource."""
    from django.urls import NoReverseMatch, reverse

    if hit.url:
        return hit.url
    names = {"visit": [("fieldwork:visit", hit.object_id)],
             "appeal": [("appeals:detail", hit.appeal_id), ("web:appeal", hit.appeal_id)]}
    for name, pk in names.get(hit.object_type, names["appeal"]):
        try:
            return reverse(name, args=[pk])
        except NoReverseMatch:
            continue
    if hit.object_type == "visit":  # no visit page yet: the household it was about
        Visit = visit_model()
        household = Visit.objects.filter(pk=hit.object_id).values_list("household_id", flat=True).first() \
            if Visit is not None else None
        return reverse("web:household", args=[household]) if household else f"/api/v1/field/visits/{hit.object_id}"
    return f"/api/v1/appeals/{hit.appeal_id or hit.object_id}"


# --- the query ---------------------------------------------------------------------------------

Alternative = tuple[str, ...]  # the tokens of one word, to be found as a phrase


@dataclass
class Parsed:
    units: list[list[Alternative]]  # every unit must match; a unit matches when one of its words does
    words: list[str]  # what to highlight


def _split_synonyms(run: str, lookup: dict[str, tuple[str, ...]]) -> list[tuple[str, bool]]:
    """A Han run cut at the county's synonym words (longest first): [(piece, is_synonym)]."""
    longest = max((len(w) for w in lookup), default=0)
    out: list[tuple[str, bool]] = []
    plain, i = "", 0
    while i < len(run):
        for n in range(min(longest, len(run) - i), 1, -1):
            if run[i:i + n] in lookup:
                if plain:
                    out.append((plain, False))
                    plain = ""
                out.append((run[i:i + n], True))
                i += n
                break
        else:
            plain += run[i]
            i += 1
    if plain:
        out.append((plain, False))
    return out


def _segments(piece: str) -> list[str]:
    """jieba words of a piece; runs of single characters stay together (张三丰, 坏了); a lone
    character is joined to the end of the word before it (路灯坏 → 路灯, 灯坏)."""
    segs: list[str] = []
    singles = False
    for w in jieba.lcut(piece, HMM=False):
        if len(w) == 1 and singles:
            segs[-1] += w
        else:
            segs.append(w)
        singles = len(w) == 1
    merged: list[str] = []
    for i, w in enumerate(segs):
        if len(w) == 1 and len(segs) > 1:
            merged.append(segs[i - 1][-1] + w if i > 0 else w + segs[i + 1][0])
        else:
            merged.append(w)
    return list(dict.fromkeys(merged))


def parse(q: str, lookup: dict[str, tuple[str, ...]]) -> Parsed:
    units: list[list[Alternative]] = []
    words: list[str] = []

    def add(alts: Iterable[str]) -> None:
        alts = [w for w in dict.fromkeys(alts) if tokens(w)]
        if alts:
            units.append([tuple(tokens(w)) for w in alts])
            words.extend(alts)

    for part in normalize(q).lower().split(" "):  # a space between words: both must be there
        for run in _HAN_RUN.findall(clean(part)):
            if run[0].isascii():
                add(lookup.get(run, (run,)))
                continue
            for piece, is_synonym in _split_synonyms(run, lookup):
                if is_synonym:
                    add(lookup[piece])
                else:
                    for seg in _segments(piece):
                        add([seg])
    return Parsed(units, words)


def _single(alt: Alternative) -> bool:
    return len(alt) == 1 and len(alt[0]) == 1 and not alt[0].isascii()


def _fts_expr(p: Parsed, scope: list[str]) -> str:
    def alt(a: Alternative) -> str:
        return f'"{a[0]}"*' if _single(a) else '"' + " ".join(a) + '"'

    text = " AND ".join("(" + " OR ".join(alt(a) for a in unit) + ")" for unit in p.units)
    expr = f"terms : ({text})"
    if scope:
        expr += " AND scope : (" + " OR ".join(scope) + ")"
    return expr


def _ts_expr(p: Parsed, scope: list[str]) -> str:
    def alt(a: Alternative) -> str:
        return f"'{a[0]}':*" if _single(a) else "(" + " <-> ".join(f"'{t}'" for t in a) + ")"

    parts = ["(" + " | ".join(alt(a) for a in unit) + ")" for unit in p.units]
    if scope:
        parts.append("(" + " | ".join(f"'{t}'" for t in scope) + ")")
    return " & ".join(parts)


def _scope_tokens(user, kinds: Iterable[str] | None) -> tuple[list[str] | None, list[str]]:
    """(who: scope tokens of the user's jurisdiction, None for a superuser; kinds: k<kind> tokens)."""
    scope = jurisdiction.scope_of(user)
    kind_tokens = [f"k{k}" for k in kinds] if kinds else []
    if scope.is_superuser:
        return None, kind_tokens
    codes = set(scope.place_codes) | {p.region_code for p in scope.posts}  # 纪委 and other units by place
    who = sorted(f"r{regioncode.prefix(c)}" for c in codes)
    who += [f"u{u}" for u in sorted(scope.unit_ids)]
    if scope.user_id:
        who.append(f"o{scope.user_id}")
    return who, kind_tokens


def _covers_everything(who: list[str]) -> bool:
    """Does one of these place tokens cover every document in the index? Then the condition is a
    no-op (a county leader where the index holds one county) that would still cost the engine a walk
    over a posting list as long as the index: it is left out. Two index reads (the lowest and the
    highest place code); every code between two codes that start with a prefix starts with it too."""
    prefixes = [t[1:] for t in who if t.startswith("r") and len(t) - 1 in LEVELS]
    if not prefixes:
        return False
    low = SearchDoc.objects.order_by("region_code").values_list("region_code", flat=True).first()
    high = SearchDoc.objects.order_by("-region_code").values_list("region_code", flat=True).first()
    return low is not None and any(low.startswith(p) and high.startswith(p) for p in prefixes)


# A candidate: (doc id, score higher-is-better, object_type, object_id, appeal_id)
Row = tuple[int, float, str, int, int | None]


def _candidates(p: Parsed, who: list[str] | None, kinds: list[str]) -> tuple[list[Row], int]:
    """The candidate documents and how many documents match in all. Up to MAX_CANDIDATES matches all
    are ranked; past it, ranking every match costs more than a page is worth (0.2 s for 15 000), so the
    newest MAX_CANDIDATES are read and ranked — the total is then estimated from them."""
    if who and _covers_everything(who):
        who = []  # the source model's jurisdiction filter still checks every candidate (_visible)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            tsq = _ts_expr(p, who or [])
            if kinds:
                tsq += " & (" + " | ".join(f"'{k}'" for k in kinds) + ")"
            # One pass over the matches: their number (a window over all of them, taken before the LIMIT)
            # and the newest MAX_CANDIDATES, ranked. When they are fewer, that is all of them, ranked as
            # before; the count no longer reads every matching row's page a second time (searchpg23:
            # 125 → 79 ms for 噪音 at 100 000 documents, warm). The newest by `d.id + 0`, not `d.id`:
            # ordered by the key, the planner walks the primary key backwards testing every document's
            # tsvector (detoasted) until it has enough — 1.7 s at 100 000 documents (search22).
            cur.execute("SELECT id, ts_rank(tsv, to_tsquery('simple', %s)), object_type, object_id, appeal_id, n "
                        "FROM (SELECT d.id, d.tsv, d.object_type, d.object_id, d.appeal_id, count(*) OVER () AS n "
                        "FROM nlp_searchdoc d, to_tsquery('simple', %s) q WHERE d.tsv @@ q "
                        f"ORDER BY d.id + 0 DESC LIMIT {MAX_CANDIDATES}) c ORDER BY 2 DESC", [tsq, tsq])
            rows = cur.fetchall()
            return [(r[0], float(r[1]), r[2], r[3], r[4]) for r in rows], rows[0][5] if rows else 0
        match = _fts_expr(p, who or [])
        if kinds:
            match += " AND scope : (" + " OR ".join(kinds) + ")"
        cur.execute("SELECT count(*) FROM nlp_search_fts WHERE nlp_search_fts MATCH %s", [match])
        n = cur.fetchone()[0]
        inner = "ORDER BY r" if n <= MAX_CANDIDATES else "ORDER BY rowid DESC"
        # The match alone (jurisdiction included), cut, then joined to its documents.
        cur.execute("SELECT f.rowid, -f.r, d.object_type, d.object_id, d.appeal_id FROM (SELECT rowid, "
                    "bm25(nlp_search_fts, 1.0, 0.0) AS r FROM nlp_search_fts WHERE nlp_search_fts MATCH %s "
                    f"{inner} LIMIT {MAX_CANDIDATES}) f JOIN nlp_searchdoc d ON d.id = f.rowid ORDER BY f.r", [match])
        return [tuple(r) for r in cur.fetchall()], n


def _loose(word: str) -> str:
    """A word's pattern that also finds it spaced (垃圾清运 in 垃圾 清运), as the index does."""
    return r"\s?".join(re.escape(ch) for ch in word) if re.match(r"[\u4e00-\u9fff]", word) else re.escape(word)


def highlight(text: str, q: str | Iterable[str], *, width: int = 80) -> str:
    """A window of `text` around the first match, HTML-escaped, matches wrapped in <mark>. `q`: the
    query (its bigrams highlight too) or the words a parsed query matched (synonyms included)."""
    text = normalize(text)
    words = sorted({w for w in (_WORD.findall(normalize(q)) if isinstance(q, str) else q) if w}, key=len,
                   reverse=True)
    pieces = set(words)
    for w in words if isinstance(q, str) else ():  # a long query may match only in parts
        if re.match(r"[\u4e00-\u9fff]", w) and len(w) > 2:
            pieces.update(bigrams(w))
    if not pieces:
        return html.escape(text[:width])
    pattern = re.compile("|".join(_loose(p) for p in sorted(pieces, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    window = text[start:start + width]
    out, pos = [], 0
    for m in pattern.finditer(window):
        out.append(html.escape(window[pos:m.start()]))
        out.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(html.escape(window[pos:]))
    return ("…" if start else "") + "".join(out) + ("…" if start + width < len(text) else "")


def _household_url(pk: int) -> str:
    from django.urls import reverse

    return reverse("web:household", args=[pk])


def _by_number(user, number: str, kinds: Iterable[str] | None) -> list[Hit]:
    """A whole phone or ID number: its residents and the reports it made, by keyed hash only."""
    from minqing.appeals.models import Report
    from minqing.households.crypto import lookup_hash
    from minqing.households.models import Resident

    keys = {lookup_hash(number), lookup_hash(number.replace("-", ""))}
    hits: list[Hit] = []
    if not kinds or "resident" in kinds:
        qs = jurisdiction.visible(user, Resident).filter(Q(id_number_hash__in=keys) | Q(phone_hash__in=keys))
        for r in qs.select_related("household")[:50]:
            masked = r.id_number_masked if r.id_number_hash in keys else r.phone_masked
            hits.append(Hit("resident", r.pk, r.name,
                            f"{html.escape(r.household.head_name)} · <mark>{html.escape(masked)}</mark>", 1.0,
                            r.region_id, url=_household_url(r.household_id)))
    if not kinds or "appeal" in kinds or "report" in kinds:
        qs = jurisdiction.visible(user, Report).filter(phone_hash__in=keys).select_related("appeal")
        for rep in qs[:50]:
            hits.append(Hit("appeal", rep.appeal_id, rep.appeal.title,
                            f"{html.escape(rep.reporter_name)} · <mark>{html.escape(rep.phone_masked)}</mark>",
                            1.0, rep.region_id, appeal_id=rep.appeal_id))
    unique: dict[tuple[str, int], Hit] = {}
    for h in hits:
        unique.setdefault((h.object_type, h.object_id), h)
    return list(unique.values())


def is_whole_number(q: str) -> bool:
    """A whole phone or ID number: looked up by keyed hash, and kept out of URLs."""
    return bool(_WHOLE_NUMBER.match(normalize(q).replace(" ", "")))




def _visible(user, rows: list[Row]) -> tuple[set[int], set[int], set[int]]:
    """(appeal ids, report ids, visit ids) among the candidates that the user may see."""
    from minqing.appeals.models import Appeal, Report

    appeal_ids = {r[4] for r in rows if r[4]}
    report_ids = {r[3] for r in rows if r[2] == "report"}
    visit_ids = {r[3] for r in rows if r[2] == "visit"}
    ok_appeals = set(jurisdiction.visible(user, Appeal).filter(pk__in=appeal_ids).values_list("pk", flat=True)) \
        if appeal_ids else set()
    ok_reports = set(jurisdiction.visible(user, Report).filter(pk__in=report_ids).values_list("pk", flat=True)) \
        if report_ids else set()
    Visit = visit_model()
    ok_visits = set(jurisdiction.visible(user, Visit).filter(pk__in=visit_ids).values_list("pk", flat=True)) \
        if Visit is not None and visit_ids else set()
    return ok_appeals, ok_reports, ok_visits


def _cases(user, rows: list[Row]) -> list[tuple[Row, float]]:
    """One row per case the user may see (the one that stands for it) with the case's best score, best first."""
    ok_appeals, ok_reports, ok_visits = _visible(user, rows)
    best: dict[tuple[str, int], tuple[Row, float]] = {}
    for row in rows:
        _pk, score, kind, object_id, appeal_id = row
        if kind == "visit":
            if object_id not in ok_visits:
                continue
            key = ("v", object_id)
        elif appeal_id in ok_appeals and (kind != "report" or object_id in ok_reports):
            key = ("a", appeal_id)
        else:
            continue
        held = best.get(key)
        if held is None:
            best[key] = (row, score)
        else:
            shown = min(held[0], row, key=lambda r: (_PREFER.get(r[2], 9), -r[1]))
            best[key] = (shown, max(held[1], score))
    return sorted(best.values(), key=lambda x: -x[1])


def _place_names(codes: set[str]) -> dict[str, str]:
    """Village code → "乡镇 村" (the township and the village in words)."""
    from minqing.regions.models import Region

    chains = {c: [a for a in reversed(regioncode.ancestors(c)) if regioncode.level_of(a) >= regioncode.TOWNSHIP]
              + [c] for c in codes if c}
    names = dict(Region.objects.filter(code__in={x for chain in chains.values() for x in chain})
                 .values_list("code", "name"))
    return {c: " ".join(names[x] for x in chain if x in names) for c, chain in chains.items()}


def find(user, q: str, *, kinds: Iterable[str] | None = None, limit: int = 20, offset: int = 0) -> Results:
    """Cases (and visit notes) inside the user's jurisdiction, best first, one hit each, and their number."""
    q = normalize(q)[:200]
    if not q or jurisdiction.scope_of(user).is_anonymous:
        return Results()
    kinds = [k for k in kinds if k in KINDS] if kinds else None
    if _WHOLE_NUMBER.match(q.replace(" ", "")):
        found = _by_number(user, q.replace(" ", "").upper(), kinds)
        return Results(found[offset:offset + limit], len(found))
    parsed = parse(q, synonyms.lookup_for(user))
    if not parsed.units:
        return Results()
    if all(all(len("".join(a)) < MIN_TERM for a in unit) for unit in parsed.units):
        # A lone character matches a large share of the index (151 s on SQLite for one): refused.
        raise ValidationError(TOO_SHORT)
    text_kinds = [k for k in (kinds or KINDS) if k != "resident"]
    if not text_kinds:
        return Results()
    who, kind_tokens = _scope_tokens(user, text_kinds if kinds else None)
    rows, matched = _candidates(parsed, who, kind_tokens)
    cases = _cases(user, rows)
    total, estimated = len(cases), False
    # More matched than we read (the newest MAX_CANDIDATES): the cases in the same proportion as in what we
    # read. Below it every match was read, and a count of index rows no document backs any more is no reason
    # to guess.
    if matched > MAX_CANDIDATES and rows:
        total, estimated = max(total, round(matched * len(cases) / len(rows))), True
    page = cases[offset:offset + limit]
    docs = SearchDoc.objects.in_bulk([row[0] for row, _ in page])
    places = _place_names({d.region_code for d in docs.values()})
    hits = []
    for row, score in page:
        d = docs[row[0]]
        hits.append(Hit(d.object_type, d.object_id, d.title, highlight(d.body or d.title, parsed.words),
                        round(score, 4), d.region_code, appeal_id=d.appeal_id, place=places.get(d.region_code, ""),
                        at=d.at))
    return Results(hits, total, estimated)


def search(user, q: str, *, kinds: Iterable[str] | None = None, limit: int = 20, offset: int = 0) -> list[Hit]:
    """The hits of find(), without the count."""
    return find(user, q, kinds=kinds, limit=limit, offset=offset).hits
