"""Reply quality (答复质量): timeliness, relevance to the message and completeness — does the answer
say what was found, what was done, by whom, and what the resident can do next. Shown before a
reply is sent, with the missing parts named in Chinese. Pure functions (no Django)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .textnorm import bigrams, normalize

FULL_MARKS_DAYS = 5  # answered within five days: full marks (the usual 5-working-day response rule)
HALF_LIFE_DAYS = 15  # each further 15 days halves the score

# (element, what a complete reply contains, what is reported missing)
ELEMENTS: list[tuple[str, re.Pattern[str], str]] = [
    ("found", re.compile(r"经(?:调查|核实|查|了解|现场|实地|核查)|调查(?:核实|了解|发现)|核实|现场查看|实地查看|查明|"
                         r"了解到|情况如下|情况是|经查|反映的问题属实|反映情况|存在"),
     "未说明调查核实的情况（发现了什么）"),
    ("done", re.compile(r"已(?:经)?(?:整改|处理|安排|协调|完成|修复|拆除|清理|督促|责令|要求|落实|解决|办理|开展|组织|"
                        r"下发|约谈|立案|查处|更换|维修|对接|联系)|整改|处理|修复|责令|督促|协调|落实|解决|立案|"
                        r"查处|下一步|将(?:于|在|尽快|继续|进一步|加强)|计划"),
     "未说明采取了什么措施（做了什么）"),
    ("who", re.compile(r"[\u4e00-\u9fa5]{1,12}(?:局|委|办公室|办|中心|街道|社区|公司|政府|大队|支队|分局|镇|乡|村委会|"
                       r"居委会|管委会|站|所|院)|我(?:局|委|办|单位|中心|街道|镇|乡|司|院)"),
     "未说明由哪个部门或谁负责办理"),
    ("next", re.compile(r"如(?:有|仍有|您还有|对)[^。]{0,12}(?:疑问|问题|异议|不满)|"
                        r"可(?:致电|拨打|联系|咨询|向|到|前往|通过|申请|依法)|联系(?:电话|人|方式)|咨询电话|热线|\d{3,4}-\d{7,8}|\d{11}|请您|欢迎|"
                        r"申请复议|"
                        r"行政复议|诉讼"),
     "未告知群众下一步可以做什么（联系电话、办理途径或救济渠道）"),
]
_STOP_BIGRAMS = {"您好", "感谢", "反映", "问题", "留言", "我们", "情况", "关于", "有关", "部门", "领导", "希望", "请问",
                 "现将", "答复", "如下", "网友", "平台", "工作", "支持", "理解", "谢谢", "进行", "已经", "没有", "什么",
                 "目前", "由于", "因为", "所以", "这个", "一个", "可以", "是否", "市民", "尊敬", "收悉"}


@dataclass
class ReplyScore:
    timeliness: float | None  # None when either time is unknown
    relevance: float
    completeness: float
    overall: float
    days: float | None = None
    present: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def timeliness(asked_at: dt.datetime | None, replied_at: dt.datetime | None) -> tuple[float | None, float | None]:
    if asked_at is None or replied_at is None:
        return None, None
    if (asked_at.tzinfo is None) != (replied_at.tzinfo is None):
        asked_at, replied_at = asked_at.replace(tzinfo=None), replied_at.replace(tzinfo=None)
    days = (replied_at - asked_at).total_seconds() / 86400
    if days < -1:  # answered before it was asked: the dates are wrong
        return 0.0, round(days, 1)
    score = 0.5 ** (max(0.0, days - FULL_MARKS_DAYS) / HALF_LIFE_DAYS)
    return round(score, 3), round(days, 1)


def relevance(message: str, reply: str) -> float:
    """Share of the message's content bigrams the reply takes up (doubled: a reply need not repeat
    every word), or the subject quoted whole — whichever is higher."""
    msg = {b for b in bigrams(normalize(message)) if b not in _STOP_BIGRAMS}
    if not msg:
        return 0.0
    ans = set(bigrams(normalize(reply)))
    share = len(msg & ans) / len(msg)
    return round(min(1.0, 2.0 * share), 3)


def score_reply(message: str, reply: str, *, title: str = "", asked_at: dt.datetime | None = None,
                replied_at: dt.datetime | None = None) -> ReplyScore:
    reply = normalize(reply)
    on_time, days = timeliness(asked_at, replied_at)
    rel = relevance(f"{title} {message}", reply)
    if title and normalize(title) and normalize(title) in reply:
        rel = max(rel, 0.9)
    present, missing = [], []
    for name, pattern, absent in ELEMENTS:
        (present if pattern.search(reply) else missing).append(name if pattern.search(reply) else absent)
    complete = round(len(present) / len(ELEMENTS), 3)
    parts = [rel, complete] + ([on_time] if on_time is not None else [])
    return ReplyScore(timeliness=on_time, relevance=rel, completeness=complete,
                      overall=round(sum(parts) / len(parts), 3), days=days, present=present, missing=missing)
