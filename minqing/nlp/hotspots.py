"""群众反映集中的问题: groups of messages about the same place (or group of people) in a time window,
ranked by a heat index. A pure function over message records — the CLI runs it on a CSV without a
database, the region report feeds it appeals.

Grouping: two messages are linked when their texts are near-duplicates (character-bigram TF-IDF
cosine ≥ `same_text`), or when they name the same specific place and are still similar
(≥ `same_place`), and they arrived within `window_days` of each other; a hot spot is a connected
group. Heat = distinct residents + ½·repeat messages + 2·ln(1+support) + 2·(peak residents in 7 days − 1)
(+ 1 per distinct household when known): many people, many households, fast growth and public
support each raise it."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .textnorm import normalize

_PLACE_SUFFIX = ("小区|花园|新城|家园|公寓|大厦|广场|中学|小学|学校|学院|大学|幼儿园|医院|卫生院|村|社区|街道|镇|乡|"
                 "大道|路|街|巷|公司|市场|工业园|园区|楼盘|华苑|苑|府|湾|城|桥|站|车站|公园|酒店|厂")
_PLACE = re.compile(rf"([\u4e00-\u9fa5A-Za-z0-9]{{2,10}}?(?:{_PLACE_SUFFIX}))")
_ADMIN_PREFIX = re.compile(r"^(?:[A-Z]\d*[省市区县]|西地省|[\u4e00-\u9fa5]{1,3}[省市县区](?=[\u4e00-\u9fa5]{2}))+")
_GENERIC = re.compile(r"^(?:我们|我|你们|该|这个|这|本|所在|附近|周边|整个|各|全|小区|一个|某|有关|关于|反映|投诉|"
                      r"请问|建议|咨询|举报|希望|要求|请求)+")
_BAD_PLACE = {"小区", "学校", "公司", "医院", "社区", "村", "街道", "市场", "马路", "城市", "县城", "全市",
              "城区", "农村", "本村", "该小区", "工厂", "车站", "网站", "府", "市委市政府", "市政府",
              "区政府", "县政府",
              "人民政府", "政府", "线路", "电路", "思路", "出路", "道路", "公路", "铁路"}
PEOPLE = ("业主", "家长", "学生", "村民", "居民", "教师", "老师", "司机", "职工", "员工", "农民工", "退休人员", "老人",
          "残疾人", "商户", "租户", "患者", "考生", "乘客", "拆迁户", "贫困户", "环卫工", "外卖员")


@dataclass
class Record:
    id: str
    text: str
    title: str = ""
    time: dt.datetime | None = None
    likes: int = 0
    user: str = ""  # who wrote it (distinct residents)
    household: str = ""  # distinct households, when known
    place: str = ""  # a known place (village name) given by the caller


@dataclass
class Hotspot:
    title: str
    place: str
    people: str
    start: str
    end: str
    heat: float
    count: int
    residents: int
    households: int
    likes: int
    peak_7d: int
    description: str
    message_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_ADMIN_ANY = re.compile(r"[A-Z]\d*[省市区县]|西地省")
_STOP = re.compile(r".*(?:的|在|是|了|和|与|对|为|从|到|于|把|被|及|将|希望|请|要求|反对|关于|建议|投诉|咨询|举报|位于|"
                   r"地处|靠近|旁边|附近|门口|下|里|内|并|已|成功|确定|加快)")


def places_in(text: str, known: Sequence[str] = ()) -> list[str]:
    """Specific places a message names: known names first (villages …), then 小区/路/学校-like names
    (the administrative prefix A市A3区 and any leading clause cut away)."""
    text = normalize(text)
    found = [k for k in known if k and k in text]
    for m in _PLACE.finditer(_ADMIN_ANY.sub("，", text)):
        name = _GENERIC.sub("", _STOP.sub("", m.group(1)))
        if len(name) >= 3 and name not in _BAD_PLACE and not name.isdigit():
            found.append(name)
    return list(dict.fromkeys(found))


def people_in(text: str) -> str:
    counts = Counter(p for p in PEOPLE if p in text)
    return counts.most_common(1)[0][0] if counts else ""


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _peak(rows: list[Record], days: int = 7) -> int:
    """Growth: the most distinct residents writing within any `days` days."""
    timed = sorted((r.time, r.user or r.id) for r in rows if r.time)
    best, j = 0, 0
    for i, (t, _who) in enumerate(timed):
        while timed[j][0] < t - dt.timedelta(days=days):
            j += 1
        best = max(best, len({w for _t, w in timed[j:i + 1]}))
    return best


def heat_of(count: int, residents: int, households: int, likes: int, peak: int) -> float:
    return round(residents + 0.5 * (count - residents) + households + 2 * math.log1p(max(0, likes))
                 + 2 * max(0, peak - 1), 2)


def find_hotspots(records: Iterable[Record], *, top: int = 10, window_days: int = 60, same_text: float = 0.6,
                  same_place: float = 0.25, min_count: int = 2, known_places: Sequence[str] = ()) -> list[Hotspot]:
    # numpy and scikit-learn here, not at the top: this module is imported when Django starts (field work
    # registers its hot-spot actions), and importing scikit-learn costs every process ~1.5 s of CPU.
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    rows = [r for r in records if (r.title or r.text)]
    if not rows:
        return []
    docs = [normalize(r.title) + " " + normalize(r.title) + " " + normalize(r.text)[:300] for r in rows]
    X = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, min_df=1).fit_transform(docs)
    places = [places_in(r.title + " " + normalize(r.text)[:200], known_places) for r in rows]
    for r, p in zip(rows, places, strict=True):
        if r.place and r.place not in p:
            p.insert(0, r.place)
    days = np.array([(r.time.timestamp() / 86400) if r.time else np.nan for r in rows])
    place_sets = [set(p) for p in places]
    u = _Union(len(rows))
    Xt = X.T.tocsc()
    step = 400
    for start in range(0, len(rows), step):  # blockwise cosine: memory stays small on any input
        sims = (X[start:start + step] @ Xt).tocoo()
        keep = (sims.data >= same_place) & (sims.col > sims.row + start)
        ii, jj, vv = sims.row[keep] + start, sims.col[keep], sims.data[keep]
        gap = np.abs(days[ii] - days[jj])
        near = ~(gap > window_days)  # NaN (no time) counts as near
        for i, j, v in zip(ii[near].tolist(), jj[near].tolist(), vv[near].tolist(), strict=True):
            if v >= same_text or (places[i] and not place_sets[i].isdisjoint(places[j])):
                u.join(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(u.find(i), []).append(i)
    out: list[Hotspot] = []
    for members in groups.values():
        if len(members) < min_count:
            continue
        out.append(_describe([rows[i] for i in members], [places[i] for i in members], X[members]))
    out.sort(key=lambda h: (-h.heat, h.start))
    return out[:top] if top else out


def _describe(rows: list[Record], places: list[list[str]], X) -> Hotspot:
    place_counts = Counter(p for ps in places for p in ps)
    place = place_counts.most_common(1)[0][0] if place_counts else ""
    import numpy as np

    people = people_in(" ".join(r.title + r.text[:200] for r in rows))
    centre = np.asarray(X.mean(0)).ravel()
    scores = X @ centre
    rep = rows[int(np.argmax(scores))]  # the message closest to the group's centre names it
    times = [r.time for r in rows if r.time]
    users = {r.user or r.id for r in rows}
    households = {r.household for r in rows if r.household}
    likes = sum(max(0, r.likes) for r in rows)
    peak = _peak(rows) if times else 1
    title = normalize(rep.title) or normalize(rep.text)[:30]
    ids = [r.id for r in sorted(rows, key=lambda r: (r.time or dt.datetime.min, r.id))]
    return Hotspot(
        title=title, place=place, people=people,
        start=min(times).date().isoformat() if times else "", end=max(times).date().isoformat() if times else "",
        heat=heat_of(len(rows), len(users), len(households), likes, peak), count=len(rows), residents=len(users),
        households=len(households), likes=likes, peak_7d=peak,
        description=f"{place or people or title}：{len(rows)}条留言，{len(users)}人反映" + (
            f"，点赞{likes}" if likes else "") + f"（{title}）",
        message_ids=ids)
