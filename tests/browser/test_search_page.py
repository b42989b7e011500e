"""The search page as a township leader: one line per case with place names and the count, 噪音
finding 扰民, a spaced compound found unspaced; the page fits 1 366 px."""

import datetime as dt

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def _appeal(county, village, title, text):
    from minqing.appeals import services

    return services.register_appeal(actor=None, region=county.regions[village], kind="problem", channel="visit",
                                    title=title, text=text, reporter_name="",
                                    received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))


def test_search_as_a_township_leader(county, desktop_page, live_server):
    page, base = desktop_page, live_server.url
    a = _appeal(county, "village_a", "工地夜间施工", "工地夜里施工严重扰民，影响老人休息")
    _appeal(county, "village_b", "广场舞音响", "广场舞音响噪声太大，晚上十点还在跳")
    _appeal(county, "village_a", "生活垃圾", "小区生活垃圾 清运不及时，臭气熏天")
    for note in ("已联系施工方，夜间停止扰民作业", "再次回访，扰民已停止"):  # more texts of one case
        from minqing.appeals import services

        if a.status == "registered":
            services.do_assign(a, actor=county.township_leader, unit=county.units["committee_a"],
                               person=county.cadre_a, measures="协调")
        services.do_add_progress(a, actor=county.township_leader, note=note)
    log_in(page, base, county.township_leader.username)
    page.goto(f"{base}/nlp/search/?q=噪音")
    hits = page.locator("ol.hits > li")
    assert hits.count() == 2
    assert "共 2 件" in page.locator(".search-total").inner_text()
    text = page.locator("ol.hits").inner_text()
    assert "甲村" in text and "乙村" in text and county.village_a.code not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path="test-artifacts/search-township-noise.png", full_page=True)
    page.goto(f"{base}/nlp/search/?q=垃圾清运")
    assert page.locator("ol.hits > li").count() == 1
    page.screenshot(path="test-artifacts/search-township-compound.png", full_page=True)


def test_the_county_sysadmin_keeps_the_synonyms(county, desktop_page, live_server):
    from minqing.accounts.models import Post, User
    from minqing.nlp.models import SynonymGroup
    from tests.conftest import password_hash

    admin = User.objects.create(username="sys-admin", display_name="县系统管理员", password=password_hash(),
                                county=county.regions["county"])
    Post.objects.create(user=admin, unit=county.units["leadership"], role="sysadmin", region=county.regions["county"],
                        started_on=dt.date(2020, 1, 1))
    page, base = desktop_page, live_server.url
    log_in(page, base, admin.username)
    page.goto(f"{base}/setup/synonyms/")
    assert "噪音 · 噪声 · 扰民" in page.content()
    page.click("form[action$='/setup/synonyms/adopt/'] button")
    page.wait_for_url(f"{base}/setup/synonyms/")
    page.click("text=新增同义词组")
    page.fill("input[name=words]", "吵闹、喧哗")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/synonyms/")
    assert SynonymGroup.objects.filter(words="吵闹 喧哗").exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path="test-artifacts/setup-synonyms.png", full_page=True)
