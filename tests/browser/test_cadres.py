"""Cadres in Chromium: the township office puts people on the duty roster (1 366 px), a station cadre
checks in on a 390 px phone with the phone's position, the township leader reads 群众评议 and the 走读
report, a visit round shows its count beside the team's correction, the system administrator enters a
cadre's party membership, birth year and rank. Every page fits its screen and breaks no CSP rule.
Screenshots under test-artifacts/cadres/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from minqing.accounts.models import Post, User, VisitTeam
from minqing.appeals import services as appeals
from minqing.cadres import ratings
from minqing.cadres.models import CheckIn
from minqing.fieldwork import services as field
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "cadres"
PHONE_390 = {"width": 390, "height": 844}


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def _watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def _ratings(county) -> None:
    for level in ("very_satisfied", "satisfied", "unsatisfied"):
        a = appeals.register_appeal(actor=county.township_leader, region=county.village_b.code, kind="problem",
                                    channel="visit", title="路灯不亮", text="村口路灯坏了", reporter_name="李四",
                                    phone="13800001111")
        a = appeals.do_review(a, actor=county.township_leader, decision="assign",
                              unit=county.units["committee_b"].pk, person=county.cadre_b.pk, measures="修路灯")
        ratings.rate_cadre(a, satisfaction=level, source="return_visit", actor=county.township_leader)


def _township_head(county) -> User:
    """A township head who checked in on the last two days only: the 走读 report has a line to show."""
    head = User.objects.create(username="town-head", display_name="乡镇长", password=county.cadre_a.password)
    Post.objects.create(user=head, unit=county.units["town_office"], role="township_head", region=county.town,
                        started_on=timezone.localdate() - dt.timedelta(days=20))
    for back in (1, 2):
        day = timezone.localdate() - dt.timedelta(days=back)
        CheckIn.objects.create(person=head, region=county.town, day=day,
                               at=timezone.make_aware(dt.datetime.combine(day, dt.time(8, 20))))
    return head


def _round(county):
    team = VisitTeam.objects.create(name="甲镇五人走访组", region=county.town, year=timezone.localdate().year)
    rnd = field.create_round(actor=county.township_leader, team=team, year=team.year, number=1,
                             started_on=timezone.localdate() - dt.timedelta(days=3), led_by=county.county_leader,
                             villages=[county.village_a.code])
    field.record_visit(actor=county.cadre_a, household=county.households["a1"], round=rnd,
                       visited_at=timezone.now() - dt.timedelta(days=1),
                       appeals=[{"title": "饮水", "text": "自来水停水"}])
    field.set_round_results(rnd, actor=county.township_leader, reason="多数走访记在纸质台账上，尚未补录", results={
        "households_visited": 140, "households_with_problems": 17, "sent_to_township": 7, "sent_to_county": 1})
    return rnd


def test_roster_check_in_and_the_leaders_pages(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    csp = _watch_csp(page)
    _ratings(county)
    head = _township_head(county)
    rnd = _round(county)
    # The office (desktop): two shifts today.
    page.goto(f"{base}/login/", timeout=90000)
    log_in(page, base, "township-leader")
    page.goto(f"{base}/cadres/duty/")
    today = timezone.localdate().isoformat()
    for kind, person in (("leading", county.township_leader), ("on_duty", county.civil_staff)):
        page.fill("input[name=day]", today)
        page.select_option("select[name=kind]", kind)
        page.select_option("select[name=person]", str(person.pk))
        page.click("button.primary")
        page.wait_for_selector(f"tr[data-day='{today}'] .shift")
    assert page.locator(f"tr[data-day='{today}'] .shift").count() == 2
    _fits(page)
    _shot(page, "roster-1366")

    # The station cadre checks in on a 390 px phone, with the phone's position.
    phone_context = page.context.browser.new_context(
        locale="zh-CN", viewport=PHONE_390, is_mobile=True, has_touch=True,
        geolocation={"latitude": 31.354, "longitude": 107.727}, permissions=["geolocation"])
    phone = phone_context.new_page()
    phone_csp = _watch_csp(phone)
    log_in(phone, base, "civil-staff")
    phone.goto(f"{base}/cadres/check-in/")
    phone.wait_for_selector("[data-testid=today-shift]")
    phone.wait_for_function("document.querySelector('input[name=latitude]').value !== ''")
    _fits(phone)
    _shot(phone, "check-in-390")
    phone.click("[data-testid=check-in]")
    phone.wait_for_selector("[data-testid=checked-in]")
    _fits(phone)
    _shot(phone, "checked-in-390")
    row = CheckIn.objects.get(person=county.civil_staff)
    assert row.shift is not None and float(row.latitude) == pytest.approx(31.354)
    phone_context.close()

    # The roster shows the check-in; the leaders' page shows 群众评议 and the 走读 report.
    page.goto(f"{base}/cadres/duty/")
    assert page.locator(f"tr[data-day='{today}'] .badge.b-solved").count() == 1
    page.goto(f"{base}/cadres/?period={timezone.localdate().year}")
    assert page.locator(f"tr[data-cadre='{county.cadre_b.pk}']").count() == 1
    assert page.locator("#cadre-figures").count() == 1
    assert int(page.locator(f"tr[data-person='{head.pk}']").get_attribute("data-away")) >= 10
    _fits(page)
    _shot(page, "leaders-1366")
    page.goto(f"{base}/dashboards/?period={timezone.localdate().year}")
    page.wait_for_selector("#dash-cadres")
    page.locator("#dash-cadres").screenshot(path=str(ARTIFACTS / "dashboard-card-1366.png"))
    # The round: the count and the team's correction with its reason, side by side.
    page.goto(f"{base}/field/desk/rounds/{rnd.pk}/")
    assert page.locator("[data-corrected='140']").count() == 1 and page.locator("[data-counted='1']").count() >= 1
    assert "纸质台账" in page.locator("[data-testid=correction-reason]").inner_text()
    _fits(page)
    _shot(page, "round-1366")
    assert not csp and not phone_csp, csp + phone_csp


def test_the_administrator_enters_party_birth_year_and_rank(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    csp = _watch_csp(page)
    admin = User.objects.create(username="sys-admin", display_name="县系统管理员", county=county.county,
                                password=county.cadre_a.password)
    Post.objects.create(user=admin, unit=county.units["leadership"], role="sysadmin", region=county.county,
                        started_on=dt.date(2020, 1, 1))
    staff = User.objects.create(username="wang", display_name="王五", county=county.county)
    page.goto(f"{base}/login/", timeout=90000)
    log_in(page, base, "sys-admin")
    page.goto(f"{base}/setup/staff/{staff.pk}/")
    page.select_option("select[name=party_member]", "1")
    page.fill("input[name=birth_year]", "1993")
    page.select_option("select[name=rank]", "section_deputy")
    page.click("[data-testid=save-attributes]")
    page.wait_for_load_state()
    staff.refresh_from_db()
    assert (staff.party_member, staff.birth_year, staff.rank) == (True, 1993, "section_deputy")
    _fits(page)
    _shot(page, "staff-attributes-1366")
    assert not csp, csp

