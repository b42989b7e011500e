"""One class per ledger layout: which Chinese headers map to which fields, and how a row becomes
an ``Item`` (what to write). Each layout reads a row's cells and raises CellError per column;
the loader collects every error with its row and column before writing anything."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from minqing.appeals import workflow as wf
from minqing.appeals.models import Triage
from minqing.lib import cells
from minqing.lib.cells import CellError


@dataclass
class Item:
    """One imported case, before it is written."""

    row: int
    source_ref: str
    title: str
    text: str
    received_at: dt.datetime
    reporters: list[str] = field(default_factory=list)
    anonymous: bool = False
    channel: str = "import"
    kind: str = wf.Kind.PROBLEM.value
    category: str = ""  # name
    category_scheme: str = "county"
    place: str = ""  # 乡镇/村 text, resolved in the region
    unit: str = ""  # name, resolved among the county's units
    handler_name: str = ""
    measures: str = ""
    due_at: dt.datetime | None = None
    closed: bool = False
    closed_at: dt.datetime | None = None
    unsolved: bool = False  # closed without solving (备注 says 未解决)
    triage: str = ""
    satisfaction: str = ""
    progress: str = ""
    answer: str = ""  # a reply: the case is answered (政策解答) with it
    answered_at: dt.datetime | None = None
    remark: str = ""
    number: str = ""  # the case's number (our own export writes "编号 …" in 备注): update that case


RowErrors = list[tuple[str, str]]  # (column, message)


class Layout:
    """Base: ``columns`` maps each header to a reader (cell → value); ``required`` must be present
    in the header row and non-empty in every row."""

    name: ClassVar[str]
    headers: ClassVar[tuple[str, ...]]  # the header set that identifies the layout
    required: ClassVar[tuple[str, ...]]

    def __init__(self, file_tag: str, received_default: dt.datetime) -> None:
        self.file_tag = file_tag
        self.received_default = received_default

    @classmethod
    def matches(cls, headers: list[str]) -> bool:
        return set(cls.headers) <= set(headers)

    def read(self, number: int, row: dict[str, Any]) -> tuple[Item | None, RowErrors]:
        errors: RowErrors = []
        values: dict[str, Any] = {}
        for header, cell in row.items():
            try:
                cells.reject_long_number(cell)
                values[header] = self.convert(header, cell)
            except CellError as exc:
                errors.append((header, str(exc)))
        for header in self.required:
            if header not in dict(errors) and values.get(header) in (None, ""):
                errors.append((header, "不能为空"))
        if errors:
            return None, errors
        try:
            return self.build(number, values), []
        except CellError as exc:
            return None, [("", str(exc))]

    readers: ClassVar[dict[str, Callable[[Any], Any]]] = {}

    def convert(self, header: str, cell: Any) -> Any:
        return self.readers.get(header, cells.text)(cell)

    def build(self, number: int, v: dict[str, Any]) -> Item:  # pragma: no cover - abstract
        raise NotImplementedError


def _title(subject: str, body: str) -> str:
    t = subject or body
    return t[:200] if len(t) <= 200 else t[:199] + "…"


def _kind_of(subject: str) -> str:
    if subject.startswith("咨询") or "请问" in subject[:8]:
        return wf.Kind.CONSULTATION.value
    if subject.startswith(("建议", "关于建议")) or "的建议" in subject:
        return wf.Kind.SUGGESTION.value
    return wf.Kind.PROBLEM.value


# ---------------------------------------------------------------------------------------------
# taidi2020c (the provincial message platform's files)


class TaidiMessages(Layout):
    """附件3: 留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数."""

    name = "taidi:附件3"
    headers = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数")
    required = ("留言编号", "留言主题", "留言时间")
    readers = {"留言编号": cells.identifier, "留言时间": cells.when, "答复时间": cells.when}

    def build(self, number: int, v: dict[str, Any]) -> Item:
        subject, body = v.get("留言主题", ""), v.get("留言详情", "")
        user = v.get("留言用户", "")
        remark = ""
        if "点赞数" in v or "反对数" in v:
            remark = f"点赞{v.get('点赞数') or 0}，反对{v.get('反对数') or 0}"
        return Item(row=number, source_ref=f"taidi:{self.file_tag}:{v['留言编号']}", title=_title(subject, body),
                    text=body or subject, received_at=v["留言时间"], reporters=[user] if user else [],
                    anonymous=not user, channel="web", kind=_kind_of(subject), remark=remark)


class TaidiReplies(TaidiMessages):
    """附件4: … 答复意见, 答复时间: the reply is the answer; the case is answered (政策解答,
    closed, not counted as solved: the platform's reply says what was done, not that it was)."""

    name = "taidi:附件4"
    headers = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "答复意见", "答复时间")
    required = ("留言编号", "留言主题", "留言时间", "答复意见", "答复时间")

    def build(self, number: int, v: dict[str, Any]) -> Item:
        item = super().build(number, v)
        item.answer, item.answered_at = v["答复意见"], v["答复时间"]
        if item.answered_at < item.received_at:
            raise CellError("“答复时间”早于“留言时间”")
        item.triage = Triage.EXPLAIN.value
        return item


class TaidiClassified(TaidiMessages):
    """测试数据 / 附件2: … 一级分类 (the first level of the 附件1 tree; may be empty)."""

    name = "taidi:分类留言"
    headers = ("留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类")
    required = ("留言编号", "留言主题", "留言时间")

    def build(self, number: int, v: dict[str, Any]) -> Item:
        item = super().build(number, v)
        item.category, item.category_scheme = v.get("一级分类", ""), "taidi"
        return item


# ---------------------------------------------------------------------------------------------
# Our own rectification ledger (整改台账), as exported and as townships keep it


_CLOSED_WORDS = {"是": True, "已办结": True, "办结": True, "Y": True,
                 "否": False, "未办结": False, "N": False, "": False}
_SATISFACTION = {label: s.value for s, label in wf.SATISFACTION_ZH.items()} | {"": ""}
_TRIAGE_WORDS = {"立行立改": Triage.ON_SPOT.value, "现场解决": Triage.ON_SPOT.value,
                 "限期整改": Triage.ASSIGN.value, "限期办理": Triage.ASSIGN.value, "政策解答": Triage.EXPLAIN.value}
_SOURCE_WORDS = {
    "入户走访": "visit", "走访": "visit", "院坝会": "meeting", "村民大会": "meeting", "田坎议事": "meeting",
    "接待日": "reception", "来电": "phone", "来信": "letter", "书记信箱": "mailbox", "电子邮件": "email",
    "网络": "web", "微博微信": "social", "上级转办": "transfer", "导入台账": "import", "12345热线": "12345",
    "Open311": "open311",
}


def _closed(cell: Any) -> bool:
    t = cells.text(cell)
    if t not in _CLOSED_WORDS:
        raise CellError(f"只能填“是”或“否”（现为“{t[:20]}”）")
    return _CLOSED_WORDS[t]


def _satisfaction(cell: Any) -> str:
    t = cells.text(cell)
    if t not in _SATISFACTION:
        raise CellError(f"只能填满意、基本满意或不满意（现为“{t[:20]}”）")
    return _SATISFACTION[t]


def _deadline(cell: Any) -> dt.datetime | None:
    value = cells.when(cell)
    return cells.end_of_day(value) if value else None


_NUMBER = re.compile(r"编号[\s:：]*([0-9A-Za-z][0-9A-Za-z~\-]*)")


class OwnLedger(Layout):
    """序号, 来源, 反映人, 乡镇/村, 类别, 问题描述, 责任单位, 责任人, 整改措施, 整改时限, 进展, 是否办结,
    群众满意度, 备注 (+ optional 登记时间). A row whose 备注 names a case ("编号 511722-2024-0000012",
    as our export writes) updates that case; any other row is a new case, whose idempotence key is a
    hash of the row's content (反映人, 乡镇/村, 问题描述, 整改时限): re-running the same ledger adds nothing.
    Without 登记时间 a case counts as received at the import, or a day before its deadline if that is
    earlier (a deadline must follow the assignment)."""

    name = "own"
    headers = ("序号", "反映人", "问题描述", "是否办结")
    required = ("问题描述",)
    readers = {"整改时限": _deadline, "是否办结": _closed, "群众满意度": _satisfaction, "登记时间": cells.when,
               "序号": cells.identifier}

    def build(self, number: int, v: dict[str, Any]) -> Item:
        body = v["问题描述"]
        who = [n for n in re.split(r"[、，,;；]", v.get("反映人", "")) if n.strip()]
        anonymous = not who or who == ["匿名"]
        due = v.get("整改时限")
        key = "|".join([v.get("反映人", ""), v.get("乡镇/村", ""), body, due.isoformat() if due else ""])
        remark = v.get("备注", "")
        triage = next((t for word, t in _TRIAGE_WORDS.items() if word in remark), "")
        unit = v.get("责任单位", "")
        if not triage and (unit or due):
            triage = Triage.ASSIGN.value
        closed = bool(v.get("是否办结"))
        if triage == Triage.ASSIGN.value and not due:
            raise CellError("限期整改的诉求须填写“整改时限”")
        if closed and not triage:
            triage = Triage.ON_SPOT.value
        closed_at = None
        if closed:
            m = re.search(r"(\d{4}-\d{1,2}-\d{1,2})办结", remark)
            closed_at = cells.when(m.group(1)) if m else None
        channel = _SOURCE_WORDS.get(v.get("来源", ""), "import")
        received = v.get("登记时间")
        if received is None:
            received = self.received_default
            if due is not None and triage == Triage.ASSIGN.value and due <= received:
                received = due - dt.timedelta(days=1)
        case = _NUMBER.search(remark)
        return Item(row=number, source_ref="ledger:" + hashlib.sha256(key.encode()).hexdigest()[:40],
                    title=_title("", body), text=body, received_at=received, number=case.group(1) if case else "",
                    reporters=[] if anonymous else who, anonymous=anonymous, channel=channel,
                    category=v.get("类别", ""), place=v.get("乡镇/村", ""), unit=unit,
                    handler_name=v.get("责任人", ""), measures=v.get("整改措施", ""), due_at=due, closed=closed,
                    closed_at=closed_at, unsolved=closed and "未解决" in remark, triage=triage,
                    satisfaction=v.get("群众满意度", ""),
                    progress=v.get("进展", ""), remark=remark)


TAIDI_LAYOUTS: tuple[type[Layout], ...] = (TaidiReplies, TaidiClassified, TaidiMessages)
OWN_LAYOUTS: tuple[type[Layout], ...] = (OwnLedger,)
MAPPINGS = {"own": OWN_LAYOUTS, "taidi": TAIDI_LAYOUTS}

_FILE_TAGS = (("附件4", "附件4"), ("附件3", "附件3"), ("附件2", "附件2"), ("测试数据", "测试数据"))


def file_tag(stem: str) -> str:
    """The file's part of a taidi source_ref: 附件4, 附件3, 附件2, 测试数据 (or the stem)."""
    for needle, tag in _FILE_TAGS:
        if needle in stem:
            return tag
    return re.sub(r"\s+", "", stem)[:20]
