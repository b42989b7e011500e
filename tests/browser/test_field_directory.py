"""The household directory on the phone: in a village with no signal a neighbour calls the cadre in to a
household that is not due; the cadre finds it in the directory kept on the phone and records the visit,
which reaches the server once. Logging out clears the phone's lists, and the next cadre on the same
phone is not offered the first one's households (docs/decisions/0005-offline-first.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.fieldwork import services
from minqing.fieldwork.models import Visit
from tests.browser.conftest import expect_count, log_in, wait_js
from tests.browser.test_field_offline import WAITING, _open_field_app, _reopen_offline, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The keys of a user's "meta" store (the lists kept offline), read without creating the database.
META_KEYS = """name => new Promise(resolve => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => r.transaction.abort();
    r.onerror = () => resolve(null);
    r.onsuccess = () => {
      const db = r.result;
      const q = db.transaction('meta').objectStore('meta').getAllKeys();
      q.onsuccess = () => { db.close(); resolve(q.result.sort()); };
    };
  })"""


def _lists_loaded(page) -> None:
    wait_js(page, "document.documentElement.dataset.lists")
    wait_js(page, "minqingField.lists().directory !== null")


def _meta_keys(page, user) -> list[str] | None:
    return page.evaluate(META_KEYS, f"minqing-field-{user.pk}")


def _find(page, text: str) -> list[tuple[str, str]]:
    """Type into the search box; (household id, source) of each household offered."""
    page.fill("#find", text)
    wait_js(page, "query => document.querySelector('#find-list').dataset.query === query", arg=text)
    return [(b.get_attribute("data-household"), b.get_attribute("data-source"))
            for b in page.locator("#find-list button.hh").all()]


def test_a_household_not_due_is_found_offline_and_its_visit_arrives_once(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    context = page.context
    a1, a2 = county.households["a1"], county.households["a2"]
    # a2 was visited two days ago: not due for months, so not in the visit list
    services.record_visit(actor=county.cadre_a, household=a2, visited_at=timezone.now() - dt.timedelta(days=2),
                          note="上次走访")
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _lists_loaded(page)
    assert "甲村户主1" in page.inner_text("#plan-list") and "甲村户主2" not in page.inner_text("#plan-list")

    _reopen_offline(page, context)  # no signal; the server is not asked for anything
    assert "农户名册共 2 户" in page.inner_text("#directory-age")
    # the visit list first, then the directory; village B is not the cadre's
    assert _find(page, "甲村") == [(str(a1.pk), "plan"), (str(a2.pk), "directory")]
    assert _find(page, "乙村") == [] and "没有找到农户" in page.inner_text("#find-list")
    assert _find(page, "户主2 0002") == [(str(a2.pk), "directory")]
    assert "未到期" in page.inner_text("#find-list")
    _shot(page, "directory-found")

    page.click(f"#find-list button.hh[data-household='{a2.pk}']")
    page.wait_for_selector("#view-visit:not([hidden])")
    assert page.inner_text("#visit-title") == "甲村户主2"
    page.fill("#visit-form textarea[name=note]", "邻居叫来，老人腿脚不便")
    page.check("#visit-tags input[value=xingdongbubian]")
    page.click("#visit-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '1'")
    assert page.input_value("#find") == "" and page.is_visible("#plan-list")
    assert Visit.objects.count() == 1  # still only on the phone

    context.set_offline(False)  # the 'online' event sends the outbox
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    assert "已发送 1 条" in page.inner_text("#flash")
    before = page.evaluate("document.documentElement.dataset.lists")
    page.click("#sync")  # and again: nothing more arrives
    wait_js(page, "before => document.documentElement.dataset.lists !== before", arg=before)
    visit = Visit.objects.get(note="邻居叫来，老人腿脚不便")
    assert visit.household_id == a2.pk and visit.visitor_id == county.cadre_a.pk
    assert Visit.objects.filter(household=a2).count() == 2
    assert list(a2.tags.values_list("code", flat=True)) == ["xingdongbubian"]
    # the directory is refreshed after the sync: a2's last visit is today now
    wait_js(page,
        f"""minqingField.lists().directory.items.find(i => i.household === {a2.pk}).last_visit
            === '{timezone.localdate().isoformat()}'""")


def test_log_out_clears_the_lists_and_the_next_cadre_is_not_offered_them(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    a1, b1, b2 = county.households["a1"], county.households["b1"], county.households["b2"]
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _lists_loaded(page)
    assert _meta_keys(page, county.cadre_a) == ["checklists", "directory", "enterprises", "plan"]
    assert _find(page, "甲村户主1") == [(str(a1.pk), "plan")]

    # log out the usual way: the work pages' menu
    page.goto(f"{base}/")
    page.click("label.nav-button")
    page.click("form.logout button[type=submit]")
    page.wait_for_url(f"{base}/login/")
    assert _meta_keys(page, county.cadre_a) == []  # plan and directory gone from the phone
    assert page.evaluate("caches.match('/field/').then(r => !r)")  # the app page with cadre A's villages too

    log_in(page, base, "cadre-b")
    _open_field_app(page, base)
    _lists_loaded(page)
    assert _find(page, "甲村") == []
    assert _find(page, "户主1") == [(str(b1.pk), "plan")]
    assert sorted(_find(page, "乙村")) == sorted([(str(b1.pk), "plan"), (str(b2.pk), "plan")])
    expect_count(page.locator(f"button.hh[data-household='{a1.pk}']"), 0)
    assert _meta_keys(page, county.cadre_a) == []


def test_another_cadre_opening_the_app_clears_the_previous_ones_lists(live_server, county, phone_page):
    """No log-out pressed (the session ended, the phone was handed on): the app clears them at start."""
    page, base = phone_page, live_server.url
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _lists_loaded(page)
    assert "directory" in _meta_keys(page, county.cadre_a)

    log_in(page, base, "cadre-b")  # a new session, without the log-out form
    _open_field_app(page, base)
    _lists_loaded(page)
    assert _meta_keys(page, county.cadre_a) == []
    assert "directory" in _meta_keys(page, county.cadre_b)
    assert [i["head_name"] for i in page.evaluate("minqingField.lists().directory.items")] == ["乙村户主1", "乙村户主2"]
