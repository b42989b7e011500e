"""A year the library does not know: deadlines estimated and shown so; the schedule entered on the
set-up page; open appeals' deadlines recomputed by an audited service."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from minqing.appeals import services
from minqing.appeals.models import Appeal, HolidayOverride
from minqing.audit.models import Event
from minqing.lib import schedule
from minqing.lib.workdays import TZ
from minqing.sysadmin import rules

pytestmark = pytest.mark.django_db

NOTICE_2031 = """# 国务院办公厅关于2031年部分节假日安排的通知（虚构）
2031-01-01 休 元旦
2031-03-04 至 2031-03-07 休 县定休息日
2031-03-08 班 县定休息日
"""


def _register(county, when):
    return services.register_appeal(actor=county.cadre_a, region=county.regions["village_a"], kind="help",
                                    channel="visit", title="低保咨询", text="想问问低保怎么申请", received_at=when,
                                    now=when)


def test_the_schedule_text_reads_ranges_and_names_bad_lines():
    days = schedule.parse(NOTICE_2031, 2031)
    assert [d.date for d in days][:2] == [dt.date(2031, 1, 1), dt.date(2031, 3, 4)]
    assert len(days) == 6 and days[-1].is_workday and days[-1].name == "县定休息日"
    assert schedule.parse(schedule.render(days), 2031) == days
    with pytest.raises(schedule.ScheduleError) as err:
        schedule.parse("2031-02-30 休 春节\n2030-10-01 休 国庆节\n明天放假\n", 2031)
    text = str(err.value)
    assert "第1行" in text and "第2行" in text and "第3行" in text


def test_entering_a_years_schedule_recomputes_estimated_open_deadlines(county, sysadmin, login, client):
    a = _register(county, dt.datetime(2031, 3, 3, 9, tzinfo=TZ))  # a Monday in a year nobody has entered
    assert a.due_estimated
    before = a.due_at
    login(county.cadre_a)
    page = client.get(f"/appeals/{a.pk}/").content.decode()
    assert "（预计）" in page and "尚未公布" in page
    assert "（预计）" in client.get("/appeals/").content.decode()

    login(sysadmin)
    assert 2031 not in rules.deadlines.calendar().known_years
    page = client.post("/setup/holidays/?year=2031", {"text": NOTICE_2031, "reason": "国办发明电〔2030〕X号"},
                       follow=True)
    assert "重算了 1 件" in page.content.decode()
    a.refresh_from_db()
    assert not a.due_estimated
    assert a.due_at.astimezone(TZ).date() > before.astimezone(TZ).date()  # four days off push it back
    assert HolidayOverride.objects.filter(date__year=2031).count() == 6
    entered = Event.objects.get(action="holidays.year_entered")
    assert entered.actor_id == sysadmin.pk and entered.reason.startswith("国办发明电")
    assert Event.objects.filter(action="appeal.deadline_recomputed", object_id=str(a.pk)).exists()
    login(county.cadre_a)
    assert "（预计）" not in client.get(f"/appeals/{a.pk}/").content.decode()


def test_a_second_entry_reverts_dropped_days_without_deleting_them(county, sysadmin):
    rules.enter_year_schedule(actor=sysadmin, year=2031, text=NOTICE_2031)
    out = rules.enter_year_schedule(actor=sysadmin, year=2031, text="2031-01-01 休 元旦\n")
    assert out["changed"] == 5
    assert HolidayOverride.objects.filter(date__year=2031).count() == 6  # kept, as plain weekdays now
    assert HolidayOverride.objects.get(date=dt.date(2031, 3, 4)).is_workday  # a Tuesday
    assert not HolidayOverride.objects.get(date=dt.date(2031, 3, 8)).is_workday  # a Saturday


def test_bad_schedule_or_wrong_person_changes_nothing(county, sysadmin):
    with pytest.raises(ValidationError):
        rules.enter_year_schedule(actor=sysadmin, year=2031, text="2031-01-01 休 元旦\n2031-13-01 休 无\n")
    with pytest.raises(PermissionDenied):
        rules.enter_year_schedule(actor=county.county_leader, year=2031, text="2031-01-01 休 元旦\n")
    assert not HolidayOverride.objects.exists()
    assert not Event.objects.filter(action="holidays.year_entered").exists()


def test_the_setup_page_asks_for_a_missing_year(county, sysadmin, login, client):
    login(sysadmin)
    missing = rules.years_to_enter(dt.date(2031, 6, 1))
    assert missing == [2031, 2032]
    assert rules.years_to_enter(dt.date(2025, 6, 1)) == []  # announced years
    page = client.get("/setup/holidays/?year=2031").content.decode()
    assert "未录入" in page
    assert Appeal.objects.count() == 0

