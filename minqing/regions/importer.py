"""Importing the division tree: all or nothing, idempotent, every bad row named with file and line.

Accepted inputs (codes are read as strings, in any of the 2/4/6/9/12-digit forms):
- a folder holding pcas-code.json, or provinces.csv / cities.csv / areas.csv / streets.csv
  (the layout of modood/Administrative-divisions-of-China, shipped in minqing/data/divisions);
- a single one of those files;
- a village CSV with the header `code,name,parent_code` (12-digit village codes under 9-digit
  townships; extra columns are ignored).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from minqing.audit.log import record
from minqing.lib import regioncode

from .models import Region

MODOOD_FILES = ("provinces.csv", "cities.csv", "areas.csv", "streets.csv")
PARENT_COLUMN = {"provinces.csv": None, "cities.csv": "provinceCode", "areas.csv": "cityCode",
                 "streets.csv": "areaCode"}


@dataclass
class Row:
    code: str
    name: str
    parent: str | None
    source: str  # file:line, for the error report


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"


class DivisionImportError(Exception):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"导入失败，共 {len(errors)} 处错误，未写入任何数据：\n" + "\n".join(errors[:200]))


def _csv_rows(path: Path) -> Iterator[Row]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "code" not in header or "name" not in header:
            raise DivisionImportError([f"{path.name}:1: 缺少表头 code、name"])
        if "parent_code" in header:
            parent_col = "parent_code"
        elif path.name in PARENT_COLUMN:
            parent_col = PARENT_COLUMN[path.name]
        else:
            raise DivisionImportError(
                [f"{path.name}:1: 无法识别的表头 {','.join(header)}（村级文件应为 code,name,parent_code）"])
        for line, raw in enumerate(reader, start=2):
            raw = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            parent = raw.get(parent_col) if parent_col else None
            yield Row(raw.get("code", ""), raw.get("name", ""), parent or None, f"{path.name}:{line}")


def _json_rows(path: Path) -> Iterator[Row]:
    data = json.loads(path.read_text(encoding="utf-8"))

    def walk(nodes, parent: str | None, trail: str) -> Iterator[Row]:
        for i, node in enumerate(nodes, start=1):
            where = f"{trail}/{i}"
            yield Row(str(node.get("code", "")), str(node.get("name", "")), parent, f"{path.name}:{where}")
            yield from walk(node.get("children") or [], str(node.get("code", "")), where)

    yield from walk(data, None, "")


def read_rows(path: Path) -> list[Row]:
    path = Path(path)
    if path.is_dir():
        if (path / "pcas-code.json").exists():
            return list(_json_rows(path / "pcas-code.json"))
        files = [path / name for name in MODOOD_FILES if (path / name).exists()]
        files += sorted(p for p in path.glob("*.csv") if p.name not in MODOOD_FILES)
        if not files:
            raise DivisionImportError([f"{path}: 文件夹中没有 pcas-code.json 或 CSV 文件"])
        return [row for f in files for row in _rows_of(f)]
    if not path.exists():
        raise DivisionImportError([f"{path}: 文件不存在"])
    return _rows_of(path)


def _rows_of(path: Path) -> list[Row]:
    """One file's rows; a file that is not what it should be is refused with a Chinese reason saying
    what is wrong with it (never a traceback)."""
    name = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
        if not head.strip():
            raise DivisionImportError([f"{name}: 文件是空的"])
        if b"\x00" in head or head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise DivisionImportError([f"{name}: 不是文本文件（可能是 Excel 或压缩文件），请另存为 UTF-8 编码的 CSV"])
        if path.suffix.lower() == ".json":
            return list(_json_rows(path))
        return list(_csv_rows(path))
    except UnicodeDecodeError as exc:
        raise DivisionImportError([f"{name}: 文件不是 UTF-8 编码（第 {exc.start + 1} 字节起无法识别），"
                                   "请另存为 UTF-8 编码"]) from exc
    except json.JSONDecodeError as exc:
        raise DivisionImportError([f"{name}:{exc.lineno}: 不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列），"
                                   "文件可能不完整"]) from exc
    except (AttributeError, TypeError) as exc:
        raise DivisionImportError([f"{name}: JSON 结构不符，应为由 code、name、children 组成的列表"]) from exc
    except csv.Error as exc:
        raise DivisionImportError([f"{name}: CSV 格式有误（可能含有二进制内容或过长的字段），无法读取"]) from exc
    except OSError as exc:
        raise DivisionImportError([f"{name}: 无法读取文件（{exc.strerror or exc}）"]) from exc


def _validate(rows: list[Row]) -> tuple[dict[str, tuple[str, int, str | None]], dict[str, str], list[str]]:
    """Full code → (name, level, parent full code); full code → file:line; plus the errors found."""
    errors: list[str] = []
    parsed: dict[str, tuple[str, int, str | None]] = {}
    seen: dict[str, str] = {}
    for row in rows:
        try:
            full = regioncode.normalize(row.code)
        except regioncode.RegionCodeError as exc:
            errors.append(f"{row.source}: {exc}")
            continue
        if not row.name:
            errors.append(f"{row.source}: 名称为空")
            continue
        level = regioncode.level_of(full)
        expected_parent = regioncode.parent_code(full)
        parent = None
        if row.parent:
            try:
                parent = regioncode.normalize(row.parent)
            except regioncode.RegionCodeError as exc:
                errors.append(f"{row.source}: 上级{exc}")
                continue
            if parent == full:
                # A placeholder that shares its parent's code (东莞市 441900 under 4419, a township
                # 350527000 under 金门县): the parent itself; its children attach to the parent.
                continue
            if parent != expected_parent:
                errors.append(f"{row.source}: 上级代码 {row.parent} 与代码 {row.code} 不一致")
                continue
        if full in seen and parsed[full][0] != row.name:
            errors.append(f"{row.source}: 代码 {row.code} 重复（首次出现于 {seen[full]}），名称不同")
            continue
        seen.setdefault(full, row.source)
        parsed[full] = (row.name, level, expected_parent)
    return parsed, seen, errors


def import_divisions(path: Path | str, *, actor=None, batch: int = 5000) -> ImportReport:
    rows = read_rows(Path(path))
    parsed, sources, errors = _validate(rows)
    existing = {code: (name, level, parent) for code, name, level, parent in
                Region.objects.values_list("code", "name", "level", "parent_id").iterator(chunk_size=20000)}
    # Every parent must exist in the file or already in the database.
    for code, (_name, _level, parent) in parsed.items():
        if parent and parent not in parsed and parent not in existing:
            errors.append(f"{sources[code]}: 代码 {code} 的上级 {parent} 不存在（先导入上级区划）")
    if errors:
        raise DivisionImportError(errors)

    report = ImportReport()
    new: list[Region] = []
    changed: list[Region] = []
    for code in sorted(parsed, key=lambda c: (parsed[c][1], c)):  # parents before children
        name, level, parent = parsed[code]
        if code not in existing:
            new.append(Region(code=code, name=name, level=level, parent_id=parent))
        elif existing[code] != (name, level, parent):
            changed.append(Region(code=code, name=name, level=level, parent_id=parent))
        else:
            report.unchanged += 1
    with transaction.atomic():
        for i in range(0, len(new), batch):
            Region.objects.bulk_create(new[i: i + batch], batch_size=batch)
        if changed:
            Region.objects.bulk_update(changed, ["name", "level", "parent"], batch_size=batch)
        report.created, report.updated = len(new), len(changed)
        if new or changed:
            record("regions.imported", actor=actor, object_type="regions.region", object_id="",
                   changes={"created": report.created, "updated": report.updated, "file": _source_name(Path(path))})
    return report


def _source_name(path: Path) -> str:
    """What the audit trail names as the import's source: the file, or the files of a folder."""
    if path.is_dir():
        return "、".join(sorted(p.name for p in path.glob("*.csv"))) or path.name
    return path.name


def shipped_divisions() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "divisions"
