"""An outbox that never jams (issue 22): with one bad record among good ones, the phone sends the good
ones and shows the cadre the bad one, with the server's Chinese reason, to fix or discard. Also when
the server breaks on the whole batch (HTTP 500): the app sends the records one by one.

Phone-sized Chromium through Playwright."""

from __future__ import annotations

import pytest

from minqing.fieldwork import sync
from minqing.fieldwork.models import Visit
from tests.browser.conftest import expect_count, log_in, wait_js
from tests.browser.test_field_offline import WAITING, _open_field_app, _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUT = """([household, note, when]) => minqingField.put({
    client_id: crypto.randomUUID(), type: 'visit', id: null, base_version: null, status: 'waiting',
    reason: null, created_at: new Date().toISOString(), meta: {title: note},
    data: {household: household, visited_at: when || new Date(Date.now() - 3600000).toISOString(), note: note,
           lat: null, lng: null, tags_add: [], tags_remove: [], help: [], appeals: []}})"""


def _outbox_after_sync(page):
    page.click("#sync")
    wait_js(page, "document.documentElement.dataset.synced")
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")
    return page.locator("#outbox-list li.rec[data-status=rejected]")


def test_good_bad_good_the_good_ones_are_sent_and_the_bad_one_shown(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    a1, a2 = county.households["a1"], county.households["a2"]
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    page.evaluate(PUT, [a1.pk, "第一户走访", None])
    page.evaluate(PUT, [a2.pk, "日期错成公元1年", "0001-01-01T00:00:00+08:00"])
    page.evaluate(PUT, [a1.pk, "第二次走访", None])
    assert page.inner_text(WAITING).strip() == "3"

    rejected = _outbox_after_sync(page)
    expect_count(rejected, 1)
    assert "日期错成公元1年" in rejected.inner_text() and "被退回" in rejected.inner_text()
    reason = rejected.locator(".reason").inner_text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reason.split("：", 1)[1])
    assert page.inner_text(WAITING).strip() == "1"
    assert "已发送 2 条" in page.inner_text("#flash")
    _shot(page, "outbox-bad-record")
    assert sorted(Visit.objects.values_list("note", flat=True)) == ["第一户走访", "第二次走访"]
    expect_count(rejected.locator("[data-edit]"), 1)  # the cadre can fix it …
    expect_count(rejected.locator("[data-discard]"), 1)  # … or discard it


def test_a_batch_that_breaks_the_server_is_sent_one_by_one(live_server, county, phone_page, monkeypatch):
    real = sync.apply_batch

    def breaks_on_one(payload, **kwargs):  # a server fault no rule foresaw, on one record
        if any(r.get("data", {}).get("note") == "坏记录" for r in payload.get("records", [])):
            raise RuntimeError("fault")
        return real(payload, **kwargs)

    monkeypatch.setattr(sync, "apply_batch", breaks_on_one)
    page, base = phone_page, live_server.url
    a1 = county.households["a1"]
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    for note in ("好记录一", "坏记录", "好记录二"):
        page.evaluate(PUT, [a1.pk, note, None])

    rejected = _outbox_after_sync(page)
    expect_count(rejected, 1)
    assert "坏记录" in rejected.inner_text()
    assert "服务器无法保存这条记录（HTTP 500）" in rejected.locator(".reason").inner_text()
    assert page.inner_text(WAITING).strip() == "1"
    assert sorted(Visit.objects.values_list("note", flat=True)) == ["好记录一", "好记录二"]
