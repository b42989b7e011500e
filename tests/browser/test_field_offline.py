"""The field app on a phone with no signal: the worker keeps the app, the outbox keeps the records, and
the server gets each record exactly once when the network returns (issue 4, "Offline first on a phone").

Debian's Chromium through Playwright; the network is cut with context.set_offline(True)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.signals import request_started
from django.test import Client

from minqing.appeals.models import Appeal
from minqing.fieldwork.models import Activity, FieldAppeal, Visit, VisitHelp
from tests.browser.conftest import expect_count, log_in, wait_js
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_DIR / "test-artifacts"
WAITING = "#waiting-count"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS, f"field-{name}.png")), full_page=True)


def _open_field_app(page, base: str) -> None:
    """Online, once: the worker installs, takes the page and keeps the shell; the plan is stored."""
    page.goto(f"{base}/field/")
    wait_js(page, "document.documentElement.dataset.ready === '1'")
    wait_js(page, "navigator.serviceWorker.controller !== null")
    wait_js(page, "caches.match('/field/').then(Boolean)")
    assert page.evaluate("caches.match('/field/').then(r => !!r)")


def _ready(page) -> None:
    wait_js(page, "document.documentElement.dataset.ready === '1'")


def _waiting(page) -> str:
    return page.inner_text(WAITING).strip()


def _reopen_offline(page, context) -> None:
    """Cut the network and reopen the app: it must come from the phone, not from the server."""
    asked: list[str] = []

    def note(sender, environ, **kwargs):
        asked.append(environ.get("PATH_INFO", ""))

    context.set_offline(True)
    request_started.connect(note)
    try:
        page.reload()
        _ready(page)
    finally:
        request_started.disconnect(note)
    assert asked == [], f"the server was asked for {asked} while the phone was offline"
    assert page.inner_text("#net") == "离线"
    assert page.evaluate("navigator.onLine") is False


def _record_offline_visit(page, context, household, title: str) -> None:
    """Cut the network, reopen the app from the phone, record a visit with one appeal and help."""
    _reopen_offline(page, context)
    page.click(f"button.hh[data-household='{household.pk}']")
    page.fill("#visit-form textarea[name=note]", "老人独居，屋顶漏雨")
    page.check("#visit-tags input[value=dujulaoren]")
    page.click("#visit-form [data-add=help]")
    page.select_option("#visit-form [data-row=help] select[data-name=kind]", "temporary_relief")
    page.fill("#visit-form [data-row=help] input[data-name=amount]", "200")
    page.click("#visit-form [data-add=appeal]")
    page.fill("#visit-form [data-row=appeal] input[data-name=title]", title)
    page.fill("#visit-form [data-row=appeal] textarea[data-name=text]", "房屋漏雨，请求危房改造")
    if page.evaluate("navigator.permissions.query({name: 'geolocation'}).then(p => p.state)") == "granted":
        wait_js(page, "document.querySelector('#visit-form input[name=lat]').value !== ''")
        assert "已记录位置" in page.inner_text("#gps-text")
    _shot(page, "visit-form")
    page.click("#visit-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '1'")


def test_a_visit_recorded_offline_reaches_the_server_once(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    context = page.context
    a1 = county.households["a1"]
    context.grant_permissions(["geolocation"], origin=base)  # allowed before: the form asks the phone itself
    context.set_geolocation({"latitude": 31.353456, "longitude": 107.727123, "accuracy": 20})
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    assert "甲村户主1" in page.inner_text("#plan-list") and "乙村" not in page.inner_text("#plan-list")

    _record_offline_visit(page, context, a1, "屋顶漏雨")
    assert "已保存到手机" in page.inner_text("#flash")
    _shot(page, "offline-saved")
    assert Visit.objects.count() == 0 and Appeal.objects.count() == 0  # still only on the phone
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    expect_count(page.locator("#outbox-list li.rec[data-status=waiting]"), 1)
    _shot(page, "offline-outbox")

    context.set_offline(False)  # the 'online' event sends the outbox
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    assert "已发送 1 条" in page.inner_text("#flash")
    _shot(page, "synced")

    visit = Visit.objects.get()
    assert visit.household_id == a1.pk and visit.visitor_id == county.cadre_a.pk
    assert visit.note == "老人独居，屋顶漏雨" and visit.client_id
    assert (str(visit.latitude), str(visit.longitude)) == ("31.353456", "107.727123")
    appeal = Appeal.objects.get()
    assert FieldAppeal.objects.get(appeal=appeal).visit_id == visit.pk
    assert appeal.household_id == a1.pk and appeal.channel == "visit"
    help_row = VisitHelp.objects.get()
    assert help_row.kind == "temporary_relief" and str(help_row.amount) == "200.00"
    assert sorted(a1.tags.values_list("code", flat=True)) == ["dibao", "dujulaoren"]
    assert page.evaluate("minqingField.records().then(r => r.length)") == 0


def test_the_same_batch_sent_twice_leaves_one_of_each(live_server, county, phone_page):
    """The phone's first send reached the server but its answer was lost: the phone sends again,
    and someone replays the batch once more. Still one visit, one appeal."""
    page, base = phone_page, live_server.url
    context = page.context
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _record_offline_visit(page, context, county.households["a1"], "饮水困难")
    records = page.evaluate("minqingField.records().then(r => r.map(minqingField.wire))")
    batch = {"device": "lost-answer", "records": records}
    assert len(batch["records"]) == 1 and len(batch["records"][0]["data"]["appeals"]) == 1

    server = Client()
    server.force_login(county.cadre_a, backend="django.contrib.auth.backends.ModelBackend")
    first = server.post("/api/v1/sync", data=json.dumps(batch), content_type="application/json").json()
    assert [r["status"] for r in first["results"]] == ["applied"]  # ... and the answer never reached the phone
    assert Visit.objects.count() == 1 and Appeal.objects.count() == 1

    context.set_offline(False)  # the phone sends the same records again
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    again = page.evaluate(
        """batch => fetch('/api/v1/sync', {method: 'POST', credentials: 'same-origin',
             headers: {'Content-Type': 'application/json',
                       'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]},
             body: JSON.stringify(batch)}).then(r => r.json())""", batch)
    assert [r["status"] for r in again["results"]] == ["duplicate"]
    assert again["results"][0]["id"] == first["results"][0]["id"]
    assert Visit.objects.count() == 1 and Appeal.objects.count() == 1 and FieldAppeal.objects.count() == 1
    assert VisitHelp.objects.count() == 1


def test_a_rejected_record_shows_the_reason_and_stays_until_discarded(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    b1 = county.households["b1"]  # village B: not cadre A's
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    page.evaluate("""household => minqingField.put({
        client_id: crypto.randomUUID(), type: 'visit', id: null, base_version: null, status: 'waiting',
        reason: null, created_at: new Date().toISOString(), meta: {title: '乙村户主1'},
        data: {household: household, visited_at: new Date().toISOString(), note: '', lat: null, lng: null,
               tags_add: [], tags_remove: [], help: [], appeals: []}})""", b1.pk)
    assert _waiting(page) == "1"
    page.click("#sync")
    wait_js(page, "document.documentElement.dataset.synced")
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    rejected = page.locator("#outbox-list li.rec[data-status=rejected]")
    expect_count(rejected, 1)
    assert "不在您的管辖范围内" in rejected.locator(".reason").inner_text()
    assert "被退回" in rejected.inner_text()
    _shot(page, "rejected")
    assert Visit.objects.count() == 0

    page.reload()  # kept on the phone, and not sent again by itself
    _ready(page)
    assert _waiting(page) == "1"
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    assert "不在您的管辖范围内" in page.inner_text("#outbox-list")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#outbox-list [data-discard]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    assert page.evaluate("minqingField.records().then(r => r.length)") == 0
    assert Visit.objects.count() == 0


def test_a_rejected_visit_is_fixed_and_resent(live_server, county, phone_page):
    """A phone whose clock ran a day ahead: the server refuses the time; the cadre corrects it."""
    page, base = phone_page, live_server.url
    a2 = county.households["a2"]
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    page.evaluate("""([household, when]) => minqingField.put({
        client_id: crypto.randomUUID(), type: 'visit', id: null, base_version: null, status: 'waiting',
        reason: null, created_at: new Date().toISOString(),
        meta: {title: '甲村户主2', item: {household: household, head_name: '甲村户主2', number: '0002',
               village: '甲村', group: '一组', address: '', tags: []}},
        data: {household: household, visited_at: when, note: '送政策上门', lat: null, lng: null,
               tags_add: [], tags_remove: [], help: [], appeals: []}})""", [a2.pk, tomorrow])
    page.click("#sync")
    wait_js(page, "document.documentElement.dataset.synced")
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    assert "走访时间不能晚于当前时间" in page.inner_text("#outbox-list .reason")

    page.click("#outbox-list [data-edit]")
    page.wait_for_selector("#view-visit:not([hidden])")
    assert page.input_value("#visit-form textarea[name=note]") == "送政策上门"
    page.fill("#visit-form input[name=visited_at]",
              page.evaluate("new Date(Date.now() - new Date().getTimezoneOffset() * 60000 - 3600000)"
                            ".toISOString().slice(0, 16)"))
    page.click("#visit-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    visit = Visit.objects.get()
    assert visit.household_id == a2.pk and visit.note == "送政策上门"


def test_a_meeting_and_a_new_appeal_recorded_offline(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    context = page.context
    a2 = county.households["a2"]
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _reopen_offline(page, context)

    page.click(".tabs [data-go=activity]")
    page.select_option("#activity-form select[name=kind]", "courtyard")
    assert page.input_value("#activity-form select[name=region]") == county.village_a.code
    page.fill("#activity-form input[name=place]", "一组院坝")
    page.fill("#activity-form input[name=topic]", "医保缴费政策")
    page.fill("#activity-form input[name=attendance]", "36")
    page.click("#activity-form [data-add=appeal]")
    page.fill("#activity-form [data-row=appeal] input[data-name=title]", "组道路灯不亮")
    page.click("#activity-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '1'")

    page.click(".tabs [data-go=appeal]")
    page.select_option("#appeal-form select[name=household]", str(a2.pk))
    page.fill("#appeal-form input[name=title]", "申请临时救助")
    page.fill("#appeal-form textarea[name=text]", "家中老人住院，生活困难")
    page.fill("#appeal-form input[name=reporter_name]", "甲村户主2")
    page.click("#appeal-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '2'")
    expect_count(page.locator("#outbox-list li.rec[data-status=waiting]"), 2)
    _shot(page, "offline-two-waiting")
    assert Activity.objects.count() == 0 and Appeal.objects.count() == 0

    context.set_offline(False)
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    activity = Activity.objects.get()
    assert (activity.kind, activity.region_id, activity.attendance) == ("courtyard", county.village_a.code, 36)
    assert activity.topic == "医保缴费政策" and activity.place == "一组院坝"
    meeting_appeal = FieldAppeal.objects.get(activity=activity).appeal
    assert meeting_appeal.region_id == county.village_a.code
    assert Appeal.objects.count() == 2
    assert Appeal.objects.filter(household=a2).count() == 1


def test_a_conflicting_update_is_shown_and_resent_knowingly(live_server, county, phone_page):
    """The phone corrects a visit that someone changed on the server meanwhile: a conflict, never a
    silent overwrite; the cadre edits and resends on top of the server's version."""
    from minqing.fieldwork import services

    page, base = phone_page, live_server.url
    a1 = county.households["a1"]
    when = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    visit, _ = services.record_visit(actor=county.cadre_a, household=a1, visited_at=when, note="初记")
    services.update_visit(visit, actor=county.cadre_a, base_version=1, changes={"note": "办公室改过"})
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    page.evaluate("""([visit, household, when]) => minqingField.put({
        client_id: crypto.randomUUID(), type: 'visit', id: visit, base_version: 1, status: 'waiting',
        reason: null, created_at: new Date().toISOString(),
        meta: {title: '甲村户主1', item: {household: household, head_name: '甲村户主1', number: '0001',
               village: '甲村', group: '一组', address: '', tags: ['dibao']}},
        data: {household: household, visited_at: when, note: '手机上补记', lat: null, lng: null,
               tags_add: [], tags_remove: [], help: [], appeals: []}})""", [visit.pk, a1.pk, when.isoformat()])
    page.click("#sync")
    wait_js(page, "document.documentElement.dataset.synced")
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    expect_count(page.locator("#outbox-list li.rec[data-status=conflict]"), 1)
    assert "有冲突" in page.inner_text("#outbox-list")
    _shot(page, "conflict")
    visit.refresh_from_db()
    assert visit.note == "办公室改过" and visit.version == 2  # not overwritten

    page.click("#outbox-list [data-edit]")
    page.wait_for_selector("#view-visit:not([hidden])")
    page.click("#visit-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    visit.refresh_from_db()
    assert visit.note == "手机上补记" and visit.version == 3
    assert Visit.objects.count() == 1
