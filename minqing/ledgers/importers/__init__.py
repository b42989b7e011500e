"""Import an existing ledger (.xlsx or .csv) as appeals of a region: all or nothing, in bounded memory.

Every row is read and checked; any bad cell aborts the import with a Chinese report naming each bad
row and column ("第12行 “整改时限”：日期无法识别"), and nothing is written. Re-running the same file
changes nothing: a new case carries a ``source_ref`` (taidi: "taidi:附件4:<留言编号>"; our own ledger: a
hash of the row's content), and a row of our own export names its case by number.

How it writes (one writer per record): a new case is registered and taken through the steps its row
records by ``appeals.bulk`` — the workflow's own ``apply`` and the services' ``sync_columns``, in bulk
inserts, one audit event per case — and a row that names an existing case (编号 in 备注) is applied with
the services (``do_add_progress``, ``do_submit_result``), after the workflow has checked it. What is
written is indexed for search in the same transaction, a batch at a time.

The file is streamed: rows are read, checked and written MINQING_IMPORT_BATCH (1 000) at a time, so
memory holds one batch (plus a few bytes a row to find a row repeated further down). Each batch costs a
fixed number of statements (lookups of places, units and categories are read once per import). By
default (MINQING_IMPORT_CHUNK unset or 0) the whole import is one transaction: batches are written as
they are checked; the first bad row stops the writing, the rest of the file is still checked for the
report, and the transaction rolls back. With MINQING_IMPORT_CHUNK = N (an SQLite site whose API must
keep writing during a very large import) the file is first checked whole without writing, then read
again and written N cases a transaction; a crash between two chunks leaves the earlier ones, and
running the file again completes it (their rows are recognised and skipped). See docs/decisions/0059.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from minqing.appeals import bulk, rollup_store, services
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, Category, Progress
from minqing.audit import log as audit
from minqing.lib import regioncode
from minqing.lib.cells import MAX_ERRORS_SHOWN, CellError, LedgerImportError, Sheet, read_sheet  # noqa: F401
from minqing.lib.sheets import SheetError
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from . import plan
from .layouts import MAPPINGS, Item, Layout, file_tag
from .resolve import Resolver

DEFAULT_REGION = "511722104"  # 宣汉县天生镇, the demo township
BATCH = 1000
CACHE_MB = 64  # SQLite page cache while an import writes (MINQING_IMPORT_CACHE_MB)


@dataclass
class ImportResult:
    layout: str
    rows: int
    created: int
    existing: int  # already imported (same source_ref): skipped
    dry_run: bool
    batch: str
    first: str = ""  # the first and last new cases' numbers
    last: str = ""
    updated: int = 0  # cases named by number that changed
    unchanged: int = 0  # cases named by number already as the row says

    def summary(self) -> str:
        what = "试导入（未写入）" if self.dry_run else "已导入"
        return (f"{what}：格式 {self.layout}，共 {self.rows} 行，新增 {self.created} 件，更新 {self.updated} 件，"
                f"未变 {self.unchanged} 件，已存在跳过 {self.existing} 件")


def _pick_layout(mapping: str, headers: list[str]) -> type[Layout]:
    for layout in MAPPINGS[mapping]:
        if layout.matches(headers):
            return layout
    raise CellError("表头与所选格式不符")


@contextmanager
def _reading() -> Iterator[None]:
    """A file's own faults (not a row's) as the one error of the whole import."""
    try:
        yield
    except (CellError, SheetError) as exc:
        raise LedgerImportError([(0, "", str(exc))]) from exc
    except OSError as exc:
        raise LedgerImportError([(0, "", f"无法读取文件：{exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise LedgerImportError([(0, "", "文件编码无法识别，请另存为 UTF-8 编码的 CSV")]) from exc


def _open(path: Path, mapping: str, limit: int | None, received_default: dt.datetime) -> tuple[Layout, Sheet]:
    if mapping not in MAPPINGS:
        raise LedgerImportError([(0, "", f"未知的列映射“{mapping}”：可选 {'、'.join(MAPPINGS)}")])
    with _reading():
        sheet = read_sheet(path, [set(layout.headers) for layout in MAPPINGS[mapping]], limit=limit)
        layout_cls = _pick_layout(mapping, sheet.headers)
    return layout_cls(file_tag(path.stem), received_default), sheet


def _items(layout: Layout, sheet: Sheet, errors: list[tuple[int, str, str]],
           counted: list[int] | None = None) -> Iterator[Item]:
    """The file's rows as items, one at a time; a bad row's errors go to ``errors``, a row repeated
    further down is reported against the first (``counted[0]``: rows read). Keeps an 8-byte digest
    and the row number a row, nothing else."""
    seen: dict[bytes, int] = {}
    counted = counted if counted is not None else [0]
    with _reading():
        for number, cells in sheet.rows:
            counted[0] += 1
            row = {h: cells[i] if i < len(cells) else None for i, h in enumerate(sheet.headers) if h}
            item, row_errors = layout.read(number, row)
            errors.extend((number, column, message) for column, message in row_errors)
            if item is None:
                continue
            key = hashlib.blake2b(item.source_ref.encode(), digest_size=8).digest()
            if key in seen:
                errors.append((number, "", f"与第{seen[key]}行重复"))
                continue
            seen[key] = number
            yield item


def parse(path: str | Path, *, mapping: str = "own", limit: int | None = None,
          received_default: dt.datetime | None = None) -> tuple[type[Layout], list[Item], list[tuple[int, str, str]]]:
    """Read and check every row into a list (samples, tests, bench/import_memory.py); nothing touches
    the database. The import itself streams (``load_ledger``)."""
    errors: list[tuple[int, str, str]] = []
    layout, sheet = _open(Path(path), mapping, limit, received_default or timezone.now())
    items = list(_items(layout, sheet, errors))
    return type(layout), items, errors


def chunk_size() -> int:
    """Cases per write transaction (0, the default: the whole import in one)."""
    return int(getattr(settings, "MINQING_IMPORT_CHUNK", None) or 0)


def batch_size() -> int:
    """Rows read, checked and written together (memory holds one batch)."""
    return max(1, int(getattr(settings, "MINQING_IMPORT_BATCH", BATCH)))


@dataclass
class _Run:
    """One pass over the file: what it found so far."""

    place: Region
    resolver: Resolver
    actor: Any
    now: dt.datetime
    batch: str
    write: bool
    rules: bulk.Deadlines = field(default_factory=bulk.Deadlines)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    existing: int = 0
    updated: int = 0
    unchanged: int = 0
    first: str = ""
    last: str = ""
    wrote: bool = False  # something was written
    committed: bool = False  # chunked writing: some chunk is already committed
    numbers_seen: dict[str, int] = field(default_factory=dict)
    progress: Callable[[int], None] | None = None
    figures: rollup_store.Pending = field(default_factory=lambda: rollup_store.Pending())  # counters to write

    def writing(self) -> bool:
        return self.write and not self.errors


def load_ledger(path: str | Path, *, mapping: str = "own", region: str = DEFAULT_REGION, dry_run: bool = False,
                limit: int | None = None, actor: Any = None, now: dt.datetime | None = None,
                received_default: dt.datetime | None = None,
                progress: Callable[[int], None] | None = None) -> ImportResult:
    """Import ``path`` as appeals of ``region``; raises LedgerImportError and writes nothing when any
    row is bad. ``limit`` reads only the first N data rows (for samples and tests); ``progress(rows)``
    is called after each batch with the rows read so far."""
    now = now or timezone.now()
    path = Path(path)
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise LedgerImportError([(0, "", str(exc))]) from exc
    received = received_default or now
    layout, sheet = _open(path, mapping, limit, received)
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise LedgerImportError([(0, "", f"区划“{region}”不存在")])
    resolver = Resolver(place)
    batch = uuid.uuid4().hex[:12]

    def run(sheet: Sheet, *, write: bool) -> _Run:
        state = _Run(place, resolver, actor, now, batch, write, progress=progress)
        _pass(state, layout, sheet, chunked=write and chunk_size() > 0)
        return state

    chunk = chunk_size()
    if dry_run:
        state = run(sheet, write=False)
        _raise_if_bad(state)
    elif chunk == 0:
        with _page_cache(), transaction.atomic():  # the whole file, or nothing
            state = run(sheet, write=True)
            _raise_if_bad(state)
            _record(state, path, type(layout).name, code)
    else:
        _raise_if_bad(run(sheet, write=False))  # checked whole before the first chunk commits
        _layout, sheet = _open(path, mapping, limit, received)
        with _page_cache():
            state = run(sheet, write=True)
        _raise_if_bad(state)
        with transaction.atomic():
            _record(state, path, type(layout).name, code)
    return ImportResult(type(layout).name, state.rows, state.created, state.existing, dry_run, batch,
                        first=state.first, last=state.last, updated=state.updated, unchanged=state.unchanged)


def page_cache_mb() -> int:
    """SQLite page cache of the importing connection while it writes (0: leave SQLite's 2 MB)."""
    return max(0, int(getattr(settings, "MINQING_IMPORT_CACHE_MB", CACHE_MB)))


@contextmanager
def _page_cache() -> Iterator[None]:
    """A larger SQLite page cache for the import's writes, the connection's own again after. An appeal
    row touches 27 b-trees (the table and its indexes): with the default 2 MB cache their pages were
    evicted and read back from the WAL for every batch. ``cache_size`` is the connection's memory only
    (no effect on durability or on other connections), bounded: memory stays flat in the file's length."""
    mb = page_cache_mb()
    if connection.vendor != "sqlite" or not mb:
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = {-1024 * mb}")  # negative: KiB
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")


def _raise_if_bad(state: _Run) -> None:
    if state.errors:
        state.errors.sort(key=lambda e: (e[0], e[1]))
        raise LedgerImportError(state.errors, partial=state.committed)


def _record(state: _Run, path: Path, layout: str, code: str) -> None:
    audit.record("ledger.import", actor=state.actor, object_type="ledger", object_id=state.batch, region_code=code,
                 changes={"file": path.name, "layout": layout, "rows": state.rows, "created": state.created,
                          "updated": state.updated, "existing": state.existing, "first": state.first,
                          "last": state.last},
                 reason="导入台账", at=timezone.now())


def _pass(state: _Run, layout: Layout, sheet: Sheet, *, chunked: bool) -> None:
    """Read the file once, a batch at a time: check each batch and (while no row is bad) write it."""
    size = chunk_size() if chunked else batch_size()
    part: list[Item] = []

    def flush() -> None:
        if chunked:
            with transaction.atomic():
                _batch(state, part)
                if state.writing():
                    state.figures.flush()
            state.committed = state.wrote
        else:
            _batch(state, part)
        part.clear()

    counted = [0]
    for item in _items(layout, sheet, state.errors, counted):
        part.append(item)
        if len(part) >= size:
            flush()
            if state.progress is not None:
                state.progress(counted[0])
    flush()
    if state.writing():
        state.figures.flush()  # the figures' counters of the whole file (or of the last chunk), once
    state.rows = counted[0]


def _batch(state: _Run, items: list[Item]) -> None:
    """Check one batch against the database and the workflow; write it while the file has no error."""
    if not items:
        return
    fresh = [i for i in items if not i.number]
    news = _plan(state, fresh)
    updates = _updates(state, [i for i in items if i.number])
    changing = [u for u in updates if u.calls]
    state.created += len(news)  # what is (or, trying, would be) written
    state.updated += len(changing)
    state.unchanged += len(updates) - len(changing)
    if not state.writing():
        return
    state.wrote = state.wrote or bool(news or changing)
    if news:
        _save_categories(news)
        written = bulk.write(news, actor=state.actor, reason="导入台账", batch=state.batch, figures=state.figures)
        index(news, written)  # in the same transaction: the index commits or rolls back with them
        state.first = state.first or written.appeals[0].number
        state.last = written.appeals[-1].number
    try:
        for up in changing:
            for name, kwargs in up.calls:
                getattr(services, name)(up.appeal, actor=state.actor, **kwargs)
    except (ValidationError, PermissionDenied) as exc:  # a case changed since the check
        message = "；".join(getattr(exc, "messages", [str(exc)]))
        raise LedgerImportError([(up.item.row, "", message)], partial=state.committed) from exc


def _plan(state: _Run, items: list[Item]) -> list[bulk.Planned]:
    """New cases of one batch, checked against the database and replayed through the workflow (reads only)."""
    if not items:
        return []
    existing = set(Appeal.objects.filter(source_ref__in=[i.source_ref for i in items])
                   .values_list("source_ref", flat=True))
    state.existing += len(existing)
    resolver, errors = state.resolver, state.errors
    news: list[bulk.Planned] = []
    for item in items:
        if item.source_ref in existing:
            continue
        row_errors: list[tuple[int, str, str]] = []
        region_code = unit_id = None
        try:
            region_code = resolver.place(item.place)
        except CellError as exc:
            row_errors.append((item.row, "乡镇/村", str(exc)))
        try:
            unit_id = resolver.unit(item.unit)
        except CellError as exc:
            row_errors.append((item.row, "责任单位", str(exc)))
        if row_errors:
            errors.extend(row_errors)
            continue
        assert region_code is not None
        category = resolver.category(item.category, item.category_scheme)
        try:
            case = plan.new_case(item, resolver.region_of(region_code), unit_id, category)
            news.append(bulk.plan(case, actor=state.actor, now=state.now, rules=state.rules))
        except (CellError, wf.TransitionError) as exc:
            errors.append((item.row, "", str(exc)))
    return news


def _updates(state: _Run, items: list[Item]) -> list[plan.Update]:
    if not items:
        return []
    place, actor, errors = state.place, state.actor, state.errors
    qs = jurisdiction.visible(actor, Appeal) if actor is not None else Appeal.objects.filter(deleted_at__isnull=True)
    found = {a.number: a for a in qs.filter(jurisdiction.region_q([place.code]),
                                            number__in=[i.number for i in items])}
    latest = _latest_notes([a.pk for a in found.values()])
    seen = state.numbers_seen
    out = []
    for item in items:
        appeal = found.get(item.number)
        if appeal is None:
            errors.append((item.row, "备注", f"编号“{item.number}”在{place.name}内找不到对应的诉求"))
            continue
        if item.number in seen:
            errors.append((item.row, "备注", f"编号“{item.number}”与第{seen[item.number]}行重复"))
            continue
        seen[item.number] = item.row
        up = plan.update(item, appeal, latest.get(appeal.pk, ""), actor=actor, now=state.now)
        errors.extend((item.row, column, message) for column, message in up.errors)
        out.append(up)
    return out


def _latest_notes(ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    for start in range(0, len(ids), 900):  # SQLite's parameter limit
        part = ids[start: start + 900]
        last = Progress.objects.filter(appeal_id__in=part).values("appeal_id").annotate(m=Max("id"))
        for appeal_id, note in Progress.objects.filter(id__in=[r["m"] for r in last]).values_list("appeal_id",
                                                                                                    "note"):
            notes[appeal_id] = note
    return notes


def _save_categories(news: list[bulk.Planned]) -> None:
    """Categories first named by this file (Resolver.category leaves them unsaved until now): saved
    once, then every later case of the file points at the saved row."""
    saved: dict[str, Category] = {}
    for p in news:
        cat = p.appeal.category
        if cat is not None and cat.pk is None:
            if cat.code not in saved:
                found, _ = Category.objects.get_or_create(code=cat.code, defaults={"name": cat.name,
                                                                                    "scheme": cat.scheme})
                cat.pk, cat.id = found.pk, found.pk  # the resolver's object: later batches reuse it
                saved[cat.code] = cat
            p.appeal.category = p.case.category = saved[cat.code]


def index(news: list[bulk.Planned], written: bulk.Written) -> None:
    """Put imported cases (with their reporters' names and progress notes) in the search index: the
    documents ``searchindex.appeal_doc``/``progress_doc`` make, built from the rows in hand, and their text
    signatures."""
    from minqing.lib import rows
    from minqing.nlp import duplicates, searchindex

    docs = []
    for p in news:
        a = p.appeal
        names = [] if p.case.anonymous else [n[:50] for n in p.case.reporters if n[:50]]
        docs.append(searchindex.appeal_values(a.pk, region_code=a.region_id, title=a.title, text=a.text,
                                              number=a.number, names=names, place=a.region.name if a.region_id
                                              else "", unit_id=a.unit_id, owner_id=a.registered_by_id,
                                              at=a.received_at))
    for pk, a, at, note, by_id in written.notes:
        docs.append(searchindex.progress_values(pk, appeal_id=a.pk, region_code=a.region_id, title=a.title,
                                                note=note, unit_id=a.unit_id, by_id=by_id, at=at))
    searchindex.insert_new(docs)
    rows.insert(duplicates.signature_rows([p.appeal for p in news]))  # the similar-cases comparison's input


__all__ = ["DEFAULT_REGION", "ImportResult", "LedgerImportError", "load_ledger", "parse"]
