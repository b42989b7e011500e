"""The texts of the demo appeals: the labelled messages of ../shared/data/taidi2020c when they are
there (附件2 labelled messages, 附件4 messages with the government's replies as answers), else
texts.py."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .models import Category
from .texts import TEXTS


@dataclass
class Text:
    category: str
    kind: str
    title: str
    text: str
    answer: str



# --- texts ----------------------------------------------------------------------------------

_WS = re.compile(r"[\s\u3000]+")
_TAIDI_KEYWORDS = [("劳动和社会保障", "社保|养老|工资|医保|就业|劳动"), ("教育文体", "学校|教育|学生|老师|幼儿园|小学"),
                   ("交通运输", "公交|道路|交通|车|高速|出租"), ("卫生计生", "医院|医疗|卫生|计生|疫苗|医生"),
                   ("环境保护", "污染|噪音|环保|排放|臭"), ("商贸旅游", "商家|旅游|消费|超市|价格"),
                   ("城乡建设", "")]  # fmt: skip


# The shared messages name places by letters ("A市", "A7县", "K3镇"): in the demo county they read
# as its own places, never as placeholders a leader would see in a briefing's 典型案例.
_PLACES = [(re.compile(r"(?<![A-Za-z])[A-Z]\d*省"), "四川省"), (re.compile(r"(?<![A-Za-z])[A-Z]市"), "达州市"),
           (re.compile(r"(?<![A-Za-z])[A-Z]\d+(?:市|县|区)"), "宣汉县"),
           (re.compile(r"(?<![A-Za-z])[A-Z]\d*(镇|乡|街道|社区|小区|村)"), r"本\1")]


def _clean(text: str) -> str:
    text = _WS.sub(" ", text or "").strip()
    for pattern, name in _PLACES:
        text = pattern.sub(name, text)
    return text


def _kind_of(title: str) -> str:
    if "建议" in title:
        return "suggestion"
    if "咨询" in title or "请问" in title or "?" in title or "？" in title:
        return "consultation"
    return "problem"


def _read(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def load_texts(shared: Path | None, cats: dict[str, Category]) -> list[Text]:
    """Shared messages (附件4 with replies, 附件2 labelled) when present, then our own texts."""
    own = [Text(*row) for row in TEXTS]
    if shared is None:
        return own
    by_name = {c.name: c.code for c in cats.values() if c.scheme == "taidi" and c.level == 1}
    out: list[Text] = []
    seen: set[str] = set()
    folder = shared / "taidi2020c"
    for row in _read(folder / "附件4.csv"):
        title, body, reply = _clean(row.get("留言主题", "")), _clean(row.get("留言详情", "")), \
            _clean(row.get("答复意见", ""))
        if not title or not body or row.get("留言编号") in seen:
            continue
        seen.add(row.get("留言编号", ""))
        name = next(n for n, pat in _TAIDI_KEYWORDS if not pat or re.search(pat, title + body[:80]))
        out.append(Text(by_name.get(name, "S05"), _kind_of(title), title, body[:2000], reply[:1500]))
    for row in _read(folder / "附件2_示例数据_dev.csv"):
        title, body = _clean(row.get("留言主题", "")), _clean(row.get("留言详情", ""))
        if not title or not body or row.get("留言编号") in seen:
            continue
        seen.add(row.get("留言编号", ""))
        out.append(Text(by_name.get(row.get("一级分类", "").strip(), "S05"), _kind_of(title), title, body[:2000], ""))
    return out + own
