"""China's working-day calendar and deadline arithmetic (plain Python, no Django).

Conventions (see docs/decisions/0003-workflow-and-deadlines.md):
- Datetimes in and out are timezone-aware; days are counted in local time, Asia/Shanghai.
- ``calendar_days`` and ``workdays`` deadlines end at 23:59:59 local of the last day. The start day
  itself is never counted (法律上"开始之日不计入"): N days from 10:00 on the 1st ends on the (1+N)th;
  N working days count from the first working day after the start date.
- ``hours`` are elapsed wall-clock hours (China has no DST, so local and elapsed agree).
- A day in a year outside ``known_years`` (no holidays entered for it) falls back to Mon–Fri and any
  deadline that counted such a day is returned with ``estimated=True`` so the UI can say so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)

Unit = Literal["hours", "calendar_days", "workdays"]
UNITS: tuple[Unit, ...] = ("hours", "calendar_days", "workdays")
WarningLevel = Literal["green", "yellow", "red"]

# chinese_calendar names its holidays in English; the UI wants the official Chinese names.
HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def to_local(dt: datetime) -> datetime:
    """Aware datetime → Asia/Shanghai; naive datetimes are refused (their meaning is a guess)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("需要带时区的时间 (timezone-aware datetime required)")
    return dt.astimezone(TZ)


def _as_date(d: date | datetime) -> date:
    # datetime is a subclass of date: take its *local* calendar date, not its UTC one.
    return to_local(d).date() if isinstance(d, datetime) else d


def end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59), TZ)


@dataclass(frozen=True)
class Deadline:
    due: datetime  # aware, Asia/Shanghai
    estimated: bool = False  # True when a counted day lies in a year without holiday data


@dataclass(frozen=True)
class DeadlinePolicy:
    amount: int
    unit: Unit
    # 民法典 §203: a period whose last day is a public holiday ends on the next working day.
    # Off by default: an earlier due date is the safe side for an office that must not overrun.
    roll_to_workday: bool = False

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        if self.amount < 0:
            raise ValueError("amount must be >= 0")


class WorkCalendar:
    """Mon–Fri weekdays plus an overrides table (date → is_workday, optional name).

    The Django side keeps an editable table of overrides and passes it in; ``default()`` seeds it
    from the chinese_calendar package.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool],
        known_years: Iterable[int],
        names: Mapping[date, str] | None = None,
    ) -> None:
        self._overrides: dict[date, bool] = {d: bool(v) for d, v in overrides.items()}
        self._names: dict[date, str] = dict(names or {})
        self.known_years: frozenset[int] = frozenset(known_years)

    @classmethod
    def default(cls) -> WorkCalendar:
        """Every year chinese_calendar knows (1.11: 2004–2026), with Chinese holiday names."""
        import chinese_calendar as cc  # imported lazily: only the default calendar needs it

        overrides: dict[date, bool] = {}
        names: dict[date, str] = {}
        for d, name in cc.holidays.items():
            overrides[d] = False
            names[d] = HOLIDAY_NAMES_ZH.get(str(name), str(name))
        for d, name in cc.workdays.items():
            overrides[d] = True
            names[d] = f"调休上班（{HOLIDAY_NAMES_ZH.get(str(name), str(name))}）"
        years = {d.year for d in overrides}
        return cls(overrides, years, names)

    def with_overrides(
        self,
        overrides: Mapping[date, bool],
        names: Mapping[date, str] | None = None,
        known_years: Iterable[int] = (),
    ) -> WorkCalendar:
        """A new calendar where the county's rows add to or replace this one's."""
        merged = {**self._overrides, **overrides}
        merged_names = {d: n for d, n in self._names.items() if d not in overrides}
        merged_names.update(names or {})
        return WorkCalendar(merged, self.known_years | set(known_years), merged_names)

    def rows(self) -> list[tuple[date, bool, str]]:
        """(date, is_workday, name) sorted: what the Django side seeds its editable table with."""
        return [(d, w, self._names.get(d, "")) for d, w in sorted(self._overrides.items())]

    def is_known(self, d: date | datetime) -> bool:
        return _as_date(d).year in self.known_years

    def is_workday(self, d: date | datetime) -> bool:
        day = _as_date(d)
        override = self._overrides.get(day)
        return override if override is not None else day.weekday() < 5

    def day_name(self, d: date | datetime) -> str:
        return self._names.get(_as_date(d), "")

    def next_workday(self, d: date | datetime) -> tuple[date, bool]:
        """First working day strictly after d, and whether an unknown year was crossed."""
        day, estimated = _as_date(d) + DAY, False
        while True:
            estimated |= not self.is_known(day)
            if self.is_workday(day):
                return day, estimated
            day += DAY

    def add_workdays(self, start: date | datetime, n: int) -> Deadline:
        """End (23:59:59) of the n-th working day after start's date; n == 0 → end of start's day."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, estimated = _as_date(start), False
        for _ in range(n):
            day, crossed = self.next_workday(day)
            estimated |= crossed
        return Deadline(end_of_day(day), estimated)

    def workdays_between(self, a: date | datetime, b: date | datetime) -> int:
        """Working days d with a < d <= b (so workdays_between(s, add_workdays(s, n).due) == n).

        Negative when b < a. Use ``touches_unknown_year`` to know whether the count is estimated.
        """
        start, end = _as_date(a), _as_date(b)
        if end < start:
            return -self.workdays_between(end, start)
        count, day = 0, start + DAY
        while day <= end:
            count += self.is_workday(day)
            day += DAY
        return count

    def touches_unknown_year(self, a: date | datetime, b: date | datetime) -> bool:
        lo, hi = sorted((_as_date(a), _as_date(b)))
        return any(y not in self.known_years for y in range(lo.year, hi.year + 1))

    # -- working time, for pauses on a working-day clock --------------------------------------
    def working_seconds(self, a: datetime, b: datetime) -> tuple[float, bool]:
        """Seconds of [a, b) that fall on working days, and whether an unknown year was touched."""
        a, b = to_local(a), to_local(b)
        total, estimated, t = 0.0, False, a
        while t < b:
            next_midnight = datetime.combine(t.date() + DAY, time(0), TZ)
            chunk_end = min(b, next_midnight)
            estimated |= not self.is_known(t)
            if self.is_workday(t):
                total += (chunk_end - t).total_seconds()
            t = chunk_end
        return total, estimated

    def advance_working_seconds(self, t: datetime, seconds: float) -> tuple[datetime, bool]:
        """Move t forward by `seconds` of working-day time (non-working days pass for free)."""
        t, estimated, left = to_local(t), False, seconds
        while left > 0:
            next_midnight = datetime.combine(t.date() + DAY, time(0), TZ)
            estimated |= not self.is_known(t)
            if self.is_workday(t):
                room = (next_midnight - t).total_seconds()
                if left <= room:
                    return t + timedelta(seconds=left), estimated
                left -= room
            t = next_midnight
        return t, estimated


def compute_due(start: datetime, policy: DeadlinePolicy, cal: WorkCalendar) -> Deadline:
    """Due instant for `policy` counted from `start` (see the module docstring for conventions)."""
    local = to_local(start)
    if policy.unit == "hours":
        return Deadline(local + timedelta(hours=policy.amount), False)
    if policy.unit == "workdays":
        return cal.add_workdays(local, policy.amount)
    last = local.date() + timedelta(days=policy.amount)
    estimated = False
    if policy.roll_to_workday:
        estimated = not cal.is_known(last)
        if not cal.is_workday(last):
            last, crossed = cal.next_workday(last)
            estimated |= crossed
    return Deadline(end_of_day(last), estimated)


def merge_pauses(pauses: Iterable[tuple[datetime, datetime | None]], now: datetime) -> list[tuple[datetime, datetime]]:
    """Sorted, non-overlapping pause intervals; an open pause (end None) runs until `now`."""
    spans = sorted((to_local(s), to_local(e if e is not None else now)) for s, e in pauses)
    merged: list[tuple[datetime, datetime]] = []
    for s, e in spans:
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def compute_due_paused(
    start: datetime,
    policy: DeadlinePolicy,
    cal: WorkCalendar,
    pauses: Sequence[tuple[datetime, datetime | None]],
    now: datetime,
) -> Deadline:
    """compute_due, with the clock stopped during each pause (the due date moves by paused time).

    hours / calendar_days: the due moves by the elapsed paused time. workdays: it moves by the
    *working* time paused (a pause over a weekend costs nothing), on the same working-day clock.
    Pauses starting at or after the (moving) due are ignored: the case was already overdue.
    Steps: 1. base due; 2. for each merged pause in time order, clip it to start, stop once it
    begins after the current due, else push the due by the paused time.
    """
    base = compute_due(start, policy, cal)
    due, estimated = base.due, base.estimated
    begin = to_local(start)
    for s, e in merge_pauses(pauses, now):
        s = max(s, begin)
        if e <= s:
            continue
        if s >= due:
            break
        if policy.unit == "workdays":
            secs, est1 = cal.working_seconds(s, e)
            due, est2 = cal.advance_working_seconds(due, secs)
            estimated |= est1 or est2
        else:
            due += e - s
    return Deadline(due, estimated)


def warning_level(
    now: datetime,
    due: datetime,
    started: datetime,
    yellow_fraction: float = 0.8,
    yellow_before: timedelta | None = None,
) -> WarningLevel:
    """红黄灯预警: red once overdue; yellow near the end; green otherwise.

    "Near the end" is `yellow_before` ahead of the due if given, else once `yellow_fraction` of the
    time from `started` to `due` has elapsed. Pass a pause-adjusted `due` for paused cases.
    """
    if now > due:
        return "red"
    if yellow_before is not None:
        return "yellow" if now >= due - yellow_before else "green"
    span = (due - started).total_seconds()
    if span <= 0:
        return "yellow"
    return "yellow" if (now - started).total_seconds() >= yellow_fraction * span else "green"


# -- statutory petition limits (信访工作条例 2022, carried over from 信访条例 2005) -------------
# The law counts 日 (calendar days), not working days; we follow it literally and do not roll a
# last day that falls on a holiday forward (safe side; a county may set roll_to_workday).
PETITION_ACCEPTANCE = DeadlinePolicy(15, "calendar_days")  # decide acceptance, tell petitioner
PETITION_HANDLING = DeadlinePolicy(60, "calendar_days")  # from acceptance
PETITION_EXTENSION_MAX_DAYS = 30  # once, approved by the unit's head, petitioner told why
PETITION_MAX_EXTENSIONS = 1
PETITION_REVIEW_REQUEST = DeadlinePolicy(30, "calendar_days")  # 复查: ask within 30 days of answer
PETITION_REVIEW_DECISION = DeadlinePolicy(30, "calendar_days")  # … decided within 30 days
PETITION_REREVIEW_REQUEST = DeadlinePolicy(30, "calendar_days")  # 复核: same, one level up
PETITION_REREVIEW_DECISION = DeadlinePolicy(30, "calendar_days")
# A petition not yet given a deadline is overdue (积案) once acceptance and handling have both run out.
PETITION_OVERDUE_DAYS = PETITION_ACCEPTANCE.amount + PETITION_HANDLING.amount
