"""Import an existing ledger (.xlsx or .csv) as appeals of a region: all or nothing.

Every row is read and checked first; any bad cell aborts the import with a Chinese report naming
each bad row and column ("第12行 “整改时限”：日期无法识别"), and nothing is written. Re-running the
same file changes nothing: a new case carries a ``source_ref`` (taidi: "taidi:附件4:<留言编号>"; our
own ledger: a hash of the row's content), and a row of our own export names its case by number.

How it writes (one writer per record): a new case is registered and taken through the steps its row
records by ``appeals.bulk`` — the workflow's own ``apply`` and the services' ``sync_columns``, in
bulk inserts, one audit event per case — and a row that names an existing case (编号 in 备注) is
applied with the services (``do_add_progress``, ``do_submit_result``), after the workflow has checked
every row. What was written is indexed for search as soon as it commits. Planning only reads; the
writing runs in chunks of MINQING_IMPORT_CHUNK cases, each its own transaction (default: the whole
file in one on PostgreSQL; 500 on SQLite, whose single write lock would otherwise stop every API write
for the length of a large import). A chunk cut short by a crash leaves the earlier chunks; running
the file again completes it (their rows are recognised and skipped).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from minqing.appeals import bulk, services
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


@dataclass
class ImportResult:
    layout: str
    rows: int
    created: int
    existing: int  # already imported (same source_ref): skipped
    dry_run: bool
    batch: str
    numbers: list[str] = field(default_factory=list)
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


def parse(path: str | Path, *, mapping: str = "own", limit: int | None = None,
          received_default: dt.datetime | None = None) -> tuple[type[Layout], list[Item], list[tuple[int, str, str]]]:
    """Read and check every row; nothing touches the database."""
    if mapping not in MAPPINGS:
        raise LedgerImportError([(0, "", f"未知的列映射“{mapping}”：可选 {'、'.join(MAPPINGS)}")])
    path = Path(path)
    errors: list[tuple[int, str, str]] = []
    items: list[Item] = []
    try:
        sheet = read_sheet(path, [set(layout.headers) for layout in MAPPINGS[mapping]], limit=limit)
        layout_cls = _pick_layout(mapping, sheet.headers)
        layout = layout_cls(file_tag(path.stem), received_default or timezone.now())
        _read_items(layout, sheet, items, errors)
    except (CellError, SheetError) as exc:
        raise LedgerImportError([(0, "", str(exc))]) from exc
    except OSError as exc:
        raise LedgerImportError([(0, "", f"无法读取文件：{exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise LedgerImportError([(0, "", "文件编码无法识别，请另存为 UTF-8 编码的 CSV")]) from exc
    return layout_cls, items, errors


def _read_items(layout: Layout, sheet: Sheet, items: list[Item], errors: list[tuple[int, str, str]]) -> None:
    seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        row = {h: cells[i] if i < len(cells) else None for i, h in enumerate(sheet.headers) if h}
        item, row_errors = layout.read(number, row)
        errors.extend((number, column, message) for column, message in row_errors)
        if item is None:
            continue
        if item.source_ref in seen:
            errors.append((number, "", f"与第{seen[item.source_ref]}行重复"))
            continue
        seen[item.source_ref] = number
        items.append(item)


def chunk_size() -> int:
    """Cases per write transaction (0: the whole import in one)."""
    size = getattr(settings, "MINQING_IMPORT_CHUNK", None)
    if size is None:
        size = 500 if connection.vendor == "sqlite" else 0
    return int(size)


def load_ledger(path: str | Path, *, mapping: str = "own", region: str = DEFAULT_REGION, dry_run: bool = False,
                limit: int | None = None, actor: Any = None, now: dt.datetime | None = None,
                received_default: dt.datetime | None = None) -> ImportResult:
    """Import ``path`` as appeals of ``region``; raises LedgerImportError and writes nothing when any
    row is bad. ``limit`` reads only the first N data rows (for samples and tests)."""
    now = now or timezone.now()
    try:
        code = regioncode.normalize(region)
    except regioncode.RegionCodeError as exc:
        raise LedgerImportError([(0, "", str(exc))]) from exc
    layout_cls, items, errors = parse(path, mapping=mapping, limit=limit, received_default=received_default or now)
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise LedgerImportError([(0, "", f"区划“{region}”不存在")])
    rows = len(items) + len({r for r, _c, _m in errors})
    news, updates, existing = _plan(items, place, errors, actor=actor, now=now)
    if errors:
        errors.sort(key=lambda e: (e[0], e[1]))
        raise LedgerImportError(errors)
    changing = [u for u in updates if u.calls]
    batch = uuid.uuid4().hex[:12]
    result = ImportResult(layout_cls.name, rows, len(news), existing, dry_run, batch,
                          updated=len(changing), unchanged=len(updates) - len(changing))
    if dry_run:
        return result
    result.numbers = _write(news, changing, actor=actor, batch=batch)
    audit.record("ledger.import", actor=actor, object_type="ledger", object_id=batch, region_code=code,
                 changes={"file": Path(path).name, "layout": layout_cls.name, "rows": rows, "created": len(news),
                          "updated": [u.appeal.number for u in changing], "existing": existing,
                          "first": result.numbers[0] if result.numbers else "",
                          "last": result.numbers[-1] if result.numbers else ""},
                 reason="导入台账", at=timezone.now())
    return result


def _plan(items: list[Item], place: Region, errors: list[tuple[int, str, str]], *, actor: Any,
          now: dt.datetime) -> tuple[list[bulk.Planned], list[plan.Update], int]:
    """Check every row against the database and the workflow (reads only)."""
    resolver = Resolver(place)
    numbered = [i for i in items if i.number]
    fresh = [i for i in items if not i.number]
    existing = set(Appeal.objects.filter(source_ref__in=[i.source_ref for i in fresh])
                   .values_list("source_ref", flat=True)) if fresh else set()
    news: list[bulk.Planned] = []
    rules = bulk.Deadlines()
    for item in fresh:
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
            case = plan.new_case(item, Region(code=region_code, name=resolver.names[region_code]), unit_id,
                                 category)
            news.append(bulk.plan(case, actor=actor, now=now, rules=rules))
        except (CellError, wf.TransitionError) as exc:
            errors.append((item.row, "", str(exc)))
    return news, _updates(numbered, place, errors, actor=actor, now=now), len(existing)


def _updates(items: list[Item], place: Region, errors: list[tuple[int, str, str]], *, actor: Any,
             now: dt.datetime) -> list[plan.Update]:
    if not items:
        return []
    qs = jurisdiction.visible(actor, Appeal) if actor is not None else Appeal.objects.filter(deleted_at__isnull=True)
    found = {a.number: a for a in qs.filter(jurisdiction.region_q([place.code]),
                                            number__in=[i.number for i in items])}
    latest = _latest_notes([a.pk for a in found.values()])
    seen: dict[str, int] = {}
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
        up = plan.update(item, appeal, latest.get(appeal.pk, ""), actor=actor, now=now)
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


def _write(news: list[bulk.Planned], updates: list[plan.Update], *, actor: Any, batch: str) -> list[str]:
    """Write in chunks (each one transaction); answers the new cases' numbers."""
    size = chunk_size() or max(1, len(news) + len(updates))
    numbers: list[str] = []
    with transaction.atomic():
        _save_categories(news)
    for start in range(0, max(len(news), 1), size):
        part = news[start: start + size]
        if not part:
            break
        with transaction.atomic():
            appeals = bulk.write(part, actor=actor, reason="导入台账", batch=batch)
            ids = [a.pk for a in appeals]
            transaction.on_commit(lambda ids=ids: index(ids))
        numbers.extend(a.number for a in appeals)
    for start in range(0, len(updates), size):
        try:
            with transaction.atomic():
                for up in updates[start: start + size]:
                    for name, kwargs in up.calls:
                        getattr(services, name)(up.appeal, actor=actor, **kwargs)
        except (ValidationError, PermissionDenied) as exc:  # a case changed since the check
            message = "；".join(getattr(exc, "messages", [str(exc)]))
            raise LedgerImportError([(up.item.row, "", message)], partial=bool(numbers or start)) from exc
    return numbers


def _save_categories(news: list[bulk.Planned]) -> None:
    """Categories first named by this file (Resolver.category leaves them unsaved until now)."""
    saved: dict[str, Category] = {}
    for p in news:
        cat = p.appeal.category
        if cat is not None and cat.pk is None:
            if cat.code not in saved:
                saved[cat.code], _ = Category.objects.get_or_create(code=cat.code, defaults={
                    "name": cat.name, "scheme": cat.scheme})
            p.appeal.category = p.case.category = saved[cat.code]


def index(ids: list[int]) -> None:
    """Put imported cases (with their reporters' names and progress notes) in the search index."""
    from minqing.nlp import search

    for appeal in Appeal.objects.filter(pk__in=ids).select_related("region"):
        search.index_appeal(appeal)
    for progress in Progress.objects.filter(appeal_id__in=ids).select_related("appeal"):
        search.index_progress(progress)


__all__ = ["DEFAULT_REGION", "ImportResult", "LedgerImportError", "load_ledger", "parse"]
