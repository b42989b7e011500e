"""Work with the people in Chromium: the care files, group petitions and practical things done pages,
the dashboard card and the briefing's sentences (人次、场次、慰问金、到县集访、带案下访), on a desktop
(1366) and a phone (390) screen, and the phone's visit form ticking who was met.
Screenshots under test-artifacts/people/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from minqing.appeals import services as appeal_services
from minqing.fieldwork import care, services
from minqing.fieldwork.models import Deed
from tests.browser.conftest import log_in, wait_js
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts" / "people"
PHONE_WIDTH = 390


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"{name}.png")), full_page=True)


def _fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, page.url


def _last_year(today: dt.date) -> list[dt.date]:
    """Two days of this month a year ago (the same month so far, as the briefing compares)."""
    first = today.replace(year=today.year - 1, day=1)
    return [first, first + dt.timedelta(days=min(1, today.day - 1))]


def _records(c) -> None:
    """This month's records of the small county (the briefing's default period)."""
    now = timezone.now()
    today = timezone.localdate()
    earlier = now - dt.timedelta(hours=2)
    care.open_care_file(actor=c.cadre_a, resident=c.residents["a1"], kind="living_alone",
                        opened_on=today - dt.timedelta(days=60), carer=c.cadre_a, needs="每周上门探望")
    services.record_visit(actor=c.cadre_a, household=c.a1, visited_at=earlier, note="入户慰问独居老人",
                          residents=[c.residents["a1"].pk, c.a1_spouse.pk],
                          help=[{"kind": "condolence_money", "amount": "300", "resident": c.residents["a1"].pk},
                                {"kind": "condolence_goods", "goods": "米一袋、油一桶", "goods_count": 2}])
    services.record_activity(actor=c.cadre_a, kind="courtyard", region=c.village_a.code, held_at=earlier,
                             place="甲村一组院坝", topic="人居环境整治", attendance=35)
    petition = appeal_services.register_appeal(actor=c.county_leader, region=c.village_a, kind="petition",
                                               channel="reception", title="征地补偿标准", text="征地补偿标准偏低",
                                               received_at=earlier - dt.timedelta(hours=1))
    care.record_group_petition(actor=c.county_leader, level="county", occurred_on=today, headcount=12,
                               representatives="张大明\n李秀英", appeal=petition.pk)
    for day in _last_year(today):
        care.record_group_petition(actor=c.county_leader, level="county", occurred_on=day, headcount=20,
                                   region=c.village_b.code, title="拖欠工程款")
    services.record_visit(actor=c.county_leader, household=c.a2, visited_at=earlier, note="带案下访",
                          cases=[petition.pk])
    care.record_deed(actor=c.township_leader, region=c.village_a.code, title="为甲村安装太阳能路灯30盏",
                     done_on=today, beneficiaries=260, cost="42000")


def test_the_pages_the_dashboard_and_the_briefing(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    c = county
    _records(c)
    log_in(page, base, "township-leader")
    for name, url, text in (("care-list", "/field/desk/care/", "甲村居民1"),
                            ("petitions", "/field/desk/petitions/", "征地补偿标准"),
                            ("deeds", "/field/desk/deeds/", "太阳能路灯")):
        for width in (1366, PHONE_WIDTH):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{base}{url}")
            assert text in page.inner_text("main"), url
            _fits(page)
            _shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 800})
    page.goto(f"{base}/field/desk/care/")
    page.click("text=甲村居民1")
    # the click starts a navigation; wait for the new page's text, not the list's
    expect(page.locator("main")).to_contain_text("慰问金300")
    assert "历次帮扶" in page.inner_text("main")
    _shot(page, "care-file-1366")

    page.goto(f"{base}/field/desk/deeds/new/")
    page.select_option("select[name=region]", c.village_a.code)
    page.fill("input[name=title]", "为甲村修复水毁便民桥")
    page.fill("input[name=beneficiaries]", "80")
    _shot(page, "deed-form-1366")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/field/desk/deeds/")
    assert Deed.objects.filter(title="为甲村修复水毁便民桥").exists()

    page.goto(f"{base}/dashboards/{c.town.code}/")
    card = page.inner_text("#people")
    assert "走访群众" in card and "慰问金" in card and "集访" in card
    _fits(page)
    _shot(page, "dashboard-1366")

    log_in(page, base, "county-leader")
    page.goto(f"{base}/briefings/")
    article = page.inner_text("article.briefing")
    assert "走访群众3人次" in article  # two members met at a1; at a2 the leader met one (the door was opened)
    assert "开展活动1场次、参与群众35人次" in article
    assert "发放慰问金300元、慰问物资2件" in article
    assert "1名县级领导带案下访1件" in article
    assert "为民办实事2件" in article
    assert "到县集访1批12人次，同比下降50%" in article
    _shot(page, "briefing-1366")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.goto(f"{base}/briefings/")
    _fits(page)
    _shot(page, "briefing-390")


def test_the_phone_visit_form_ticks_who_was_met(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    c = county
    log_in(page, base, "cadre-a")
    page.goto(f"{base}/field/")
    wait_js(page, "document.documentElement.dataset.ready === '1'")
    page.click(f"button.hh[data-household='{c.a1.pk}']")
    page.wait_for_selector("#visit-members input[type=checkbox]")
    page.check(f"#visit-members input[value='{c.a1_spouse.pk}']")
    page.fill("#visit-form input[name=others_met]", "1")
    page.fill("#visit-form textarea[name=note]", "与老人和配偶交谈")
    _fits(page)
    _shot(page, "phone-visit-form")
    page.click("#visit-form button[type=submit]")
    from minqing.fieldwork.models import Visit

    for _ in range(60):  # saved on the phone, then sent at once (online): wait for it to arrive
        if Visit.objects.filter(household=c.a1).exists():
            break
        page.wait_for_timeout(250)
    v = Visit.objects.get(household=c.a1)
    assert v.people_met == 2 and list(v.residents_met.values_list("pk", flat=True)) == [c.a1_spouse.pk]
