"""Reading a ledger file into rows, and turning cells into values with Chinese error messages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import timezone

from . import sheets
from .sheets import max_rows, too_many_rows


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and names the problem, not the place."""


@dataclass(frozen=True)
class Sheet:
    headers: list[str]  # normalised header texts
    rows: Iterator[tuple[int, list[Any]]]  # (row number as the user sees it, cells), read lazily


def norm_header(value: Any) -> str:
    return re.sub(r"\s+", "", str(value or "")).replace("（", "(").replace("）", ")")


def _blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _data(source: Iterator[tuple[int, list[Any]]], limit: int | None, cap: int) -> Iterator[tuple[int, list[Any]]]:
    taken = 0
    for number, cells in source:
        if _blank(cells):
            continue
        if taken >= cap:
            raise too_many_rows(cap)  # a SheetError, raised while the rows are read
        yield number, list(cells)
        taken += 1
        if limit is not None and taken >= limit:
            return


def read_sheet(path: str | Path, wanted: list[set[str]], *, limit: int | None = None) -> Sheet:
    """Find the header row (within the first 10 rows) holding every header of one of the wanted
    sets; return it and a lazy iterator of up to ``limit`` data rows (blank rows skipped), refusing
    more than the import cap (MINQING_IMPORT_MAX_ROWS). Row numbers are 1-based as in Excel: the
    header row of a file with a title row is row 2. Raises sheets.SheetError for a file that is not
    a readable sheet, before reading it whole."""
    cap = max_rows()
    source = enumerate(sheets.rows(path, rows_limit=cap), start=1)
    headers: list[str] | None = None
    for number, cells in source:
        names = [norm_header(c) for c in cells]
        if any(w <= set(names) for w in wanted):
            headers = names
            break
        if number >= sheets.HEAD_ROWS:
            break
    if headers is None:
        need = "、".join(sorted(wanted[0]))
        raise CellError(f"找不到表头行：前10行中没有包含这些列的行：{need}")
    return Sheet(headers, _data(source, limit, cap))


# ---------------------------------------------------------------------------------------------
# Cells

_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?")
_FORMATS = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y年%m月%d日 %H:%M", "%Y%m%d",
)


def reject_long_number(value: Any) -> None:
    """An ID or phone number typed as a number has lost its digits (Excel keeps 15): refuse it."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float) and abs(value) >= 1e10:
        raise CellError("长数字（如身份证号、电话号码）被存成了数字格式，末位已丢失；请把该列设为文本后重新填写")
    if isinstance(value, str) and _SCI.match(value.strip()):
        raise CellError("长数字被存成了科学计数法（如 5.11722E+17），原值已丢失；请把该列设为文本后重新填写")


def text(value: Any) -> str:
    """A cell as clean text: whitespace runs (tabs, full-width spaces, newlines) collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[\s\u3000]+", " ", str(value)).strip()


def identifier(value: Any) -> str:
    """A record number: 2549, 2549.0 and "2549" are the same."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text(value)


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def when(value: Any) -> dt.datetime | None:
    """A date or date-time cell: a string in the usual forms, an Excel serial or a datetime.
    Returns an aware datetime in the county's zone (dates at 00:00), or None for an empty cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return _aware(value)
    if isinstance(value, dt.date):
        return _aware(dt.datetime.combine(value, dt.time.min))
    if isinstance(value, bool):
        raise CellError("日期无法识别")
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # Excel's serial range (up to 9999-12-31)
            return _aware(_EXCEL_EPOCH + dt.timedelta(days=float(value)))
        raise CellError(f"日期无法识别（“{value}”）")
    s = re.sub(r"\s+", " ", str(value).strip())
    if _ISO.fullmatch(s):  # the commonest form, without trying every format in turn
        try:
            return _aware(dt.datetime.fromisoformat(s))
        except ValueError:
            pass  # 2025-02-30: refused below with the usual message
    if re.fullmatch(r"\d{5}(\.\d+)?", s):  # a serial written out as text
        return _aware(_EXCEL_EPOCH + dt.timedelta(days=float(s)))
    for fmt in _FORMATS:
        try:
            return _aware(dt.datetime.strptime(s, fmt))
        except ValueError:
            continue
    raise CellError(f"日期无法识别（“{s[:30]}”）")


def end_of_day(value: dt.datetime) -> dt.datetime:
    """A deadline given as a date means the end of that day."""
    local = value.astimezone(timezone.get_default_timezone())
    if local.time() == dt.time.min:
        return local.replace(hour=23, minute=59, second=59)
    return local


# The error of a whole import file, all or nothing (the ledger's and the staff list's): named after the
# ledger importer that first had it; here so the importers share it without importing each other.
MAX_ERRORS_SHOWN = 200


class LedgerImportError(Exception):
    """The file was not imported; ``errors`` lists (row, column, message), row 0 = the whole file."""

    def __init__(self, errors: list[tuple[int, str, str]], *, partial: bool = False) -> None:
        self.errors = errors
        self.partial = partial  # chunks before the failing one were kept (see the module's docstring)
        super().__init__(self.report())

    def lines(self, limit: int | None = MAX_ERRORS_SHOWN) -> list[str]:
        head = ("导入中途停止，之前的部分已写入（再次导入同一文件会跳过已写入的行）" if self.partial
                else "导入失败，未写入任何记录")
        out = [f"{head}（共 {len(self.errors)} 处错误）："]
        shown = self.errors if limit is None else self.errors[:limit]
        for row, column, message in shown:
            where = f"第{row}行" if row else "文件"
            out.append(f"{where} “{column}”：{message}" if column else f"{where}：{message}")
        if len(shown) < len(self.errors):
            out.append(f"……另有 {len(self.errors) - len(shown)} 处错误未列出")
        return out

    def report(self) -> str:
        return "\n".join(self.lines())

    def full_report(self) -> str:
        """Every error, one a line (the downloadable report)."""
        return "\n".join(self.lines(None)) + "\n"

    def short(self) -> str:
        """One line for a job's status: how many errors, and the first."""
        first = self.lines(1)[1] if self.errors else ""
        head = "导入中途停止" if self.partial else "文件有误，未写入任何记录"
        return f"{head}：共 {len(self.errors)} 处错误，{first}"
