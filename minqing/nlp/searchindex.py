"""The search index: what each source contributes, kept after every commit (nlp/follow.py) and
rebuilt in batches (`minqing search rebuild`).

A text is indexed as overlapping Han character bigrams (spaces between Han characters removed
first, so 垃圾 清运 and 垃圾清运 give the same terms) plus latin/digit words; the query side
(search.py) segments with jieba and asks for each word's bigrams as a phrase, so both are read
the same way. Each document also carries scope tokens — who may find it — so the jurisdiction is
one more condition inside the full-text index (SQLite FTS5, PostgreSQL GIN) instead of a
`rowid IN (SELECT … region_code BETWEEN …)` prefilter that made a 0.03 s match take 8 s."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from operator import add
from typing import Any

from django.db import connection, transaction

from minqing.lib import rows

from .models import SearchDoc
from .textnorm import normalize

# Workflow events whose payload holds what the resident was told or what was done (答复/办理结果).
REPLY_KEYS = ("text", "what", "result")
REPLY_ACTIONS = ("solve_on_spot", "explain_policy", "submit_result")
BATCH = 2000
_HAN = r"\u4e00-\u9fff"
_JOIN = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")
_TOKEN = re.compile(rf"[{_HAN}]+|[a-z0-9]+")
# External content: the FTS5 table indexes nlp_searchdoc's terms and scope without a second copy of
# them; it is told of every change with the old values ('delete') and the new ones (insert).
FTS_CREATE = ("CREATE VIRTUAL TABLE nlp_search_fts USING fts5(terms, scope, content='nlp_searchdoc', "
              "content_rowid='id', tokenize='unicode61 remove_diacritics 0')")
LEVELS = (2, 4, 6, 9, 12)  # significant prefixes of province, city, county, township, village


def clean(text: str | None) -> str:
    """The form both documents and queries are read in: NFKC, lower case, no space between Han characters."""
    return _JOIN.sub("", normalize(text).lower())


def tokens(text: str, *, normalized: bool = False) -> list[str]:
    """Han runs as bigrams (a lone character as itself), latin/digit words as they are."""
    out: list[str] = []
    for run in _TOKEN.findall(_JOIN.sub("", text.lower()) if normalized else clean(text)):
        if len(run) == 1 or run[0].isascii():
            out.append(run)
        else:
            out.extend(map(add, run, run[1:]))  # the bigrams, in C (a million documents in a rebuild)
    return out


def terms_of(*texts: str, normalized: bool = False) -> str:
    """The index form of some texts, space-separated (each text apart: no bigram across two texts)."""
    return " ".join(" ".join(tokens(t, normalized=normalized)) for t in texts if t)


def scope_of(object_type: str, region_code: str, unit_id: int | None, owner_id: int | None) -> str:
    """Scope tokens: r + each level's prefix of the place, k + kind, u + unit, o + owner."""
    out = [f"r{region_code[:n]}" for n in LEVELS if region_code]
    out.append(f"k{object_type}")
    if unit_id:
        out.append(f"u{unit_id}")
    if owner_id:
        out.append(f"o{owner_id}")
    return " ".join(out)


# The columns a document is written with (the rebuild writes them as plain rows, in this order).
COLUMNS = ("object_type", "object_id", "appeal_id", "region_code", "unit_id", "owner_id", "title", "body", "terms",
           "scope", "at")


def _values(object_type: str, object_id: int, *, region_code: str, title: str = "", body: str = "", extra: str = "",
            appeal_id: int | None = None, unit_id: int | None = None, owner_id: int | None = None,
            at=None) -> tuple:
    """One document's column values, in COLUMNS order."""
    title, body = normalize(title), normalize(body)  # once: the terms read the normalised texts
    return (object_type, object_id, appeal_id, region_code, unit_id, owner_id, title[:200], body,
            terms_of(title, body, normalize(extra), normalized=True),
            scope_of(object_type, region_code, unit_id, owner_id), at)


def _doc(object_type: str, object_id: int, **values: Any) -> SearchDoc:
    return SearchDoc(**dict(zip(COLUMNS, _values(object_type, object_id, **values), strict=True)))


# --- the FTS5 table beside SearchDoc (SQLite only; PostgreSQL indexes the column itself) ----------


def _fts_delete(ids: Iterable[int]) -> None:
    """Take documents out of the FTS5 index (before their rows change or go): it needs their old values."""
    ids = list(ids)
    if ids and connection.vendor == "sqlite":
        old = list(SearchDoc.objects.filter(pk__in=ids).values_list("pk", "terms", "scope"))
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO nlp_search_fts(nlp_search_fts, rowid, terms, scope) "
                            "VALUES ('delete', %s, %s, %s)", old)


def _fts_insert(docs: Iterable[SearchDoc]) -> None:
    rows = [(d.pk, d.terms, d.scope) for d in docs]
    if rows and connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.executemany("INSERT INTO nlp_search_fts(rowid, terms, scope) VALUES (%s, %s, %s)", rows)


def put(object_type: str, object_id: int, **values: Any) -> SearchDoc:
    """Index (or re-index) one object. `extra` is searchable but not shown (names, place names)."""
    doc = _doc(object_type, object_id, **values)
    _put_doc(object_type, object_id, doc)
    return doc


@transaction.atomic
def remove(object_type: str, object_id: int) -> None:
    ids = list(SearchDoc.objects.filter(object_type=object_type, object_id=object_id).values_list("pk", flat=True))
    _fts_delete(ids)
    SearchDoc.objects.filter(pk__in=ids).delete()


# --- what each source contributes (one builder per kind, for the follower and the rebuild) --------


def _names(appeal_ids: Iterable[int]) -> dict[int, list[str]]:
    from minqing.appeals.models import Report

    names: dict[int, list[str]] = {}
    rows = Report.objects.filter(appeal_id__in=list(appeal_ids), anonymous=False).exclude(reporter_name="")
    for appeal_id, name in rows.values_list("appeal_id", "reporter_name"):
        names.setdefault(appeal_id, []).append(name)
    return names


def appeal_doc(appeal: Any, names: list[str]) -> SearchDoc:
    place = getattr(appeal.region, "name", "") if appeal.region_id else ""
    return _doc("appeal", appeal.pk, region_code=appeal.region_id, title=appeal.title, body=appeal.text,
                extra=f"{appeal.number} {' '.join(names)} {place}", appeal_id=appeal.pk, unit_id=appeal.unit_id,
                owner_id=appeal.registered_by_id, at=appeal.received_at)


def report_doc(report: Any) -> SearchDoc | None:
    """A report adds its words only when it says more than the case text; its name goes to the case."""
    appeal = report.appeal
    if not report.text or normalize(report.text) == normalize(appeal.text):
        return None
    return _doc("report", report.pk, region_code=report.region_id, title=appeal.title, body=report.text,
                extra="" if report.anonymous else report.reporter_name, appeal_id=appeal.pk,
                unit_id=appeal.unit_id, at=report.received_at)


def progress_doc(progress: Any) -> SearchDoc:
    appeal = progress.appeal
    return _doc("progress", progress.pk, region_code=appeal.region_id, title=appeal.title, body=progress.note,
                appeal_id=appeal.pk, unit_id=appeal.unit_id, owner_id=progress.by_id, at=progress.at)


def reply_text(payload: Any) -> str:
    if not isinstance(payload, dict):
        return ""
    return "\n".join(str(payload[k]) for k in REPLY_KEYS if isinstance(payload.get(k), str) and payload[k].strip())


def reply_doc(event: Any) -> SearchDoc | None:
    text = reply_text(event.payload)
    if not text:
        return None
    appeal = event.appeal
    return _doc("reply", event.pk, region_code=appeal.region_id, title=appeal.title, body=text, appeal_id=appeal.pk,
                unit_id=appeal.unit_id, owner_id=event.actor_id, at=event.at)


def visit_doc(visit: Any) -> SearchDoc | None:
    if getattr(visit, "deleted_at", None) or not (visit.note or "").strip():
        return None
    title = f"{getattr(visit.household, 'head_name', '')} {visit.visited_at:%Y-%m-%d}"
    return _doc("visit", visit.pk, region_code=visit.region_id, title=title, body=visit.note,
                owner_id=visit.visitor_id, at=visit.visited_at)


def _put_doc(object_type: str, object_id: int, doc: SearchDoc | None) -> None:
    if doc is None:
        remove(object_type, object_id)
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One writer at a time for an object: on a partitioned table (by id) the uniqueness of
            # (object_type, object_id) is each partition's, no longer the whole table's.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                            [f"searchdoc:{object_type}:{object_id}"])
        old = SearchDoc.objects.filter(object_type=object_type, object_id=object_id).values_list("pk", flat=True) \
            .first()
        if old is not None:
            doc.pk = old
            _fts_delete([old])
        doc.save()
        _fts_insert([doc])


def index_appeal(appeal: Any) -> None:
    if getattr(appeal, "deleted_at", None):
        remove("appeal", appeal.pk)
        return
    _put_doc("appeal", appeal.pk, appeal_doc(appeal, _names([appeal.pk]).get(appeal.pk, [])))


def index_new_appeals(ids: list[int]) -> int:
    """Index appeals just created in bulk (a ledger import) with their progress notes: a few statements
    a batch of BATCH appeals, not a few a case. The documents are new (nothing indexed them before)."""
    from minqing.appeals.models import Appeal, Progress

    from . import duplicates

    written = 0
    for start in range(0, len(ids), BATCH):
        part = ids[start:start + BATCH]
        names = _names(part)
        appeals = list(Appeal.objects.filter(pk__in=part, deleted_at__isnull=True).select_related("region"))
        docs = [appeal_doc(a, names.get(a.pk, [])) for a in appeals]
        docs += [progress_doc(p) for p in Progress.objects.filter(appeal_id__in=part).select_related("appeal")]
        with transaction.atomic():
            rows.insert(docs, returning=connection.vendor == "sqlite")  # the FTS5 table needs their keys
            _fts_insert(docs)
            rows.insert(duplicates.signature_rows(appeals))  # the similar-cases comparison's input
        written += len(docs)
    return written


def appeal_values(pk: int, *, region_code: str, title: str, text: str, number: str, names: Iterable[str],
                  place: str, unit_id: int | None, owner_id: int | None, at: Any) -> tuple:
    """appeal_doc()'s document as a COLUMNS tuple, from values already in hand (a bulk import's)."""
    return _values("appeal", pk, region_code=region_code, title=title, body=text,
                   extra=f"{number} {' '.join(names)} {place}", appeal_id=pk, unit_id=unit_id, owner_id=owner_id,
                   at=at)


def progress_values(pk: int, *, appeal_id: int, region_code: str, title: str, note: str, unit_id: int | None,
                    by_id: int | None, at: Any) -> tuple:
    """progress_doc()'s document as a COLUMNS tuple."""
    return _values("progress", pk, region_code=region_code, title=title, body=note, appeal_id=appeal_id,
                   unit_id=unit_id, owner_id=by_id, at=at)


def insert_new(docs: list[tuple]) -> int:
    """Write documents of objects nothing indexed before (COLUMNS tuples), in the caller's transaction:
    one multi-row statement a few hundred documents (SQLite: with their keys, for the FTS5 table),
    COPY on PostgreSQL."""
    if not docs:
        return 0
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            _write(cur, "nlp_searchdoc", docs)
            return len(docs)
    keys = rows.insert_rows(SearchDoc, COLUMNS, docs, returning=True)
    terms, scope = COLUMNS.index("terms"), COLUMNS.index("scope")
    with connection.cursor() as cur:
        cur.executemany("INSERT INTO nlp_search_fts(rowid, terms, scope) VALUES (%s, %s, %s)",
                        [(k, d[terms], d[scope]) for k, d in zip(keys, docs, strict=True)])
    return len(docs)


def index_report(report: Any, *, with_appeal: bool = True) -> None:
    doc = report_doc(report)
    if doc is not None:
        _put_doc("report", report.pk, doc)
    if with_appeal:
        index_appeal(report.appeal)


def index_progress(progress: Any) -> None:
    _put_doc("progress", progress.pk, progress_doc(progress))


def index_event(event: Any) -> None:
    doc = reply_doc(event)
    if doc is not None:
        _put_doc("reply", event.pk, doc)


def index_visit(visit: Any) -> None:
    _put_doc("visit", visit.pk, visit_doc(visit))


def visit_model():
    """fieldwork.Visit when that app is installed (search works without it)."""
    from django.apps import apps

    try:
        return apps.get_model("fieldwork", "Visit")
    except LookupError:
        return None


# --- the streamed rebuild ------------------------------------------------------------------------


def _batches(qs, size: int = BATCH) -> Iterator[list[Any]]:
    """Keyset pages by primary key: memory stays one batch whatever the table's size."""
    last = 0
    while True:
        page = list(qs.filter(pk__gt=last).order_by("pk")[:size])
        if not page:
            return
        yield page
        last = page[-1].pk if hasattr(page[-1], "pk") else page[-1][0]


# An appeal's fields as the rebuild reads them: plain tuples, no model instance (a million of them).
_APPEAL_FIELDS = ("pk", "region_id", "title", "text", "number", "region__name", "unit_id", "registered_by_id",
                  "received_at")


def _appeal_rows(batch: list[tuple], names: dict[int, list[str]]) -> list[tuple]:
    """The same documents as appeal_doc() gives, from _APPEAL_FIELDS tuples."""
    return [_values("appeal", pk, region_code=region, title=title, body=text,
                    extra=f"{number} {' '.join(names.get(pk, []))} {place or ''}", appeal_id=pk, unit_id=unit,
                    owner_id=owner, at=at)
            for pk, region, title, text, number, place, unit, owner, at in batch]


def _rows(docs: Iterable[SearchDoc | None]) -> list[tuple]:
    return [tuple(getattr(d, c) for c in COLUMNS) for d in docs if d is not None]


Stream = tuple[Any, Callable[[list[Any]], list[tuple]]]  # (queryset, batch → COLUMNS rows)


def _streams() -> list[Stream]:
    """Every source of documents, in the order documents are numbered: its queryset and how a batch
    of it becomes documents."""
    from minqing.appeals.models import Appeal, AppealEvent, Progress, Report

    live = {"appeal__deleted_at__isnull": True}
    out: list[Stream] = [
        (Appeal.objects.filter(deleted_at__isnull=True).values_list(*_APPEAL_FIELDS),
         lambda batch: _appeal_rows(batch, _names(row[0] for row in batch))),
        (Report.objects.filter(**live).exclude(text="").select_related("appeal"),
         lambda batch: _rows(map(report_doc, batch))),
        (Progress.objects.filter(**live).select_related("appeal"), lambda batch: _rows(map(progress_doc, batch))),
        (AppealEvent.objects.filter(**live, action__in=REPLY_ACTIONS).select_related("appeal"),
         lambda batch: _rows(map(reply_doc, batch))),
    ]
    Visit = visit_model()
    if Visit is not None:
        out.append((Visit.objects.filter(deleted_at__isnull=True).exclude(note="").select_related("household"),
                    lambda batch: _rows(map(visit_doc, batch))))
    return out


def _sources(streams: list[Stream] | None = None) -> Iterator[list[tuple]]:
    """Every document as a row of COLUMNS, one batch at a time."""
    for qs, convert in _streams() if streams is None else streams:
        for batch in _batches(qs):
            yield convert(batch)


def _write(cur, table: str, rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":  # a bulk import adds to the live table (routed to its partition)
        with cur.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    at = COLUMNS.index("at")
    adapt = connection.ops.adapt_datetimefield_value
    cur.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})",
                    [row[:at] + (adapt(row[at]),) + row[at + 1:] for row in rows])


def rebuild(progress=None) -> dict[str, int]:
    """Rebuild the whole index from the source tables, BATCH source rows at a time (memory stays one
    batch a partition): searches see the old index until the new one is in place. SQLite: in one
    transaction, the documents written row by row in bulk and the FTS5 index built over them in one
    pass inside SQLite. PostgreSQL: COPYed into PARTS new tables at once, each indexed on its own
    connection, then put under a new partitioned table swapped in for the old one (searchparts.rebuild).
    `progress(count)` after each batch."""
    counts: dict[str, int] = {}
    apart = not connection.in_atomic_block  # else the caller's transaction: other connections can't see it
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The swap's statements are not bounded by a request's limit (a rebuild may run as a
            # background job inside the server); the partitions' connections have none either.
            cur.execute("SET LOCAL statement_timeout = 0")
            from .searchparts import rebuild as pg_rebuild

            pg_rebuild(cur, progress, counts, apart=apart)
        else:
            cur.execute("DELETE FROM nlp_searchdoc")
            cur.execute("DROP TABLE IF EXISTS nlp_search_fts")  # dropping is instant, deleting a million is not
            for rows in _sources():
                _write(cur, "nlp_searchdoc", rows)
                for row in rows:
                    counts[row[0]] = counts.get(row[0], 0) + 1
                if progress is not None:
                    progress(sum(counts.values()))
            # the FTS5 index built in one pass over the table, inside SQLite
            cur.execute(FTS_CREATE)
            cur.execute("INSERT INTO nlp_search_fts(nlp_search_fts) VALUES ('rebuild')")
    from .follow import forget_pending

    forget_pending()
    return counts
