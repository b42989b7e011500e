"""Import an existing ledger (.xlsx or .csv) as appeals of a region: all or nothing.

Every row is read and checked first; any bad cell aborts the import with a Chinese report naming
each bad row and column ("第12行 “整改时限”：日期无法识别"), and nothing is written. A good file is
written in ONE transaction. Re-running the same file adds nothing: each case carries a
``source_ref`` (taidi: "taidi:附件4:<留言编号>"; our own ledger: a hash of the row's content).

How it writes: ``minqing.appeals.services`` writes one case at a time (one audit event each, a
deadline computation each, and a workflow replay that needs the verifier's and visitor's
identities a paper ledger does not have). The importer writes the same columns directly
(status, group, level/max_level, triage, received/responded/due/closed times, the workflow
snapshot built with ``workflow.apply``), one Report per reporter, ONE AppealEvent per case
(action ``import``, from "" to the imported status, payload = source_ref and batch), and ONE audit
event per batch (``ledger.import``, listing counts and the first/last case numbers). Writing
thousands of cases one service call at a time would also write thousands of audit events for
what is a single act of a single person; the batch event keeps the chain meaningful.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from minqing.accounts.models import Unit
from minqing.appeals import workflow as wf
from minqing.appeals.models import Appeal, AppealEvent, Category, Progress, Report, Triage
from minqing.audit import log as audit
from minqing.lib import regioncode
from minqing.regions.models import Region

from .cells import CellError, Sheet, read_sheet
from .layouts import MAPPINGS, Item, Layout, file_tag
from .sheets import SheetError

DEFAULT_REGION = "511722104"  # 宣汉县天生镇, the demo township
MAX_ERRORS_SHOWN = 200


class LedgerImportError(Exception):
    """The file was not imported; ``errors`` lists (row, column, message), row 0 = the whole file."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        self.errors = errors
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"导入失败，未写入任何记录（共 {len(self.errors)} 处错误）："]
        for row, column, message in self.errors[:MAX_ERRORS_SHOWN]:
            where = f"第{row}行" if row else "文件"
            lines.append(f"{where} “{column}”：{message}" if column else f"{where}：{message}")
        if len(self.errors) > MAX_ERRORS_SHOWN:
            lines.append(f"……另有 {len(self.errors) - MAX_ERRORS_SHOWN} 处错误未列出")
        return "\n".join(lines)


@dataclass
class ImportResult:
    layout: str
    rows: int
    created: int
    existing: int  # already imported (same source_ref): skipped
    dry_run: bool
    batch: str
    numbers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = "试导入（未写入）" if self.dry_run else "已导入"
        return f"{what}：格式 {self.layout}，共 {self.rows} 行，新增 {self.created} 件，已存在跳过 {self.existing} 件"


def _json_state(state: wf.AppealState) -> dict[str, Any]:
    """The snapshot in the services layer's JSON form (so its state_from_json reads it back)."""
    try:
        from minqing.appeals.services import state_to_json
    except ImportError:  # pragma: no cover - services not installed
        return {"status": state.status.value, "kind": state.kind.value, "level": state.level.value}
    return state_to_json(state)


def _level_of(region: Region) -> str:
    if region.level >= regioncode.VILLAGE:
        return wf.Level.VILLAGE.value
    if region.level == regioncode.TOWNSHIP:
        return wf.Level.TOWNSHIP.value
    return wf.Level.COUNTY.value


def _number(source_ref: str) -> str:
    return "DR" + hashlib.sha256(source_ref.encode()).hexdigest()[:14].upper()


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


class _Resolver:
    """Names in the file → rows in the database, within the import region's county; errors per row."""

    def __init__(self, region: Region) -> None:
        self.region = region
        self.places: dict[str, list[str]] = defaultdict(list)
        low, high = regioncode.subtree_range(region.code)
        for code, name in Region.objects.filter(code__gte=low, code__lte=high).values_list("code", "name"):
            self.places[name].append(code)
        c_low, c_high = regioncode.subtree_range(regioncode.county_of(region.code))
        self.units: dict[str, list[int]] = defaultdict(list)
        for pk, name in Unit.objects.filter(region_id__gte=c_low, region_id__lte=c_high).values_list("pk", "name"):
            self.units[name].append(pk)
        self.categories: dict[tuple[str, str], Category] = {}

    def place(self, text: str) -> str:
        if not text:
            return self.region.code
        for part in reversed([p for p in text.replace("\\", "/").split("/") if p.strip()]):
            codes = self.places.get(part.strip(), [])
            if len(codes) == 1:
                return codes[0]
            if len(codes) > 1:
                raise CellError(f"“{part}”在{self.region.name}内不止一处，请写明乡镇/村")
        raise CellError(f"在{self.region.name}内找不到“{text[:30]}”")

    def unit(self, name: str) -> int | None:
        if not name:
            return None
        pks = self.units.get(name, [])
        if len(pks) != 1:
            raise CellError(f"找不到单位“{name[:30]}”" if not pks else f"单位“{name[:30]}”不止一个，请写全称")
        return pks[0]

    def category(self, name: str, scheme: str) -> Category | None:
        """A category by name (the scheme's first level first); a new name becomes a first-level
        category of that scheme, so the county can re-file it later."""
        if not name:
            return None
        key = (scheme, name)
        if key not in self.categories:
            found = (Category.objects.filter(scheme=scheme, name=name).order_by("level", "code").first()
                     or Category.objects.filter(name=name).order_by("level", "code").first())
            if found is None:
                code = f"{scheme}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"
                found, _ = Category.objects.get_or_create(code=code, defaults={"name": name[:60], "scheme": scheme})
            self.categories[key] = found
        return self.categories[key]


def _states(item: Item, level: str, now: dt.datetime) -> tuple[wf.AppealState, str]:
    """The workflow snapshot of an imported case (built with workflow.apply where the steps are
    known) and its status."""
    actor = "import"
    at = item.received_at
    state, _ = wf.apply(None, wf.Action("register", actor, at, {"kind": item.kind, "level": level,
                                                              "anonymous": item.anonymous}))
    if item.answer:
        state, _ = wf.apply(state, wf.Action("explain_policy", actor, max(at, item.answered_at or at),
                                             {"text": item.answer[:500]}))
    elif item.triage == Triage.EXPLAIN.value:
        state, _ = wf.apply(state, wf.Action("explain_policy", actor, at, {"text": item.measures or item.text}))
    elif item.triage == Triage.ON_SPOT.value and item.closed:
        payload = {"what": item.measures or item.progress or "现场解决"}
        if item.satisfaction:
            payload["satisfaction"] = item.satisfaction
        state, _ = wf.apply(state, wf.Action("solve_on_spot", actor, at, payload))
    elif item.triage == Triage.ASSIGN.value and item.due_at:
        due = max(item.due_at, at + dt.timedelta(minutes=1))
        state, _ = wf.apply(state, wf.Action("assign", actor, at, {
            "unit": item.unit or "-", "person": item.handler_name or "-", "measures": item.measures or "-",
            "due": due}))
        if item.progress and not item.closed:
            state = dataclasses.replace(state, status=wf.Status.IN_PROGRESS)
        if item.closed:  # a ledger says it is done; its verification happened outside the system
            visits = (wf.Satisfaction(item.satisfaction),) if item.satisfaction else ()
            status = wf.Status.CLOSED_UNSOLVED if item.unsolved else wf.Status.CLOSED_SOLVED
            state = dataclasses.replace(state, status=status, verified_by="ledger",
                                        visits=visits, visit_answer=visits[0] if visits else None,
                                        close_note="按导入台账办结")
    return state, state.status.value


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
    place = Region.objects.filter(code=code).first()
    if place is None:
        raise LedgerImportError([(0, "", f"区划“{region}”不存在")])
    layout_cls, items, errors = parse(path, mapping=mapping, limit=limit, received_default=received_default or now)
    resolver = _Resolver(place)
    batch = uuid.uuid4().hex[:12]
    rows = len(items) + len({r for r, _c, _m in errors})
    resolved: list[tuple[Item, str, int | None, Category | None]] = []
    with transaction.atomic():
        existing = set(Appeal.objects.filter(source_ref__in=[i.source_ref for i in items])
                       .values_list("source_ref", flat=True)) if items else set()
        for item in items:
            if item.source_ref in existing:
                continue
            row_errors = []
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
            category = resolver.category(item.category, item.category_scheme)
            assert region_code is not None
            resolved.append((item, region_code, unit_id, category))
        if errors:
            errors.sort(key=lambda e: (e[0], e[1]))
            transaction.set_rollback(True)
            raise LedgerImportError(errors)
        numbers = _write(resolved, layout_cls.name, batch, actor, now, path, code,
                         existing=len(existing), rows=rows)
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(layout_cls.name, rows, len(resolved), len(existing), dry_run, batch, numbers)


def _write(resolved: list[tuple[Item, str, int | None, Category | None]], layout: str, batch: str, actor: Any,
           now: dt.datetime, path: str | Path, region_code: str, *, existing: int, rows: int) -> list[str]:
    regions = {r.code: r for r in Region.objects.filter(code__in={c for _i, c, _u, _k in resolved})}
    appeals: list[Appeal] = []
    for item, code, unit_id, category in resolved:
        level = _level_of(regions[code])
        state, status = _states(item, level, now)
        group = wf.STATUS_GROUP[wf.Status(status)].value
        closed = group in (wf.Group.SOLVED.value, wf.Group.CLOSED_UNSOLVED.value)
        closed_at = None
        if closed:
            closed_at = item.answered_at or item.closed_at or item.due_at or item.received_at
            closed_at = max(closed_at, item.received_at)
        due = item.due_at if item.triage == Triage.ASSIGN.value else None
        appeals.append(Appeal(
            number=_number(item.source_ref), kind=item.kind, status=status, group=group, level=level,
            max_level=level, region_id=code, channel=item.channel, category=category, title=item.title,
            text=item.text, anonymous=item.anonymous, received_at=item.received_at,
            registered_by=actor if getattr(actor, "pk", None) else None, triage=item.triage, unit_id=unit_id,
            handler_name=item.handler_name[:50], measures=item.measures or (item.answer if item.answer else ""),
            responded_at=item.answered_at, due_at=due, closed_at=closed_at,
            closed_on_time=(closed_at <= due) if (closed and due) else None, satisfaction=item.satisfaction,
            state=_json_state(state), source_ref=item.source_ref, updated_at=now,
        ))
    Appeal.objects.bulk_create(appeals, batch_size=500)
    if any(a.pk is None for a in appeals):  # backends that do not return keys
        refs = [a.source_ref for a in appeals]
        ids = dict(Appeal.objects.filter(source_ref__in=refs).values_list("source_ref", "pk"))
        for a in appeals:
            a.pk = a.id = ids[a.source_ref]
    reports, events, notes = [], [], []
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    for appeal, (item, _code, _unit, _cat) in zip(appeals, resolved, strict=True):
        for name in item.reporters or [""]:
            reports.append(Report(appeal=appeal, region_id=appeal.region_id, channel=item.channel,
                                  reporter_name=name[:50], anonymous=item.anonymous, text="",
                                  received_at=item.received_at, received_by_id=actor_id))
        events.append(AppealEvent(appeal=appeal, region_id=appeal.region_id, action="import", from_status="",
                                  to_status=appeal.status, level=appeal.level, at=now, actor_id=actor_id,
                                  payload={"source_ref": item.source_ref, "batch": batch, "layout": layout,
                                           "row": item.row, "remark": item.remark[:200]},
                                  reason="导入台账"))
        if item.progress and item.progress != item.answer:
            notes.append(Progress(appeal=appeal, at=now, by_id=actor_id, note=item.progress))
    Report.objects.bulk_create(reports, batch_size=500)
    AppealEvent.objects.bulk_create(events, batch_size=500)
    Progress.objects.bulk_create(notes, batch_size=500)
    numbers = [a.number for a in appeals]
    audit.record("ledger.import", actor=actor, object_type="ledger", object_id=batch, region_code=region_code,
                 changes={"file": Path(path).name, "layout": layout, "rows": rows, "created": len(appeals),
                          "existing": existing, "first": numbers[0] if numbers else "",
                          "last": numbers[-1] if numbers else ""},
                 reason="导入台账", at=now)
    return numbers


__all__ = ["DEFAULT_REGION", "ImportResult", "LedgerImportError", "load_ledger", "parse"]
