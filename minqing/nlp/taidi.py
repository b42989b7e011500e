"""Readers for CSV files with the columns of the taidi2020c message files (附件2/3/4, 测试数据).

The data itself is never shipped (no licence): it is read from ../shared/data/taidi2020c when that
folder is there, or from any file with the same columns a county exports."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .textnorm import normalize, text_hash

LABEL_COLUMNS = ("一级分类", "一级标签")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass
class Message:
    id: str
    user: str
    title: str
    text: str
    time: dt.datetime | None
    label: str = ""
    likes: int = 0
    against: int = 0
    reply: str = ""
    reply_time: dt.datetime | None = None

    @property
    def key(self) -> str:
        return text_hash(self.title + " " + self.text)


def parse_time(value: str | None) -> dt.datetime | None:
    """'2020/1/6 12:09:38', '2019-02-14 20:00:00', a date alone, or an Excel serial number."""
    text = (value or "").strip()
    if not text:
        return None
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d",
                "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        serial = float(text)
    except ValueError:
        return None
    if 20000 < serial < 80000:  # an Excel date (days since 1899-12-30)
        return _EXCEL_EPOCH + dt.timedelta(days=serial)
    return None


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def read_messages(path: str | Path) -> Iterator[Message]:
    """Every row of a message CSV, normalised; the first row of a repeated 留言编号 wins."""
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            mid = (row.get("留言编号") or "").strip()
            if mid and mid in seen:
                continue  # e.g. 37042 appears twice with two labels in 附件2
            seen.add(mid)
            label = next((normalize(row[c]) for c in LABEL_COLUMNS if row.get(c)), "")
            yield Message(id=mid, user=(row.get("留言用户") or "").strip(), title=normalize(row.get("留言主题")),
                          text=normalize(row.get("留言详情")), time=parse_time(row.get("留言时间")), label=label,
                          likes=_int(row.get("点赞数")), against=_int(row.get("反对数")),
                          reply=normalize(row.get("答复意见")), reply_time=parse_time(row.get("答复时间")))


def read_leaves(path: str | Path) -> dict[str, list[str]]:
    """附件1: first-level name → its third-level names (其他 left out): seed examples of the class."""
    leaves: dict[str, list[str]] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            first, leaf = normalize(row.get("一级分类")), normalize(row.get("三级分类"))
            if first and leaf and leaf != "其他" and leaf not in leaves.setdefault(first, []):
                leaves[first].append(leaf)
    return leaves
