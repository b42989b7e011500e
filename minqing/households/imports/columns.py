"""The 花名册 layout: which columns the importer reads, the other names townships give them, and how
one row becomes a ``Person`` (or a list of (column, Chinese message) errors). Plain Python: no
database, no web."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from minqing.lib import cells
from minqing.lib.cells import CellError, norm_header
from minqing.lib.idcard import IdNumberError, clean_id_number
from minqing.lib.phone import PhoneError, clean_phone

# field key → (the documented header, other headers seen in townships' files)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "township": ("乡镇（街道）", ("乡镇", "乡（镇）", "镇（乡）", "乡镇街道", "街道")),
    "village": ("村（社区）", ("村", "村名", "社区", "村社区", "行政村", "村(居)委会")),
    "group": ("村民小组", ("组", "小组", "村民组", "社", "组别")),
    "number": ("户号", ("户编号", "户籍编号", "家庭编号")),
    "name": ("姓名", ("成员姓名", "人员姓名")),
    "relation": ("与户主关系", ("与户主的关系", "关系", "家庭关系")),
    "id_number": ("公民身份号码", ("身份证号", "身份证号码", "证件号码", "身份证")),
    "phone": ("联系电话", ("电话", "手机", "手机号", "手机号码", "电话号码")),
    "tags": ("户类别", ("户类型", "人员类别", "户属性", "类别")),
    "address": ("住址", ("家庭住址", "地址", "居住地址")),
}
REQUIRED = ("township", "village", "number", "name", "relation", "id_number")
OPTIONAL = tuple(k for k in COLUMNS if k not in REQUIRED)

RELATIONS: dict[str, str] = {
    "户主": "head", "本人": "head", "本人（户主）": "head",
    "配偶": "spouse", "妻": "spouse", "妻子": "spouse", "夫": "spouse", "丈夫": "spouse",
    "子": "child", "女": "child", "儿子": "child", "女儿": "child", "长子": "child", "次子": "child",
    "三子": "child", "长女": "child", "次女": "child", "三女": "child", "独生子": "child", "独生女": "child",
    "养子": "child", "养女": "child", "继子": "child", "继女": "child", "子女": "child",
    "父亲": "parent", "母亲": "parent", "父母": "parent", "公公": "parent", "婆婆": "parent",
    "岳父": "parent", "岳母": "parent",
    "孙子": "grandchild", "孙女": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild",
    "孙子女": "grandchild", "外孙": "grandchild",
    "兄弟姐妹": "sibling", "兄": "sibling", "弟": "sibling", "姐": "sibling", "妹": "sibling",
    "哥哥": "sibling", "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling",
    "儿媳": "child_in_law", "女婿": "child_in_law",
}
TAG_ALIASES = {"低保": "低保户", "五保": "五保户/特困", "五保户": "五保户/特困", "特困": "五保户/特困",
               "特困户": "五保户/特困", "特困供养": "五保户/特困", "脱贫": "脱贫户", "监测户": "防返贫监测户",
               "防返贫监测": "防返贫监测户", "残疾人": "残疾", "残疾户": "残疾", "留守老人": "独居老人"}
_NUMERALS = "零一二三四五六七八九"


def header_of(key: str) -> str:
    return COLUMNS[key][0]


def detect(headers: Iterable[str]) -> dict[str, int]:
    """Field → column index, by the documented header or a known other name."""
    index = {norm_header(h): i for i, h in reversed(list(enumerate(headers))) if norm_header(h)}
    found: dict[str, int] = {}
    for key, (main, others) in COLUMNS.items():
        for name in (main, *others):
            i = index.get(norm_header(name))
            if i is not None:
                found[key] = i
                break
    return found


def apply_mapping(headers: list[str], mapping: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """A user's mapping (field → the file's header text) on top of what ``detect`` found; returns the
    columns and what is still missing or wrong, in Chinese."""
    columns = detect(headers)
    normed = [norm_header(h) for h in headers]
    problems: list[str] = []
    for key, header in mapping.items():
        if key not in COLUMNS:
            problems.append(f"未知的字段“{key}”")
            continue
        if not header:  # "not in this file": only an optional column may be left out
            if key in OPTIONAL:
                columns.pop(key, None)
            continue
        if norm_header(header) not in normed:
            problems.append(f"文件中没有“{header}”这一列")
            continue
        columns[key] = normed.index(norm_header(header))
    missing = [header_of(k) for k in REQUIRED if k not in columns]
    if missing:
        problems.append("缺少必需的列：" + "、".join(missing))
    return columns, problems


def find_header(rows: Iterable[tuple[int, list[Any]]],
                mapping: dict[str, str]) -> tuple[int, list[str], dict[str, int]]:
    """The header line (within the first 10) whose columns, with the mapping, hold every required field.
    Raises CellError naming what is missing in the best candidate."""
    best: tuple[int, list[str], list[str]] | None = None
    for number, raw in rows:
        headers = [cells.text(c) for c in raw]
        columns, problems = apply_mapping(headers, mapping)
        if not problems:
            return number, headers, columns
        if any(headers) and (best is None or len(detect(headers)) > len(detect(best[1]))):
            best = (number, headers, problems)
        if number >= 10:
            break
    if best is None:
        raise CellError("文件是空的")
    raise CellError(f"第{best[0]}行表头不全：" + "；".join(best[2]) + "（可在“列对应”中指定）")


def group_number(value: str) -> int | None:
    """村民小组 → its number: 3, "3组", "三组", "第三村民小组", "十二组", "3社"."""
    t = value.strip()
    if not t:
        return None
    m = re.search(r"\d+", t)
    if m:
        return int(m.group())
    m = re.search(r"[零一二三四五六七八九十]+", t)
    if not m:
        raise CellError(f"无法识别小组“{t[:20]}”：请写成“3组”或“三组”")
    s = m.group()
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_NUMERALS.index(tens) if tens else 1) * 10 + (_NUMERALS.index(ones) if ones else 0)
    return int("".join(str(_NUMERALS.index(ch)) for ch in s))


@dataclass
class Person:
    """One checked row of the file."""

    line: int
    township: str
    village: str
    group: int | None
    number: str
    name: str
    relation: str
    id_number: str
    phone: str
    tags: list[str] = field(default_factory=list)  # tag names as in the file (checked later)
    address: str = ""
    id_hash: str = ""  # the keyed hash (set by the loader, which holds the key)


def _id_number(cell: Any) -> str:
    cells.reject_long_number(cell)
    if isinstance(cell, float):  # an ID typed as a number: Excel kept 15 digits at most
        raise CellError("身份证号被存成了数字，末位已丢失；请把该列设为文本后重新填写")
    try:
        return clean_id_number(cells.text(cell))
    except IdNumberError as exc:
        raise CellError(str(exc)) from exc


def _phone(cell: Any) -> str:
    if isinstance(cell, str):  # 11 digits survive as a number; "1.38123E+10" did not
        cells.reject_long_number(cell)
    t = cells.identifier(cell)
    if not t:
        return ""
    try:
        return clean_phone(t)
    except PhoneError as exc:
        raise CellError(str(exc)) from exc


def tag_names(value: str) -> list[str]:
    names = [p.strip() for p in re.split(r"[、，,;；/\s]+", value) if p.strip()]
    return [TAG_ALIASES.get(n, n) for n in names]


def read_row(line: int, raw: list[Any], columns: dict[str, int]) -> tuple[Person | None, list[tuple[str, str]]]:
    """A row → a Person, or the (header, message) of every bad cell in it."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []

    def cell(key: str) -> Any:
        i = columns.get(key)
        return raw[i] if i is not None and i < len(raw) else None

    readers = {"id_number": _id_number, "phone": _phone, "number": cells.identifier}
    for key in COLUMNS:
        if key not in columns:
            continue
        try:
            value = readers.get(key, cells.text)(cell(key))
            if key in REQUIRED and value in ("", None):
                raise CellError("不能为空")
            if key == "group":
                value = group_number(value)
            values[key] = value
        except CellError as exc:
            errors.append((header_of(key), str(exc)))
    if errors:
        return None, errors
    relation_text = values["relation"]
    relation = RELATIONS.get(relation_text.replace(" ", ""), "other")
    return Person(line=line, township=values["township"], village=values["village"], group=values.get("group"),
                  number=values["number"], name=values["name"][:50], relation=relation,
                  id_number=values["id_number"], phone=values.get("phone", ""),
                  tags=tag_names(values.get("tags", "")), address=values.get("address", "")[:200]), []
