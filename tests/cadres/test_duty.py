"""值班带班: the office edits its roster; a person checks in on the phone once a day; 走读 counts the
working days (调休 calendar) without a check-in, for the person's leaders only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minqing.audit.models import Event
from minqing.cadres import absence, duty
from minqing.cadres.models import CheckIn, DutyShift
from minqing.lib.workdays import TZ, WorkCalendar

MONDAY = dt.date(2025, 9, 29)  # then 国庆 from 10-01 and a 调休 working Saturday on 10-11


def _calendar() -> WorkCalendar:
    holidays = {MONDAY + dt.timedelta(days=n): False for n in range(2, 10)}  # 10-01 … 10-08
    return WorkCalendar({**holidays, dt.date(2025, 10, 11): True}, {2025})


def test_the_township_office_adds_and_cancels_a_shift(county):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    shift = duty.add_shift(actor=county.township_leader, region=county.town.code, day=tomorrow, kind="leading",
                           person=county.township_leader, note="手机 24 小时开机")
    assert DutyShift.objects.alive().get() == shift and Event.objects.filter(action="duty.shift_added").exists()
    with pytest.raises(ValidationError):  # the same person on the same duty twice
        duty.add_shift(actor=county.township_leader, region=county.town.code, day=tomorrow, kind="leading",
                       person=county.township_leader)
    with pytest.raises(ValidationError):  # no post in this township
        duty.add_shift(actor=county.township_leader, region=county.town.code, day=tomorrow, kind="on_duty",
                       person=county.dept_handler)
    with pytest.raises(ValidationError):
        duty.cancel_shift(shift, actor=county.township_leader, reason=" ")
    duty.cancel_shift(shift, actor=county.township_leader, reason="调整")
    shift.refresh_from_db()
    assert shift.deleted_at is not None and DutyShift.objects.filter(pk=shift.pk).exists()  # kept


def test_only_the_office_or_a_county_leader_edits_the_roster(county):
    day = timezone.localdate()
    with pytest.raises(PermissionDenied):
        duty.add_shift(actor=county.cadre_a, region=county.town.code, day=day, kind="on_duty", person=county.cadre_a)
    with pytest.raises(PermissionDenied):  # a station of the township is not its office
        duty.add_shift(actor=county.civil_staff, region=county.town.code, day=day, kind="on_duty",
                       person=county.civil_staff)
    duty.add_shift(actor=county.county_leader, region=county.town.code, day=day, kind="on_duty",
                   person=county.civil_staff)
    with pytest.raises(ValidationError):  # a roster is of a township or the county, not a village
        duty.add_shift(actor=county.county_leader, region=county.village_a.code, day=day, kind="on_duty",
                       person=county.cadre_a)
    assert [p.code for p in duty.roster_places(county.township_leader)] == [county.town.code]
    assert duty.roster_places(county.cadre_a) == []


def test_check_in_once_a_day_takes_the_days_shift(county):
    now = timezone.now()
    if timezone.localdate(now + dt.timedelta(minutes=5)) != timezone.localdate(now):  # a run just before midnight
        now -= dt.timedelta(minutes=10)  # both check-ins on one day, as the test means
    shift = duty.add_shift(actor=county.township_leader, region=county.town.code, day=timezone.localdate(now),
                           kind="on_duty", person=county.civil_staff)
    row = duty.check_in(actor=county.civil_staff, latitude="31.35", longitude=107.73, now=now)
    assert (row.shift, row.region_id, str(row.latitude)) == (shift, county.town.code, "31.350000")
    with pytest.raises(ValidationError):
        duty.check_in(actor=county.civil_staff, now=now + dt.timedelta(minutes=5))
    with pytest.raises(ValidationError):
        duty.check_in(actor=county.cadre_a, latitude=200, now=now)
    with pytest.raises(PermissionDenied):
        duty.check_in(actor=county.outsider, now=now)
    with pytest.raises(ValidationError):  # checked in: the shift is kept
        duty.cancel_shift(shift, actor=county.township_leader, reason="x")


def test_days_away_skip_holidays_and_count_the_make_up_saturday():
    cal = _calendar()
    days = absence.working_days(MONDAY, dt.date(2025, 10, 12), cal)
    assert days == [MONDAY, dt.date(2025, 9, 30), dt.date(2025, 10, 9), dt.date(2025, 10, 10),
                    dt.date(2025, 10, 11)]
    assert absence.days_away(days, {MONDAY, dt.date(2025, 10, 10), dt.date(2025, 10, 4)}) == [
        dt.date(2025, 9, 30), dt.date(2025, 10, 9), dt.date(2025, 10, 11)]


def _checked(person, day: dt.date) -> None:
    at = dt.datetime.combine(day, dt.time(8, 30), TZ)
    CheckIn.objects.create(person=person, region_id="511722100000", day=day, at=at)


def test_the_away_report_reaches_the_leaders_of_the_leader(county, person):
    head = person("town-head", "town_office", "township_head", "town")
    for day in (MONDAY, dt.date(2025, 10, 10)):
        _checked(head, day)
    end = dt.date(2025, 10, 12)
    rows = absence.report(county.town.code, MONDAY, end, user=county.township_leader, today=dt.date(2025, 12, 1),
                          cal=_calendar())
    row = next(r for r in rows if r.person_id == head.pk)
    assert (row.expected, row.present, row.away) == (5, 2, [dt.date(2025, 9, 30), dt.date(2025, 10, 9),
                                                            dt.date(2025, 10, 11)])
    assert all(r.person_id != county.township_leader.pk for r in rows)  # not one's own line
    # The head does not read the secretary (above them); the county secretary reads both.
    assert absence.report(county.town.code, MONDAY, end, user=head, today=dt.date(2025, 12, 1), cal=_calendar()) == []
    county_rows = absence.report(county.county.code, MONDAY, end, user=county.county_leader,
                                 today=dt.date(2025, 12, 1), cal=_calendar())
    assert {r.person_id for r in county_rows} == {head.pk, county.township_leader.pk}
    # Today is not over: it is never a day away yet.
    today_rows = absence.report(county.town.code, MONDAY, end, user=county.township_leader, today=MONDAY,
                                cal=_calendar())
    assert today_rows == []


def test_the_roster_and_check_in_pages(county, login):
    office = login(county.township_leader)
    page = office.get("/cadres/duty/")
    assert page.status_code == 200 and "甲镇" in page.content.decode()
    today = timezone.localdate()
    got = office.post("/cadres/duty/", {"day": today.isoformat(), "kind": "leading",
                                         "person": county.township_leader.pk, "note": ""})
    assert got.status_code == 302
    shift = DutyShift.objects.alive().get()
    assert f'data-shift="{shift.pk}"' in office.get(got["Location"]).content.decode()
    bad = office.post("/cadres/duty/", {"day": today.isoformat(), "kind": "leading",
                                         "person": county.township_leader.pk})
    assert bad.status_code == 422 and "已排在" in bad.content.decode()
    assert login(county.cadre_a).get("/cadres/duty/").status_code == 404
    assert login(county.cadre_a).post(f"/cadres/duty/{shift.pk}/cancel/", {"reason": "x"}).status_code == 404
    phone = login(county.township_leader)
    page = phone.get("/cadres/check-in/").content.decode()
    assert 'data-testid="today-shift"' in page and 'data-testid="check-in"' in page
    assert phone.post("/cadres/check-in/", {"note": "在镇"}).status_code == 302
    assert 'data-testid="checked-in"' in phone.get("/cadres/check-in/").content.decode()
    assert phone.post("/cadres/check-in/", {}).status_code == 422


def test_the_api_roster_and_check_in(client, county, bearer):
    today = timezone.localdate()
    headers = bearer(county.township_leader)
    got = client.post("/api/v1/cadres/roster", {"place": county.town.code, "day": today.isoformat(),
                                                 "kind": "on_duty", "person": county.civil_staff.pk},
                      content_type="application/json", headers=headers)
    assert got.status_code == 201
    denied = client.post("/api/v1/cadres/roster", {"place": county.town.code, "day": today.isoformat(),
                                                    "kind": "on_duty", "person": county.cadre_a.pk},
                         content_type="application/json", headers=bearer(county.cadre_a))
    assert denied.status_code == 403
    mine = bearer(county.civil_staff)
    half = client.post("/api/v1/cadres/check-in", {"latitude": 31.3}, content_type="application/json", headers=mine)
    assert half.status_code == 422 and not CheckIn.objects.exists()  # a latitude alone is no position
    checked = client.post("/api/v1/cadres/check-in", {"latitude": 31.3, "longitude": 107.7},
                          content_type="application/json", headers=mine)
    assert checked.status_code == 201 and checked.json()["shift"] == got.json()["id"]
    day = client.get("/api/v1/cadres/check-in", headers=mine).json()
    assert day["check_in"]["located"] is True
    roster = client.get(f"/api/v1/cadres/roster?place={county.town.code}", headers=headers).json()
    assert roster["shifts"][0]["checked_in_at"] is not None
