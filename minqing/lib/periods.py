"""Reporting periods as leaders name them: a month, a quarter, a year, or two dates.

``parse(text, start, end, today)`` reads ``2024-05`` / ``2024-Q2`` / ``2024`` or a from/to pair and
answers a ``Period`` with its Chinese label; bad input raises ValidationError in Chinese.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year | custom
    start: dt.date
    end: dt.date
    label: str  # 2024年5月, 2024年第二季度, 2024年, 2024年5月1日至5月20日
    scope_word: str  # 本月 / 本季度 / 今年以来 / 期间: how the briefing names the period
    token: str  # what goes back into the URL: 2024-05, 2024-Q2, 2024, or "" for custom

    def query(self) -> str:
        if self.kind == "custom":
            return f"from={self.start.isoformat()}&to={self.end.isoformat()}"
        return f"period={self.token}"

    def months(self) -> list[tuple[dt.date, dt.date]]:
        """Calendar months the trend chart shows: those of the period, or the six up to a month's end."""
        first = self.start.replace(day=1)
        if self.kind == "month":
            first = _add_months(first, -5)
        out = []
        cursor = first
        while cursor <= self.end:
            last = cursor.replace(day=calendar.monthrange(cursor.year, cursor.month)[1])
            out.append((max(cursor, first), min(last, self.end)))
            cursor = _add_months(cursor, 1)
        return out[-24:]


def _add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month(y: int, m: int) -> Period:
    last = calendar.monthrange(y, m)[1]
    return Period("month", dt.date(y, m, 1), dt.date(y, m, last), f"{y}年{m}月", "本月", f"{y}-{m:02d}")


def quarter(y: int, q: int) -> Period:
    first = dt.date(y, 3 * q - 2, 1)
    end_month = 3 * q
    last = dt.date(y, end_month, calendar.monthrange(y, end_month)[1])
    return Period("quarter", first, last, f"{y}年第{QUARTER_NAMES[q]}季度", "本季度", f"{y}-Q{q}")


def year(y: int) -> Period:
    return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}年", "今年以来", f"{y}")


def custom(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValidationError("结束日期不能早于开始日期")
    if (end - start).days > 3700:
        raise ValidationError("统计期间不能超过十年")
    same_year = start.year == end.year
    tail = f"{end.month}月{end.day}日" if same_year else f"{end.year}年{end.month}月{end.day}日"
    return Period("custom", start, end, f"{start.year}年{start.month}月{start.day}日至{tail}", "统计期内", "")


def parse(text: str | None = None, start: str | None = None, end: str | None = None,
          today: dt.date | None = None) -> Period:
    """The period a request names; none named → the current month."""
    today = today or dt.date.today()
    text = (text or "").strip()
    if start or end:
        try:
            low = dt.date.fromisoformat(start) if start else None
            high = dt.date.fromisoformat(end) if end else None
        except ValueError as exc:
            raise ValidationError("日期无效，应为 YYYY-MM-DD，例如 2024-05-31") from exc
        low = low or (high or today).replace(day=1)
        return custom(low, high or today)
    if not text:
        return month(today.year, today.month)
    if m := _MONTH.match(text):
        y, mo = int(m.group(1)), int(m.group(2))
        if 1 <= mo <= 12 and y >= 1900:
            return month(y, mo)
    elif m := _QUARTER.match(text):
        if int(m.group(1)) >= 1900:
            return quarter(int(m.group(1)), int(m.group(2)))
    elif (m := _YEAR.match(text)) and int(m.group(1)) >= 1900:
        return year(int(m.group(1)))
    raise ValidationError(f"统计期间“{text}”无效，应为 2024-05（月）、2024-Q2（季度）或 2024（年）")


def choices(around: dt.date) -> dict[str, list[Period]]:
    """The quarters and years a period picker offers (this year's and last year's quarters)."""
    return {"quarters": [quarter(y, q) for y in (around.year, around.year - 1) for q in (4, 3, 2, 1)],
            "years": [year(around.year - n) for n in range(5)]}


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in the county's zone: the period as a half-open time range. Every
    count over a period filters its timestamps with these two values (never __date lookups)."""
    if end < start:
        raise ValueError("统计期间的结束日期不能早于开始日期")
    tz = ZoneInfo(settings.TIME_ZONE)
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return low, high


def span(period: str | None = None, start: str | None = None, end: str | None = None, *,
         today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The one reader of a period given as request parameters: YYYY-MM, YYYY-Qn, YYYY or from/to dates
    (either may be omitted); nothing → this month so far (the county's today). Chinese errors."""
    if period and (start or end):
        raise ValidationError("period 与 from/to 只能选一种")
    if not (period or start or end):
        from django.utils import timezone

        today = today or timezone.localdate()
        return today.replace(day=1), today
    p = parse(period, start, end, today=today)
    return p.start, p.end
