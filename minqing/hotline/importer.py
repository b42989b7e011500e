"""Importing 12345 work orders: from the hotline's export (.xlsx/.csv) or its JSON post. All or nothing.

Every row is read and checked first (columns.read); then each new order is registered through the one
intake service (``appeals.services.register_appeal``: channel 12345, the caller as the report, the
phone encrypted, ``source_ref`` "12345:<工单号>") with its HotlineOrder, all in one transaction. An
order whose 工单号 is already known is skipped, so importing the same file again changes nothing. Any
bad row — a bad cell, or one the intake service refuses — aborts the whole file and is reported as
第N行 “列名”：问题; nothing is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.appeals import services
from minqing.appeals.models import Category, Channel
from minqing.audit.log import record
from minqing.lib import regioncode, sheets
from minqing.lib.cells import CellError, read_sheet
from minqing.lib.sheets import SheetError
from minqing.regions.models import Region

from . import columns
from .models import HotlineOrder

Error = tuple[int, str, str]
MAX_SHOWN = 200


class OrderImportError(Exception):
    """Nothing was imported; ``errors`` lists (line, column, message), line 0 = the whole file."""

    def __init__(self, errors: list[Error], *, unit: str = "行") -> None:
        self.errors, self.unit = errors, unit
        super().__init__(self.report())

    def lines(self, limit: int | None = MAX_SHOWN) -> list[str]:
        out = [f"导入失败，未写入任何记录（共 {len(self.errors)} 处错误）："]
        for line, column, message in self.errors[:limit] if limit else self.errors:
            where = f"第{line}{self.unit}" if line else "文件"
            out.append(f"{where} “{column}”：{message}" if column else f"{where}：{message}")
        return out

    def report(self) -> str:
        return "\n".join(self.lines())

    def short(self) -> str:
        first = self.lines(1)[1] if self.errors else ""
        return f"文件有误，未写入任何记录：共 {len(self.errors)} 处错误，{first}"[:290]


@dataclass
class Result:
    rows: int
    created: int
    existing: int
    dry_run: bool
    batch: str
    numbers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = "试导入（未写入）" if self.dry_run else "已导入"
        return f"{what}：共 {self.rows} 条工单，新增 {self.created} 件，工单号已存在跳过 {self.existing} 件"


def headers_of(path: str | Path) -> list[str]:
    """The first non-empty row of a file: its headers, for the mapping step."""
    best: list[str] = []
    try:  # the row naming most known fields within the first rows (a title row may come first)
        for n, row in enumerate(sheets.rows(path, rows_limit=sheets.max_rows()), start=1):
            names = [columns.norm_header(c) for c in row]
            if (len(columns.detect(names)), sum(map(bool, names))) > (len(columns.detect(best)), 1 if best else 0):
                best = names
            if n >= sheets.HEAD_ROWS:
                break
    except SheetError:
        return []
    return best


def read_file(path: str | Path, mapping: dict[str, str] | None = None) -> list[columns.OrderIn]:
    """Every row of the file, checked; raises OrderImportError listing every bad cell."""
    wanted = [{columns.norm_header(a)} for c in columns.COLUMNS if c.required for a in c.aliases]
    wanted += [{columns.norm_header(h)} for h in (mapping or {}).values() if h]
    try:
        sheet = read_sheet(path, wanted)
        index, missing = columns.resolve(sheet.headers, mapping)
        if missing:
            raise OrderImportError([(0, "", f"缺少必需的列：{'、'.join(missing)}（请在列对应中指定）")])
        label = {key: sheet.headers[i] for key, i in index.items()}
        orders, errors = [], []
        for line, cells_ in sheet.rows:
            values = {key: cells_[i] if i < len(cells_) else None for key, i in index.items()}
            order, bad = columns.read(line, values, label)
            errors += bad
            if order is not None:
                orders.append(order)
    except (CellError, SheetError) as exc:
        raise OrderImportError([(0, "", str(exc))]) from exc
    if errors:
        raise OrderImportError(errors)
    return orders


def read_json(items: Sequence[dict[str, Any]]) -> list[columns.OrderIn]:
    """The orders of a JSON post (field names as columns.COLUMNS keys); errors name the Nth order."""
    orders, errors = [], []
    for n, item in enumerate(items, start=1):
        order, bad = columns.read(n, dict(item), {})
        errors += bad
        if order is not None:
            orders.append(order)
    if errors:
        raise OrderImportError(errors, unit="条")
    return orders


def _place(region: Region, order: columns.OrderIn) -> Region:
    """The township or village the order names (所属乡镇) inside the chosen place, else the place."""
    if not order.place:
        return region
    low, high = regioncode.subtree_range(region.code)
    found = Region.objects.filter(code__gte=low, code__lte=high, name=order.place).order_by("code").first()
    if found is None:
        raise ValidationError(f"“{order.place}”不是{region.name}下的乡镇或村（社区）")
    return found


def load(orders: Sequence[columns.OrderIn], *, region: Region | str, actor: Any, dry_run: bool = False,
         via: str = HotlineOrder.Via.FILE, unit: str = "行", now: dt.datetime | None = None,
         progress: Callable[[int, int], None] | None = None) -> Result:
    """Register the new orders (see the module's docstring); raises OrderImportError."""
    now = now or timezone.now()
    place = region if isinstance(region, Region) else Region.objects.filter(code=regioncode.normalize(region)).first()
    if place is None:
        raise OrderImportError([(0, "", "区划不存在")])
    seen: dict[str, int] = {}
    errors: list[Error] = []
    for o in orders:
        if o.order_no in seen:
            errors.append((o.line, columns.BY_KEY["order_no"].label, f"工单号与第{seen[o.order_no]}{unit}重复"))
        seen.setdefault(o.order_no, o.line)
    if errors:
        raise OrderImportError(errors, unit=unit)
    known = set(HotlineOrder.objects.filter(order_no__in=list(seen)).values_list("order_no", flat=True))
    new = [o for o in orders if o.order_no not in known]
    categories = {c.name: c for c in Category.objects.filter(is_active=True, name__in={o.category for o in new})}
    batch = f"12345-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    result = Result(rows=len(orders), created=len(new), existing=len(orders) - len(new), dry_run=dry_run,
                    batch=batch)
    with transaction.atomic():
        for i, o in enumerate(new, start=1):
            try:
                with transaction.atomic():  # a savepoint: one refused row is reported, the others still checked
                    appeal = _register(o, place, categories, actor=actor, via=via, batch=batch, now=now)
                    result.numbers.append(appeal.number)
            except (ValidationError, PermissionDenied) as exc:
                errors.append((o.line, "", "；".join(getattr(exc, "messages", None) or [str(exc) or "无权操作"])))
            if progress is not None:
                progress(i, len(new))
        if errors:
            transaction.set_rollback(True)
            raise OrderImportError(errors, unit=unit)
        record("hotline.import", actor=actor, obj=place, at=now,
               changes={"batch": batch, "via": via, "rows": len(orders), "created": len(new),
                        "existing": result.existing, "dry_run": dry_run})
        if dry_run:
            transaction.set_rollback(True)
    return result


def _register(o: columns.OrderIn, region: Region, categories: dict[str, Category], *, actor: Any, via: str,
              batch: str, now: dt.datetime) -> Any:
    text = o.text + (f"\n问题发生地：{o.address}" if o.address else "")
    title = o.title or o.text.splitlines()[0][:60]
    appeal = services.register_appeal(
        actor=actor, region=_place(region, o), kind=o.kind, channel=Channel.HOTLINE.value, title=title, text=text,
        category=categories.get(o.category), reporter_name=o.caller, phone=o.phone, received_at=o.received_at,
        source_ref=f"12345:{o.order_no}", now=now)
    HotlineOrder.objects.create(appeal=appeal, order_no=o.order_no, order_type=o.order_type, address=o.address,
                                unit_name=o.unit, time_limit=o.time_limit, via=via, batch=batch, imported_at=now,
                                imported_by=actor if getattr(actor, "pk", None) else None)
    return appeal
