"""The 公文 frame of a 简报 (GB/T 9704-2012 as county offices apply it to 简报): the red 版头 (the
name of the series, the 期号, the 编发单位 and the date above a red line) and the 版记 at the end
(报/送/发 lines between two thin lines). Plain Python: the page and the .docx print the same fields.

期号 counts per issuing unit and year without a register: the monthly series is numbered by its
month (2024年5月 → 2024年第5期), the quarterly one by its quarter, the yearly one is 第1期; a
briefing of a free span is a 增刊 (docs/decisions/0034-briefing-figures-once.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minqing.lib import regioncode
from minqing.lib.periods import Period
from minqing.regions.models import Region

SERIES = "民情工作简报"


@dataclass(frozen=True)
class Masthead:
    series: str  # 民情工作简报 (the red 版头)
    issue: str  # 2024年第5期 / 增刊
    issuer: str  # 编发单位
    issued_on: dt.date
    report_to: str  # 报：the level above
    copy_to: str  # 送：the place's own leaders and member units
    send_to: str  # 发：the places below

    @property
    def date_text(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"


def issue_number(period: Period) -> str:
    if period.kind == "month":
        return f"{period.start.year}年第{period.start.month}期"
    if period.kind == "quarter":
        return f"{period.start.year}年第{(period.start.month - 1) // 3 + 1}期"
    if period.kind == "year":
        return f"{period.start.year}年第1期"
    return "增刊"


def _above(region: Region) -> str:
    parent = region.parent
    if parent is None:
        return "上级党委、政府"
    level = regioncode.level_of(parent.code)
    if level >= regioncode.TOWNSHIP:
        return f"{parent.name}党委、政府" if not parent.name.endswith("街道") else f"{parent.name}党工委、办事处"
    return f"{parent.name}委、{parent.name}人民政府"


def masthead(region: Region, period: Period, today: dt.date) -> Masthead:
    level = regioncode.level_of(region.code)
    name = region.name
    if level >= regioncode.VILLAGE:
        copy_to, send_to = f"{name}党组织、村（居）民委员会成员", "各村（居）民小组"
    elif level >= regioncode.TOWNSHIP:
        copy_to = f"{name}党政领导班子成员，{name}民情工作领导小组成员单位"
        send_to = "各村（社区）党组织、村（居）民委员会"
    else:
        copy_to = f"{name}县级领导，{name}民情工作领导小组成员单位"
        send_to = "各乡镇党委、政府，各街道党工委、办事处"
    issuer = f"{name}民情工作领导小组办公室"
    if level >= regioncode.VILLAGE:
        issuer = f"{name}{'居' if name.endswith('社区') else '村'}民委员会"
    return Masthead(series=SERIES, issue=issue_number(period), issuer=issuer,
                    issued_on=today, report_to=_above(region), copy_to=copy_to, send_to=send_to)
