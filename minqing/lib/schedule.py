"""Reading a year's holiday/调休 schedule as the State Council notice gives it, one line each:

    2027-01-01 休 元旦
    2027-02-06 至 2027-02-12 休 春节
    2027-02-14 班 春节

A range ("至", "~" or "到") covers every day from the first to the last. "休" is a day off, "班" a
working day (调休上班). The name is optional. Plain Python: the set-up page and the command share it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_LINE = re.compile(rf"^{_DATE}(?:\s*(?:至|到|~|～)\s*{_DATE})?\s+(休|班|休息|上班)\s*(.*)$")


class ScheduleError(ValueError):
    """Chinese message naming the line."""


@dataclass(frozen=True)
class Day:
    date: date
    is_workday: bool
    name: str


def _date(y: str, m: str, d: str, number: int) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ScheduleError(f"第{number}行：日期 {y}-{m}-{d} 不存在") from None


def parse(text: str, year: int) -> list[Day]:
    """Every day the text names, in date order. Errors name the line; a day named twice is an error."""
    days: dict[date, Day] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            errors.append(f"第{number}行：无法识别“{line[:40]}”，应为“2027-01-01 休 元旦”或"
                          f"“2027-02-06 至 2027-02-12 休 春节”")
            continue
        try:
            first = _date(*m.group(1, 2, 3), number)
            last = _date(*m.group(4, 5, 6), number) if m.group(4) else first
        except ScheduleError as exc:
            errors.append(str(exc))
            continue
        if last < first or (last - first).days > 31:
            errors.append(f"第{number}行：日期范围不对（{first} 至 {last}）")
            continue
        if first.year != year or last.year != year:
            errors.append(f"第{number}行：日期不在 {year} 年")
            continue
        workday = m.group(7).startswith("班") or m.group(7) == "上班"
        name = m.group(8).strip()[:40]
        day = first
        while day <= last:
            if day in days:
                errors.append(f"第{number}行：{day} 已在前面出现过")
            days[day] = Day(day, workday, name)
            day += timedelta(days=1)
    if errors:
        raise ScheduleError("\n".join(errors))
    if not days:
        raise ScheduleError("没有填写任何日期")
    return [days[d] for d in sorted(days)]


def render(days: list[Day]) -> str:
    """Back to text, ranges of consecutive days with the same kind and name joined."""
    lines: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while (j + 1 < len(days) and days[j + 1].date - days[j].date == timedelta(days=1)
               and (days[j + 1].is_workday, days[j + 1].name) == (days[i].is_workday, days[i].name)):
            j += 1
        span = f"{days[i].date}" if i == j else f"{days[i].date} 至 {days[j].date}"
        lines.append(f"{span} {'班' if days[i].is_workday else '休'} {days[i].name}".rstrip())
        i = j + 1
    return "\n".join(lines)
