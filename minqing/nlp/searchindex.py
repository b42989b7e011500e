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


def _split(streams: list[Stream], parts: int) -> list[tuple[list[Stream], int]]:
    """The sources cut into `parts` runs of about as many source rows, in document order (a stream
    cut at a primary key): each run's streams and its number of source rows (an upper bound on its
    documents: a report that says nothing new gives none)."""
    counts = [qs.count() for qs, _ in streams]
    share = max(1, -(-sum(counts) // parts))
    out: list[tuple[list[Stream], int]] = [([], 0) for _ in range(parts)]
    k, room = 0, share
    for (qs, convert), n in zip(streams, counts, strict=True):
        low, done = None, 0
        while n > done:
            rest = qs if low is None else qs.filter(pk__gte=low)
            if k == parts - 1 or n - done <= room:
                out[k] = (out[k][0] + [(rest, convert)], out[k][1] + n - done)
                room -= n - done
                break
            cut = qs.order_by("pk").values_list("pk", flat=True)[done + room]
            out[k] = (out[k][0] + [(rest.filter(pk__lt=cut), convert)], out[k][1] + room)
            low, done, k, room = cut, done + room, k + 1, share
        if room <= 0 and k < parts - 1:
            k, room = k + 1, share
    return out


NEXT = "nlp_searchdoc_next"  # PostgreSQL: the table a rebuild fills beside the live one, then swapped in
# PostgreSQL: the documents' table is partitioned by id range into PARTS tables, each COPYed into and
# indexed on a connection of its own, at the same time: PostgreSQL 15 builds a GIN index on one core,
# and at 1 000 000 documents that one build was most of the rebuild (search22). Searches read the
# partitions' indexes one after the other (an Append), new documents go to the last one.
PARTS = 2


def _pg_definitions(cur) -> list[tuple[str, str, str]]:
    """The live table's keys and indexes as (name, 'constraint' | 'index' | 'unique index', definition
    after the table's name), read from the catalogue: from the table itself, or from its first partition
    when it is partitioned (a constraint that does not hold the partition key lives on each partition
    only), names without the partition's suffix."""
    cur.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = 'nlp_searchdoc'::regclass ORDER BY c.relname LIMIT 1")
    first = cur.fetchone()
    table, suffix = (first[0], "_p0") if first else ("nlp_searchdoc", "")

    def base(name: str) -> str:
        return name[:-len(suffix)] if suffix and name.endswith(suffix) else name

    cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x') ORDER BY contype", [table])
    out = [(base(name), "constraint", definition) for name, definition in cur.fetchall()]
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                [table])
    for name, definition in cur.fetchall():
        if all(base(name) != n for n, _, _ in out):
            head, tail = re.split(r" ON (?:ONLY )?\S+ ", definition, maxsplit=1)
            out.append((base(name), "unique index" if head.startswith("CREATE UNIQUE") else "index", tail))
    return out


def _on_parent(kind: str, definition: str) -> bool:
    """Can this key or index be the whole table's? A unique one only if it holds the partition key."""
    return kind == "index" or bool(re.search(r"\(([^)]*\W)?id(\W[^)]*)?\)", definition))


def _create(kind: str, name: str, table: str, definition: str, *, only: bool = False) -> str:
    if kind == "constraint":
        return f'ALTER TABLE {"ONLY " if only else ""}{table} ADD CONSTRAINT "{name}" {definition}'
    unique = "UNIQUE " if kind == "unique index" else ""
    return f'CREATE {unique}INDEX "{name}" ON {"ONLY " if only else ""}{table} {definition}'


def _pg_drop_next(cur) -> None:
    """What a rebuild that stopped half-way left (its partitions are committed tables of their own)."""
    cur.execute("SELECT relname FROM pg_class WHERE relname LIKE %s AND relkind IN ('r', 'p') "
                "AND relnamespace = current_schema()::regnamespace", [f"{NEXT}%"])
    for (name,) in cur.fetchall():
        cur.execute(f'DROP TABLE IF EXISTS "{name}" CASCADE')


class _Part:
    """One partition being built: created, COPYed into (frozen) and indexed in one transaction. Apart
    (`own`): on a connection of its own, committed before the swap (unattached, nobody reads it);
    else on the caller's connection, inside its transaction (a rebuild called in a transaction)."""

    def __init__(self, k: int, first: int, end: int | None, *, own: bool) -> None:
        self.k, self.name, self.first, self.end, self.next_id, self.own = k, f"{NEXT}_p{k}", first, end, first, own
        if own:
            self.conn = connection.get_new_connection(connection.get_connection_params())
            self.conn.autocommit = False
        else:
            self.conn = connection.connection
        self.cur = self.conn.cursor()
        self.cur.execute("SET LOCAL statement_timeout = 0")
        # 64 MB a build, not more: the GIN build of 130 000 documents took 90 s of CPU with 64 MB and
        # 111 s with 256 MB (search22: a bigger in-memory tree of keys is slower to fill than more,
        # smaller flushes); PARTS builds at once stay under PARTS × 64 MB.
        self.cur.execute("SET LOCAL maintenance_work_mem = '64MB'")
        self.cur.execute(f"CREATE TABLE {self.name} (LIKE nlp_searchdoc INCLUDING DEFAULTS INCLUDING GENERATED "
                         "INCLUDING STORAGE INCLUDING COMPRESSION)")
        bound = f"id >= {first}" + (f" AND id < {end}" if end is not None else "")
        # The range as a constraint: attaching the partition then needs no scan to prove it.
        self.cur.execute(f"ALTER TABLE {self.name} ADD CONSTRAINT {self.name}_range CHECK ({bound})")
        self._copy: Any = None

    def write(self, rows: list[tuple]) -> None:
        if self.end is not None and self.next_id + len(rows) > self.end:
            raise RuntimeError("documents grew during the search rebuild beyond their range: run it again")
        if self._copy is None:
            # FREEZE: the table was created in this transaction, so its rows are written frozen and its
            # pages all-visible: a count of the matches reads the GIN index without visiting the table.
            self._copy = self.cur.copy(f"COPY {self.name} (id, {', '.join(COLUMNS)}) FROM STDIN WITH (FREEZE)")
            self.copy = self._copy.__enter__()
        for i, row in enumerate(rows, self.next_id):
            self.copy.write_row((i, *row))
        self.next_id += len(rows)
        if not self.own:  # the caller's connection reads the next batch: one COPY a batch
            self._copy.__exit__(None, None, None)
            self._copy = None

    def index(self, definitions: list[tuple[str, str, str]]) -> None:
        if self._copy is not None:
            self._copy.__exit__(None, None, None)
            self._copy = None
        for name, kind, definition in definitions:
            self.cur.execute(_create(kind, f"{name}_p{self.k}__next", self.name, definition))

    def close(self, commit: bool) -> None:
        if self.own:
            if commit:
                self.conn.commit()
            self.conn.close()  # without a commit: rolled back, the partition gone with its transaction


def _pg_drop_next_apart() -> None:
    """A stopped rebuild's committed partitions, dropped on a connection of their own (in the rebuild's
    transaction the drop would hold their names until its end: the new partitions could not take them)."""
    conn = connection.get_new_connection(connection.get_connection_params())
    try:
        conn.autocommit = True
        _pg_drop_next(conn.cursor())
    finally:
        conn.close()


def _pg_rebuild(cur, progress, counts: dict[str, int], *, apart: bool) -> None:
    """PARTS partitions filled and indexed at the same time on their own connections (`apart`: the
    COPYs fed from this one process batch by batch, then the index builds each on its own core), then
    attached to a new partitioned table that takes the live one's place in a moment at the end. Not
    apart (the caller holds a transaction the other connections could not see into): one after the
    other on this connection."""
    from concurrent.futures import ThreadPoolExecutor

    if apart:
        _pg_drop_next_apart()
    else:
        _pg_drop_next(cur)
    definitions = _pg_definitions(cur)
    runs = _split(_streams(), PARTS)
    parts: list[_Part] = []

    def fed(part: _Part, rows: list[tuple]) -> None:
        part.write(rows)
        for row in rows:
            counts[row[0]] = counts.get(row[0], 0) + 1
        if progress is not None:
            progress(sum(counts.values()))

    first = 1
    try:
        for k, (streams, rows_k) in enumerate(runs):
            # Documents are numbered in source order; a run's range leaves room for rows added meanwhile.
            end = None if k == len(runs) - 1 else first + rows_k + rows_k // 10 + BATCH
            parts.append(_Part(k, first, end, own=apart))
            first = end or first
            if not apart:
                for rows in _sources(streams):
                    fed(parts[-1], rows)
                parts[-1].index(definitions)
        if apart:
            feeds = [(part, _sources(streams)) for part, (streams, _n) in zip(parts, runs, strict=True)]
            while feeds:  # a batch to each partition in turn: their COPYs run on the server side by side
                for feed in list(feeds):
                    rows = next(feed[1], None)
                    if rows is None:
                        feeds.remove(feed)
                    else:
                        fed(feed[0], rows)
            with ThreadPoolExecutor(len(parts)) as pool:  # each build on its own connection and core
                list(pool.map(lambda part: part.index(definitions), parts))
        for part in parts:
            part.close(commit=True)
    except BaseException:
        for part in parts:
            part.close(commit=False)
        if apart:
            _pg_drop_next_apart()
        raise
    _pg_swap(cur, definitions, parts)


def _pg_swap(cur, definitions: list[tuple[str, str, str]], parts: list[_Part]) -> None:
    """The partitions under a new table shaped like the live one (its keys and indexes made of the
    partitions', nothing built again), which takes the live one's place."""
    cur.execute(f"CREATE TABLE {NEXT} (LIKE nlp_searchdoc INCLUDING ALL EXCLUDING INDEXES EXCLUDING CONSTRAINTS) "
                "PARTITION BY RANGE (id)")
    for part in parts:
        end = "MAXVALUE" if part.end is None else part.end
        cur.execute(f"ALTER TABLE {NEXT} ATTACH PARTITION {part.name} FOR VALUES FROM ({part.first}) TO ({end})")
        cur.execute(f"ALTER TABLE {part.name} DROP CONSTRAINT {part.name}_range")
    for name, kind, definition in definitions:
        if _on_parent(kind, definition):
            cur.execute(_create(kind, f"{name}__next", NEXT, definition, only=True))
            for part in parts:
                cur.execute(f'ALTER INDEX "{name}__next" ATTACH PARTITION "{name}_p{part.k}__next"')
    # New documents: after the last id, and in the last partition even when it got none here.
    cur.execute(f"SELECT setval(pg_get_serial_sequence('{NEXT}', 'id'), "
                f"greatest((SELECT max(id) FROM {NEXT}), {parts[-1].first - 1}, 1))")
    cur.execute("LOCK TABLE nlp_searchdoc IN ACCESS EXCLUSIVE MODE")
    cur.execute("DROP TABLE nlp_searchdoc")
    cur.execute(f"ALTER TABLE {NEXT} RENAME TO nlp_searchdoc")
    for part in parts:
        cur.execute(f"ALTER TABLE {part.name} RENAME TO nlp_searchdoc_p{part.k}")
    for name, kind, definition in definitions:  # an index's new name names its constraint too
        if _on_parent(kind, definition):
            cur.execute(f'ALTER INDEX "{name}__next" RENAME TO "{name}"')
        for part in parts:
            cur.execute(f'ALTER INDEX "{name}_p{part.k}__next" RENAME TO "{name}_p{part.k}"')
    cur.execute("SELECT pg_get_serial_sequence('nlp_searchdoc', 'id')")
    sequence = cur.fetchone()[0]
    if sequence and sequence.rsplit(".", 1)[-1].strip('"') != "nlp_searchdoc_id_seq":
        cur.execute(f"ALTER SEQUENCE {sequence} RENAME TO nlp_searchdoc_id_seq")
    cur.execute("ANALYZE nlp_searchdoc")


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
    connection, then put under a new partitioned table swapped in for the old one (_pg_rebuild).
    `progress(count)` after each batch."""
    counts: dict[str, int] = {}
    apart = not connection.in_atomic_block  # else the caller's transaction: other connections can't see it
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # The swap's statements are not bounded by a request's limit (a rebuild may run as a
            # background job inside the server); the partitions' connections have none either.
            cur.execute("SET LOCAL statement_timeout = 0")
            _pg_rebuild(cur, progress, counts, apart=apart)
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
