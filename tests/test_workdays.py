"""Working-day calendar and deadlines, checked against chinese_calendar on real 2024/2025 dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import chinese_calendar as cc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minqing.lib.workdays import (
    PETITION_ACCEPTANCE,
    PETITION_EXTENSION_MAX_DAYS,
    PETITION_HANDLING,
    PETITION_MAX_EXTENSIONS,
    PETITION_REREVIEW_DECISION,
    PETITION_REREVIEW_REQUEST,
    PETITION_REVIEW_DECISION,
    PETITION_REVIEW_REQUEST,
    TZ,
    Deadline,
    DeadlinePolicy,
    WorkCalendar,
    compute_due,
    compute_due_paused,
    end_of_day,
    warning_level,
)

CAL = WorkCalendar.default()


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


def eod(y: int, m: int, d: int) -> datetime:
    return end_of_day(date(y, m, d))


# -- the calendar itself ---------------------------------------------------------------------


def test_default_knows_every_year_chinese_calendar_knows():
    years = {d.year for d in cc.holidays} | {d.year for d in cc.workdays}
    assert CAL.known_years == frozenset(years)
    assert {2024, 2025, 2026} <= CAL.known_years
    assert 2031 not in CAL.known_years


@pytest.mark.parametrize("year", [2024, 2025])
def test_it_agrees_with_chinese_calendar_on_every_day(year):
    day = date(year, 1, 1)
    while day.year == year:
        assert CAL.is_workday(day) == cc.is_workday(day), day
        day += timedelta(days=1)


def test_2025_national_day_and_mid_autumn():
    for d in range(1, 9):
        assert not CAL.is_workday(date(2025, 10, d))
    assert CAL.day_name(date(2025, 10, 1)) == "国庆节"
    assert CAL.day_name(date(2025, 10, 6)) == "中秋节"
    # 调休: Sunday 28 Sep and Saturday 11 Oct are working days.
    assert date(2025, 9, 28).weekday() == 6 and CAL.is_workday(date(2025, 9, 28))
    assert date(2025, 10, 11).weekday() == 5 and CAL.is_workday(date(2025, 10, 11))
    assert CAL.day_name(date(2025, 10, 11)) == "调休上班（国庆节）"
    assert not CAL.is_workday(date(2025, 10, 12))  # an ordinary Sunday
    assert CAL.is_workday(date(2025, 10, 9))


def test_is_workday_takes_the_local_date_of_a_datetime():
    # 2025-09-30 17:00 UTC is already 1 Oct (a holiday) in Shanghai.
    assert not CAL.is_workday(datetime(2025, 9, 30, 17, 0, tzinfo=UTC))
    assert CAL.is_workday(datetime(2025, 9, 30, 15, 0, tzinfo=UTC))


def test_rows_are_sorted_and_named():
    rows = CAL.rows()
    assert rows == sorted(rows)
    assert (date(2025, 9, 28), True, "调休上班（国庆节）") in rows


# -- adding and counting working days --------------------------------------------------------


def test_add_workdays_across_national_day_2025():
    # Counting starts the next working day: Tue 30 Sep → first working day is Thu 9 Oct.
    assert CAL.add_workdays(at(2025, 9, 30), 1) == Deadline(eod(2025, 10, 9), False)
    assert CAL.add_workdays(at(2025, 9, 30), 3).due == eod(2025, 10, 11)  # the 调休 Saturday
    # Friday 26 Sep → the 调休 Sunday 28 Sep is day 1.
    assert CAL.add_workdays(at(2025, 9, 26, 16), 1).due == eod(2025, 9, 28)
    assert CAL.add_workdays(at(2025, 9, 30), 0).due == eod(2025, 9, 30)


def test_a_deadline_spanning_spring_festival_2025():
    # 春节 28 Jan – 4 Feb 2025; 调休 Sunday 26 Jan and Saturday 8 Feb.
    start = at(2025, 1, 24, 15)  # Friday
    assert CAL.add_workdays(start, 5).due == eod(2025, 2, 7)
    assert CAL.add_workdays(start, 10).due == eod(2025, 2, 13)
    assert len(cc.get_workdays(date(2025, 1, 25), date(2025, 2, 13))) == 10


def test_a_deadline_spanning_spring_festival_2024():
    # 春节 10–17 Feb 2024; 调休 Sunday 4 Feb and Sunday 18 Feb.
    start = at(2024, 2, 8, 9)  # Thursday
    due = CAL.add_workdays(start, 3).due
    expected = cc.get_workdays(date(2024, 2, 9), date(2024, 3, 1))[2]
    assert due == end_of_day(expected) == eod(2024, 2, 19)


def test_workdays_between():
    assert CAL.workdays_between(date(2025, 9, 30), date(2025, 10, 11)) == 3
    assert CAL.workdays_between(date(2025, 10, 11), date(2025, 9, 30)) == -3
    assert CAL.workdays_between(date(2025, 1, 1), date(2025, 1, 1)) == 0
    assert CAL.workdays_between(date(2024, 12, 31), date(2025, 12, 31)) == len(
        cc.get_workdays(date(2025, 1, 1), date(2025, 12, 31))
    )


def test_add_workdays_refuses_negative_and_naive():
    with pytest.raises(ValueError):
        CAL.add_workdays(at(2025, 1, 1), -1)
    with pytest.raises(ValueError):
        CAL.add_workdays(datetime(2025, 1, 1, 10), 1)


def test_an_unknown_year_falls_back_to_weekdays_and_says_so():
    result = CAL.add_workdays(at(2031, 3, 7), 1)  # Friday
    assert result == Deadline(eod(2031, 3, 10), True)  # Monday, estimated
    assert CAL.add_workdays(at(2025, 3, 7), 1).estimated is False
    # Crossing from a known year into an unknown one is estimated too.
    assert CAL.add_workdays(at(2026, 12, 29), 5).estimated is True
    assert compute_due(at(2031, 3, 7), DeadlinePolicy(3, "workdays"), CAL).estimated is True
    assert compute_due(at(2031, 3, 7), DeadlinePolicy(3, "calendar_days"), CAL).estimated is False
    assert CAL.touches_unknown_year(date(2026, 12, 1), date(2027, 1, 5))
    assert not CAL.touches_unknown_year(date(2025, 12, 1), date(2026, 1, 5))


def test_a_county_override_changes_a_day():
    # The county gives Thursday 9 Oct 2025 off and makes Sunday 12 Oct a working day.
    county = CAL.with_overrides({date(2025, 10, 9): False, date(2025, 10, 12): True}, names={date(2025, 10, 9): "县庆"})
    assert not county.is_workday(date(2025, 10, 9)) and county.day_name(date(2025, 10, 9)) == "县庆"
    assert county.is_workday(date(2025, 10, 12))
    assert county.add_workdays(at(2025, 9, 30), 1).due == eod(2025, 10, 10)
    # The national calendar is untouched.
    assert CAL.is_workday(date(2025, 10, 9))
    assert CAL.add_workdays(at(2025, 9, 30), 1).due == eod(2025, 10, 9)


def test_a_county_can_enter_a_future_year():
    county = CAL.with_overrides({date(2031, 1, 1): False}, known_years=[2031])
    # The start day is not counted, so 31 Dec 2030 (unknown) does not make this an estimate.
    assert county.add_workdays(at(2030, 12, 31), 1) == Deadline(eod(2031, 1, 2), False)
    assert county.add_workdays(at(2030, 12, 27), 1) == Deadline(eod(2030, 12, 30), True)


def test_a_hand_built_calendar():
    cal = WorkCalendar({date(2040, 1, 2): False}, known_years=[2040])
    assert not cal.is_workday(date(2040, 1, 2))
    assert cal.add_workdays(at(2040, 1, 1), 1) == Deadline(eod(2040, 1, 3), False)


# -- deadline policies -----------------------------------------------------------------------


def test_compute_due_hours_are_elapsed_time():
    start = datetime(2025, 9, 30, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai
    due = compute_due(start, DeadlinePolicy(2, "hours"), CAL).due
    assert due == at(2025, 10, 1, 0) and due.tzinfo == TZ  # holidays do not matter for hours


def test_compute_due_calendar_days_end_of_last_day():
    # The start day is not counted: 15 days from 30 Sep 10:00 ends 15 Oct 23:59:59.
    assert compute_due(at(2025, 9, 30), PETITION_ACCEPTANCE, CAL) == Deadline(eod(2025, 10, 15), False)
    assert compute_due(at(2025, 9, 30, 23, 59), DeadlinePolicy(1, "calendar_days"), CAL).due == eod(2025, 10, 1)


def test_compute_due_calendar_days_can_roll_past_a_holiday():
    plain = DeadlinePolicy(15, "calendar_days")
    rolled = DeadlinePolicy(15, "calendar_days", roll_to_workday=True)
    assert compute_due(at(2025, 9, 16), plain, CAL).due == eod(2025, 10, 1)
    assert compute_due(at(2025, 9, 16), rolled, CAL).due == eod(2025, 10, 9)


def test_compute_due_workdays():
    # 9, 10, 11 (调休 Saturday), 13, 14 Oct.
    assert compute_due(at(2025, 9, 30), DeadlinePolicy(5, "workdays"), CAL).due == eod(2025, 10, 14)


def test_compute_due_refuses_naive_datetimes_and_bad_policies():
    with pytest.raises(ValueError):
        compute_due(datetime(2025, 1, 1), DeadlinePolicy(1, "hours"), CAL)
    with pytest.raises(ValueError):
        DeadlinePolicy(1, "weeks")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DeadlinePolicy(-1, "hours")


def test_statutory_petition_limits():
    assert PETITION_ACCEPTANCE == DeadlinePolicy(15, "calendar_days")
    assert PETITION_HANDLING == DeadlinePolicy(60, "calendar_days")
    assert (PETITION_EXTENSION_MAX_DAYS, PETITION_MAX_EXTENSIONS) == (30, 1)
    for policy in (PETITION_REVIEW_REQUEST, PETITION_REVIEW_DECISION):
        assert policy == DeadlinePolicy(30, "calendar_days")
    for policy in (PETITION_REREVIEW_REQUEST, PETITION_REREVIEW_DECISION):
        assert policy == DeadlinePolicy(30, "calendar_days")
    # Handling: 60 days from acceptance on 1 Nov 2025 → 31 Dec 2025.
    assert compute_due(at(2025, 11, 1), PETITION_HANDLING, CAL).due == eod(2025, 12, 31)


# -- pauses ----------------------------------------------------------------------------------


def test_pauses_move_an_hours_deadline():
    start, policy = at(2025, 3, 3, 8), DeadlinePolicy(24, "hours")
    pauses = [(at(2025, 3, 3, 9), at(2025, 3, 3, 11)), (at(2025, 3, 3, 10), at(2025, 3, 3, 12))]
    due = compute_due_paused(start, policy, CAL, pauses, now=at(2025, 3, 5))
    assert due.due == at(2025, 3, 4, 11)  # merged pause 9–12 = 3 hours


def test_an_open_pause_runs_until_now_and_late_pauses_do_not_count():
    start, policy = at(2025, 3, 3, 8), DeadlinePolicy(2, "calendar_days")
    open_pause = compute_due_paused(start, policy, CAL, [(at(2025, 3, 4, 8), None)], now=at(2025, 3, 4, 20))
    assert open_pause.due == eod(2025, 3, 5) + timedelta(hours=12)
    late = compute_due_paused(start, policy, CAL, [(at(2025, 3, 6, 8), at(2025, 3, 7))], now=at(2025, 3, 8))
    assert late.due == eod(2025, 3, 5)
    before = compute_due_paused(start, policy, CAL, [(at(2025, 3, 1), at(2025, 3, 2))], now=at(2025, 3, 8))
    assert before.due == eod(2025, 3, 5)


def test_pauses_on_a_working_day_clock():
    start, policy = at(2025, 9, 24, 9), DeadlinePolicy(3, "workdays")  # Wed → due Sun 28 Sep (调休)
    assert compute_due(start, policy, CAL).due == eod(2025, 9, 28)
    weekend = [(at(2025, 9, 27, 0, 0), at(2025, 9, 27, 23, 59))]  # Saturday 27: not a working day
    assert compute_due_paused(start, policy, CAL, weekend, now=at(2025, 10, 20)).due == eod(2025, 9, 28)
    # A full working day paused (Thu 25 Sep) pushes the due to the next working day: past the
    # National Day holiday … 29 Sep is a Monday, a working day.
    one_day = [(at(2025, 9, 25, 0, 0), at(2025, 9, 26, 0, 0))]
    assert compute_due_paused(start, policy, CAL, one_day, now=at(2025, 10, 20)).due == eod(2025, 9, 29)
    # Paused from noon on 28 Sep to the holiday: 2.5 working days; 29 and 30 Sep are used up,
    # the holiday is free, the last half day lands on 9 Oct.
    over = [(at(2025, 9, 28, 12, 0), at(2025, 10, 1, 0, 0))]
    due = compute_due_paused(start, policy, CAL, over, now=at(2025, 10, 20)).due
    assert due == at(2025, 10, 9, 11, 59) + timedelta(seconds=59)


def test_a_paused_deadline_into_an_unknown_year_is_estimated():
    start, policy = at(2026, 12, 21), DeadlinePolicy(3, "workdays")
    assert compute_due(start, policy, CAL).estimated is False
    pause = [(at(2026, 12, 22), at(2026, 12, 31, 12))]
    assert compute_due_paused(start, policy, CAL, pause, now=at(2027, 2, 1)).estimated is True


# -- warnings --------------------------------------------------------------------------------


def test_warning_levels():
    started, due = at(2025, 3, 1, 0), at(2025, 3, 11, 0)  # ten days
    assert warning_level(at(2025, 3, 5), due, started) == "green"
    assert warning_level(at(2025, 3, 9, 0), due, started) == "yellow"  # 80 % elapsed
    assert warning_level(due, due, started) == "yellow"
    assert warning_level(due + timedelta(seconds=1), due, started) == "red"
    assert warning_level(at(2025, 3, 9, 0), due, started, yellow_fraction=0.9) == "green"
    assert warning_level(at(2025, 3, 9, 0), due, started, yellow_before=timedelta(days=1)) == "green"
    assert warning_level(at(2025, 3, 10, 1), due, started, yellow_before=timedelta(days=1)) == "yellow"
    assert warning_level(started, started, started) == "yellow"  # zero-length window


# -- properties ------------------------------------------------------------------------------

starts = st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2026, 11, 30), timezones=st.just(TZ))


@settings(max_examples=200, deadline=None)
@given(start=starts, n=st.integers(min_value=0, max_value=40))
def test_add_and_count_are_inverse(start, n):
    result = CAL.add_workdays(start, n)
    assert CAL.workdays_between(start, result.due) == n
    if n:
        assert CAL.is_workday(result.due)
    assert result.due.time().isoformat() == "23:59:59" and result.due.tzinfo == TZ
    assert result.estimated == (result.due.year > 2026)  # 2023–2026 are known, 2027 is not


@settings(max_examples=200, deadline=None)
@given(
    start=starts,
    amount=st.integers(min_value=0, max_value=30),
    unit=st.sampled_from(["hours", "calendar_days", "workdays"]),
    pauses=st.lists(
        st.tuples(st.integers(min_value=-100, max_value=1000), st.integers(min_value=0, max_value=200)),
        max_size=4,
    ),
)
def test_pauses_never_pull_a_deadline_earlier(start, amount, unit, pauses):
    policy = DeadlinePolicy(amount, unit)
    base = compute_due(start, policy, CAL)
    spans = [(start + timedelta(hours=s), start + timedelta(hours=s + length)) for s, length in pauses]
    paused = compute_due_paused(start, policy, CAL, spans, now=start + timedelta(days=400))
    assert paused.due >= base.due
    assert compute_due_paused(start, policy, CAL, [], now=start) == base
    if unit != "workdays":
        total = sum(((e - s) for s, e in spans), timedelta())
        assert paused.due - base.due <= total
