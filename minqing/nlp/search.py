"""Chinese full-text search over appeals, their reports and progress notes, and visit notes.

Text is indexed as jieba words plus overlapping character bigrams (so 路灯 finds 路灯不亮 and
小区路灯坏了 whatever the segmenter did). SQLite reads it through an FTS5 table, PostgreSQL through
a GIN index on to_tsvector('simple', terms); both behind `search()`. Candidates are narrowed by
place in SQL, then every hit is checked through the source model's jurisdiction filter: nobody
gets an id they may not see. A whole phone or ID number is looked up by its keyed hash only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jieba
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from minqing.regions import jurisdiction

from .models import SearchDoc
from .textnorm import bigrams, normalize

jieba.setLogLevel(60)
KINDS = ("appeal", "report", "progress", "reply", "visit", "resident")
# Workflow events whose payload holds what the resident was told or what was done (答复/办理结果).
REPLY_KEYS = ("text", "what", "result")
MAX_CANDIDATES = 3000
MIN_TERM = 2  # a query needs one term of two characters (a Han bigram or a word)
TOO_SHORT = "检索词太短：请至少输入两个字（或一个完整的词、号码）"
_WHOLE_NUMBER = re.compile(r"^(\d{11}|\d{17}[\dXx]|0\d{2,3}-?\d{7,8})$")
_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")


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


# --- indexing --------------------------------------------------------------------------------


def terms_of(*texts: str) -> str:
    """The index form: jieba words (search mode) + Han bigrams + latin/digit words, space-separated."""
    out: list[str] = []
    for text in texts:
        text = normalize(text).lower()
        if not text:
            continue
        out.extend(w for w in jieba.lcut_for_search(text, HMM=False) if _WORD.fullmatch(w))
        out.extend(bigrams(text))
    return " ".join(out)


def _fts_delete(ids: Iterable[int]) -> None:
    ids = list(ids)
    if ids and connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM nlp_search_fts WHERE rowid = %s", [(i,) for i in ids])


def _fts_insert(rows: Iterable[tuple[int, str]]) -> None:
    rows = list(rows)
    if rows and connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO nlp_search_fts(rowid, terms) VALUES (%s, %s)", rows)


def put(object_type: str, object_id: int, *, region_code: str, title: str = "", body: str = "",
        extra: str = "", appeal_id: int | None = None, unit_id: int | None = None, owner_id: int | None = None,
        at=None) -> SearchDoc:
    """Index (or re-index) one object. `extra` is searchable but not shown (names, place names)."""
    with transaction.atomic():
        doc = SearchDoc.objects.filter(object_type=object_type, object_id=object_id).first()
        values = {"region_code": region_code, "title": normalize(title)[:200], "body": normalize(body),
                  "terms": terms_of(title, body, extra), "appeal_id": appeal_id, "unit_id": unit_id,
                  "owner_id": owner_id, "at": at}
        if doc is None:
            doc = SearchDoc.objects.create(object_type=object_type, object_id=object_id, **values)
        else:
            for k, v in values.items():
                setattr(doc, k, v)
            doc.save()
            _fts_delete([doc.pk])
        _fts_insert([(doc.pk, doc.terms)])
    return doc


@transaction.atomic
def remove(object_type: str, object_id: int) -> None:
    ids = list(SearchDoc.objects.filter(object_type=object_type, object_id=object_id).values_list("pk", flat=True))
    _fts_delete(ids)
    SearchDoc.objects.filter(pk__in=ids).delete()


# --- what each source contributes -------------------------------------------------------------


def index_appeal(appeal: Any) -> None:
    if getattr(appeal, "deleted_at", None):
        remove("appeal", appeal.pk)
        return
    from minqing.appeals.models import Report

    names = " ".join(Report.objects.filter(appeal_id=appeal.pk, anonymous=False).exclude(reporter_name="")
                     .values_list("reporter_name", flat=True))
    place = getattr(appeal.region, "name", "") if appeal.region_id else ""
    put("appeal", appeal.pk, region_code=appeal.region_id, title=appeal.title, body=appeal.text,
        extra=f"{appeal.number} {names} {place}", appeal_id=appeal.pk, unit_id=appeal.unit_id,
        owner_id=appeal.registered_by_id, at=appeal.received_at)


def index_report(report: Any, *, with_appeal: bool = True) -> None:
    """A report adds its words only when it says more than the case text; its name goes to the case."""
    appeal = report.appeal
    if report.text and normalize(report.text) != normalize(appeal.text):
        put("report", report.pk, region_code=report.region_id, title=appeal.title, body=report.text,
            extra="" if report.anonymous else report.reporter_name, appeal_id=appeal.pk, unit_id=appeal.unit_id,
            at=report.received_at)
    if with_appeal:
        index_appeal(appeal)


def index_progress(progress: Any) -> None:
    appeal = progress.appeal
    put("progress", progress.pk, region_code=appeal.region_id, title=appeal.title, body=progress.note,
        appeal_id=appeal.pk, unit_id=appeal.unit_id, owner_id=progress.by_id, at=progress.at)


def reply_text(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    return "\n".join(str(payload[k]) for k in REPLY_KEYS if isinstance(payload.get(k), str) and payload[k].strip())


def index_event(event: Any) -> None:
    text = reply_text(event.payload)
    if not text:
        return
    appeal = event.appeal
    put("reply", event.pk, region_code=appeal.region_id, title=appeal.title, body=text, appeal_id=appeal.pk,
        unit_id=appeal.unit_id, owner_id=event.actor_id, at=event.at)


def index_visit(visit: Any) -> None:
    if getattr(visit, "deleted_at", None) or not (visit.note or "").strip():
        remove("visit", visit.pk)
        return
    title = f"{getattr(visit.household, 'head_name', '')} {visit.visited_at:%Y-%m-%d}"
    put("visit", visit.pk, region_code=visit.region_id, title=title, body=visit.note,
        owner_id=visit.visitor_id, at=visit.visited_at)


def visit_model():
    """fieldwork.Visit when that app is installed (search works without it)."""
    from django.apps import apps

    try:
        return apps.get_model("fieldwork", "Visit")
    except LookupError:
        return None


def rebuild(progress=None) -> dict[str, int]:
    """Drop and rebuild the whole index from the source tables (after a bulk load)."""
    from minqing.appeals.models import Appeal, AppealEvent, Progress, Report

    with transaction.atomic():
        SearchDoc.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:
                cur.execute("DELETE FROM nlp_search_fts")
        docs: list[SearchDoc] = []
        names: dict[int, list[str]] = {}
        for appeal_id, name in Report.objects.filter(appeal__deleted_at__isnull=True, anonymous=False).values_list(
                "appeal_id", "reporter_name"):
            if name:
                names.setdefault(appeal_id, []).append(name)
        appeal_texts: dict[int, str] = {}
        for a in Appeal.objects.filter(deleted_at__isnull=True).select_related("region").iterator(2000):
            appeal_texts[a.pk] = normalize(a.text)
            docs.append(SearchDoc(object_type="appeal", object_id=a.pk, appeal_id=a.pk, region_code=a.region_id,
                                  unit_id=a.unit_id, owner_id=a.registered_by_id, title=normalize(a.title)[:200],
                                  body=normalize(a.text), at=a.received_at,
                                  terms=terms_of(a.title, a.text, a.number, " ".join(names.get(a.pk, [])),
                                                 a.region.name)))
        for r in Report.objects.filter(appeal__deleted_at__isnull=True).exclude(text="").select_related(
                "appeal").iterator(2000):
            if normalize(r.text) != appeal_texts.get(r.appeal_id):
                docs.append(SearchDoc(object_type="report", object_id=r.pk, appeal_id=r.appeal_id,
                                      region_code=r.region_id, unit_id=r.appeal.unit_id, title=r.appeal.title,
                                      body=normalize(r.text), at=r.received_at,
                                      terms=terms_of(r.text, "" if r.anonymous else r.reporter_name)))
        for p in Progress.objects.filter(appeal__deleted_at__isnull=True).select_related("appeal").iterator(2000):
            docs.append(SearchDoc(object_type="progress", object_id=p.pk, appeal_id=p.appeal_id,
                                  region_code=p.appeal.region_id, unit_id=p.appeal.unit_id, owner_id=p.by_id,
                                  title=p.appeal.title, body=normalize(p.note), at=p.at, terms=terms_of(p.note)))
        events = AppealEvent.objects.filter(appeal__deleted_at__isnull=True).select_related("appeal")
        for ev in events.filter(action__in=["solve_on_spot", "explain_policy", "submit_result"]).iterator(2000):
            text = reply_text(ev.payload)
            if text:
                docs.append(SearchDoc(object_type="reply", object_id=ev.pk, appeal_id=ev.appeal_id,
                                      region_code=ev.appeal.region_id, unit_id=ev.appeal.unit_id, owner_id=ev.actor_id,
                                      title=ev.appeal.title, body=normalize(text), at=ev.at, terms=terms_of(text)))
        Visit = visit_model()
        if Visit is not None:
            qs = Visit.objects.filter(deleted_at__isnull=True).exclude(note="").select_related("household")
            for v in qs.iterator(2000):
                docs.append(SearchDoc(object_type="visit", object_id=v.pk, region_code=v.region_id,
                                      owner_id=v.visitor_id, title=f"{v.household.head_name} {v.visited_at:%Y-%m-%d}",
                                      body=normalize(v.note), at=v.visited_at, terms=terms_of(v.note)))
        SearchDoc.objects.bulk_create(docs, batch_size=1000)
        if connection.vendor == "sqlite":
            _fts_insert(SearchDoc.objects.values_list("pk", "terms").iterator(5000))
    counts: dict[str, int] = {}
    for d in docs:
        counts[d.object_type] = counts.get(d.object_type, 0) + 1
    return counts


# --- querying --------------------------------------------------------------------------------


def query_terms(q: str) -> list[str]:
    """What every hit must contain: the bigrams of each Han run (a single character stays as a
    prefix term) and each latin/digit word."""
    out: list[str] = []
    for run in _WORD.findall(normalize(q).lower()):
        if re.match(r"[\u4e00-\u9fff]", run):
            out.extend(bigrams(run))
        else:
            out.append(run)
    return list(dict.fromkeys(out))


def _fts_match(terms: list[str]) -> str:
    parts = []
    for t in terms:
        quoted = '"' + t.replace('"', '""') + '"'
        parts.append(quoted + "*" if len(t) == 1 else quoted)
    return " AND ".join(parts)


def _ts_query(terms: list[str]) -> str:
    parts = []
    for t in terms:
        safe = re.sub(r"[^\w]", "", t)
        if safe:
            parts.append(f"'{safe}'" + (":*" if len(safe) == 1 else ""))
    return " & ".join(parts)


def _candidates(terms: list[str], prefilter: Q, kinds: Iterable[str] | None) -> list[tuple[int, float]]:
    """(doc id, score) best first; score higher is better."""
    qs = SearchDoc.objects.filter(prefilter)
    if kinds:
        qs = qs.filter(object_type__in=list(kinds))
    if connection.vendor == "postgresql":
        tsq = _ts_query(terms)
        if not tsq:
            return []
        rows = (qs.extra(where=["to_tsvector('simple', terms) @@ to_tsquery('simple', %s)"], params=[tsq],
                         select={"score": "ts_rank(to_tsvector('simple', terms), to_tsquery('simple', %s))"},
                         select_params=[tsq])
                .order_by("-score", "-at").values_list("pk", "score")[:MAX_CANDIDATES])
        return [(pk, float(score)) for pk, score in rows]
    if connection.vendor != "sqlite":  # any other database: a plain substring scan of the index terms
        for t in terms:
            qs = qs.filter(terms__contains=t)
        return [(pk, 1.0) for pk in qs.order_by("-at").values_list("pk", flat=True)[:MAX_CANDIDATES]]
    match = _fts_match(terms)
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"SELECT rowid, bm25(nlp_search_fts) AS r FROM nlp_search_fts WHERE nlp_search_fts MATCH %s "
                    f"AND rowid IN ({sql}) ORDER BY r LIMIT {MAX_CANDIDATES}", [match, *params])
        return [(pk, -float(r)) for pk, r in cur.fetchall()]


def _prefilter(user) -> Q:
    scope = jurisdiction.scope_of(user)
    if scope.is_superuser:
        return Q()
    q = jurisdiction.region_q(scope.place_codes, "region_code")
    q |= jurisdiction.region_q([p.region_code for p in scope.posts], "region_code")  # 纪委 and other units by place
    if scope.unit_ids:
        q |= Q(unit_id__in=sorted(scope.unit_ids))
    if scope.user_id:
        q |= Q(owner_id=scope.user_id)
    return q


def _visible_ids(user, docs: list[SearchDoc]) -> set[tuple[str, int]]:
    """(object_type, object_id) of the docs the user may see, each checked on its source model."""
    from minqing.appeals.models import Appeal, Report

    seen: set[tuple[str, int]] = set()
    via_appeal = ("appeal", "progress", "reply")
    appeal_ids = {d.appeal_id for d in docs if d.object_type in via_appeal and d.appeal_id}
    ok_appeals = set(jurisdiction.visible(user, Appeal).filter(pk__in=appeal_ids).values_list("pk", flat=True))
    report_ids = {d.object_id for d in docs if d.object_type == "report"}
    ok_reports = set(jurisdiction.visible(user, Report).filter(pk__in=report_ids).values_list("pk", flat=True))
    visit_ids = {d.object_id for d in docs if d.object_type == "visit"}
    Visit = visit_model()
    ok_visits = set(jurisdiction.visible(user, Visit).filter(pk__in=visit_ids).values_list("pk", flat=True)) \
        if Visit is not None and visit_ids else set()
    for d in docs:
        if d.object_type in via_appeal and d.appeal_id in ok_appeals \
                or d.object_type == "report" and d.object_id in ok_reports \
                or d.object_type == "visit" and d.object_id in ok_visits:
            seen.add((d.object_type, d.object_id))
    return seen


def highlight(text: str, q: str, *, width: int = 80) -> str:
    """A window of `text` around the first match, HTML-escaped, matches wrapped in <mark>."""
    text = normalize(text)
    words = sorted({w for w in _WORD.findall(normalize(q)) if w}, key=len, reverse=True)
    pieces = set(words)
    for w in words:  # a long query may match only in parts: its bigrams highlight too
        if re.match(r"[\u4e00-\u9fff]", w) and len(w) > 2:
            pieces.update(bigrams(w))
    if not pieces:
        return html.escape(text[:width])
    pattern = re.compile("|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True)), re.IGNORECASE)
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


def search(user, q: str, *, kinds: Iterable[str] | None = None, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Ranked hits inside the user's jurisdiction. kinds: a subset of KINDS (None = all)."""
    q = normalize(q)[:200]
    if not q or jurisdiction.scope_of(user).is_anonymous:
        return []
    kinds = [k for k in kinds if k in KINDS] if kinds else None
    if _WHOLE_NUMBER.match(q.replace(" ", "")):
        return _by_number(user, q.replace(" ", "").upper(), kinds)[offset:offset + limit]
    terms = query_terms(q)
    if not terms:
        return []
    if all(len(t) < MIN_TERM for t in terms):
        # A lone character matches a large share of the index (151 s on SQLite for one): refused.
        raise ValidationError(TOO_SHORT)
    ranked = _candidates(terms, _prefilter(user), kinds)
    hits: list[Hit] = []
    needed = offset + limit
    for start in range(0, len(ranked), 200):  # check jurisdiction in batches until the page is full
        chunk = ranked[start:start + 200]
        docs = {d.pk: d for d in SearchDoc.objects.filter(pk__in=[pk for pk, _ in chunk])}
        ok = _visible_ids(user, list(docs.values()))
        for pk, score in chunk:
            d = docs.get(pk)
            if d is None or (d.object_type, d.object_id) not in ok:
                continue
            hits.append(Hit(d.object_type, d.object_id, d.title, highlight(d.body or d.title, q), round(score, 4),
                            d.region_code, appeal_id=d.appeal_id))
        if len(hits) >= needed:
            break
    return hits[offset:needed]
