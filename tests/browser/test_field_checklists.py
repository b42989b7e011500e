"""The field app fills a household checklist (两不愁三保障) and records enterprise visits with no signal
(issue 7): the checklist and the enterprise list are cached on the phone, the answers ride in the visit
record, an enterprise visit goes through the outbox to POST /api/v1/enterprises/visits, and each arrives
exactly once when the network returns.

Debian's Chromium through Playwright; the network is cut with context.set_offline(True)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.appeals.models import Appeal
from minqing.checklists import metrics
from minqing.checklists import services as checklist_services
from minqing.checklists.models import ChecklistAnswer, ChecklistResponse
from minqing.enterprises import services as enterprise_services
from minqing.enterprises.models import EnterpriseAppeal, EnterpriseVisit
from minqing.fieldwork.models import Visit
from tests.browser.conftest import expect_count, log_in, wait_js
from tests.browser.test_field_offline import _open_field_app, _ready, _reopen_offline, _shot
from tests.checklists.helpers import ITEMS, make_checklist

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAITING = "#waiting-count"
POST_JSON = """([url, body]) => fetch(url, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]},
    body: JSON.stringify(body)}).then(async r => ({status: r.status, body: await r.json()}))"""


def _wait_waiting(page, n: int) -> None:
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '{n}'")


def _row(item: str) -> str:
    return f"#checklist-box .ci[data-item={item}]"


def test_a_checklist_answered_offline_arrives_once_with_its_failed_item(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    context = page.context
    a1, a2 = county.households["a1"], county.households["a2"]  # a1 is 低保户 (the checklist applies), a2 has no tag
    checklist = make_checklist(county)
    v1 = checklist_services.current_version(checklist)
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    wait_js(page, "(minqingField.lists().checklists || {}).fetched_at !== undefined")
    _reopen_offline(page, context)

    # No tag of the checklist: nothing to fill; ticking 监测户 makes it apply, as on the server.
    page.click(f"button.hh[data-household='{a2.pk}']")
    expect_count(page.locator("#checklist-box .ci"), 0)
    assert "没有适用" in page.inner_text("#visit-checklist")
    page.check("#visit-tags input[value=jiance]")
    expect_count(page.locator("#checklist-box .ci"), len(ITEMS))
    page.click("#visit-form [data-go=plan]")

    # 低保户 a1, offline: every item answered, income below the 4000 line.
    page.click(f"button.hh[data-household='{a1.pk}']")
    expect_count(page.locator("#checklist-box .ci"), len(ITEMS))
    assert "两不愁三保障" in page.inner_text("#visit-checklist")
    page.fill("#visit-form textarea[name=note]", "核查两不愁三保障")
    for item in ("food", "clothing", "education", "medical", "housing"):
        page.check(f"{_row(item)} input[value=yes]")
    page.check(f"{_row('water')} input[value=安全]")
    page.fill(f"{_row('income')} input", "3500")
    page.fill(f"{_row('remark')} input", "务工收入减少")
    assert page.get_attribute(_row("income"), "data-verdict") == "fail"
    assert "未达标" in page.inner_text(_row("income"))
    assert page.get_attribute(_row("food"), "data-verdict") == "pass"
    assert page.get_attribute(_row("remark"), "data-verdict") == ""  # a note is never pass or fail
    page.evaluate("window.scrollTo(0, 0)")  # the sticky bar would cover a row of the full-page shot
    _shot(page, "checklist-form")
    page.click("#visit-form button[type=submit]")
    _wait_waiting(page, 1)

    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    outbox = page.inner_text("#outbox-list")
    assert "1 项未达标：人均纯收入" in outbox and "清单已答 8 项" in outbox
    _shot(page, "checklist-outbox")
    records = page.evaluate("minqingField.records().then(r => r.map(minqingField.wire))")
    sent = records[0]["data"]["checklist"]
    assert sent["version"] == v1.pk
    assert sent["answers"]["income"] == "3500" and sent["answers"]["food"] is True
    assert Visit.objects.count() == 0

    # Meanwhile the county raises the income line: a new version. The phone's answers stay on v1.
    items = [dict(i, threshold=4200) if i["code"] == "income" else i for i in ITEMS]
    v2 = checklist_services.new_version(checklist, actor=county.county_leader, items=items, note="收入线调整")

    context.set_offline(False)  # the 'online' event sends the outbox
    _wait_waiting(page, 0)
    assert "已发送 1 条" in page.inner_text("#flash")
    visit = Visit.objects.get()
    assert visit.household_id == a1.pk and visit.client_id == records[0]["client_id"]
    response = ChecklistResponse.objects.get()
    assert (response.visit_id, response.version_id, response.failed) == (visit.pk, v1.pk, 1)
    answers = {a.item.code: a for a in ChecklistAnswer.objects.filter(response=response).select_related("item")}
    assert len(answers) == len(ITEMS)
    assert answers["income"].passed is False and str(answers["income"].value_number) == "3500.00"
    assert answers["water"].value_text == "安全" and answers["water"].passed is True
    assert answers["remark"].passed is None

    today = timezone.localdate()
    counts = {r["item"]: r for r in metrics.item_counts(county.county.code, today - dt.timedelta(days=1),
                                                        today + dt.timedelta(days=1))}
    assert (counts["income"]["checked"], counts["income"]["failing"], counts["income"]["open"]) == (1, 1, 1)
    assert counts["food"]["failing"] == 0 and "remark" not in counts

    # The phone now holds version 2 for new visits; a resend of the old record is a duplicate.
    wait_js(page, f"minqingField.lists().checklists.by_county['511722'][0].version === {v2.pk}")
    again = page.evaluate(POST_JSON, ["/api/v1/sync", {"device": "resend", "records": records}])
    assert [r["status"] for r in again["body"]["results"]] == ["duplicate"]
    assert again["body"]["results"][0]["id"] == visit.pk
    assert Visit.objects.count() == 1 and ChecklistResponse.objects.count() == 1
    assert ChecklistAnswer.objects.count() == len(ITEMS)
    assert ChecklistResponse.objects.get().version_id == v1.pk


def test_an_enterprise_visit_recorded_offline_arrives_once(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    context = page.context
    leader = county.county_leader
    farm = enterprise_services.register_enterprise(actor=leader, region=county.village_b.code, name="乙村茶叶加工厂",
                                                   kind="enterprise")
    plant = enterprise_services.register_enterprise(actor=leader, region=county.town.code, name="甲镇天然气净化厂",
                                                    kind="enterprise", contact_name="王经理")
    enterprise_services.pair_leader(plant, leader, actor=leader)
    log_in(page, base, leader.username)
    _open_field_app(page, base)
    wait_js(page, "((minqingField.lists().enterprises || {}).items || []).length === 2")
    _reopen_offline(page, context)

    page.click(".tabs [data-go=enterprise]")
    options = page.locator("#enterprise-form select[name=enterprise] option").all_inner_texts()
    assert options[1].startswith("★ 甲镇天然气净化厂") and "乙村茶叶加工厂" in options[2]  # my liaison first
    page.select_option("#enterprise-form select[name=enterprise]", str(plant.pk))
    page.fill("#enterprise-form textarea[name=raised]", "用工紧张，进厂道路需硬化")
    page.click("#enterprise-form [data-add=eappeal]")
    page.fill("#enterprise-form [data-row=eappeal] input[data-name=title]", "进厂道路硬化")
    page.fill("#enterprise-form [data-row=eappeal] textarea[data-name=text]", "进厂道路约2公里未硬化，雨天货车难行")
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "enterprise-form")
    page.click("#enterprise-form button[type=submit]")
    _wait_waiting(page, 1)
    assert page.locator("#outbox-list li.rec[data-status=waiting]").inner_text().count("企业走访") == 1
    record = page.evaluate("minqingField.records().then(r => r[0])")
    assert record["type"] == "enterprise_visit" and record["data"]["enterprise"] == plant.pk
    assert EnterpriseVisit.objects.count() == 0

    context.set_offline(False)
    _wait_waiting(page, 0)
    assert "已发送 1 条" in page.inner_text("#flash")
    visit = EnterpriseVisit.objects.get()
    assert (visit.enterprise_id, visit.visitor_id, visit.client_id) == (plant.pk, leader.pk, record["client_id"])
    assert visit.raised == "用工紧张，进厂道路需硬化"
    link = EnterpriseAppeal.objects.get()
    assert link.visit_id == visit.pk and link.appeal.title == "甲镇天然气净化厂：进厂道路硬化"
    _shot(page, "enterprise-synced")

    # The answer was lost and the phone sends again: the same visit, nothing twice.
    body = {"client_id": record["client_id"], "enterprise": plant.pk, "visited_at": record["data"]["visited_at"],
            "raised": record["data"]["raised"], "appeals": record["data"]["appeals"]}
    again = page.evaluate(POST_JSON, ["/api/v1/enterprises/visits", body])
    assert (again["status"], again["body"]["status"], again["body"]["id"]) == (200, "duplicate", visit.pk)
    assert EnterpriseVisit.objects.count() == 1 and EnterpriseAppeal.objects.count() == 1
    assert Appeal.objects.count() == 1

    # A visit the server refuses (the phone's clock a day ahead) stays, with the reason, until fixed.
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    page.evaluate("""([id, when]) => minqingField.put({
        client_id: crypto.randomUUID(), type: 'enterprise_visit', id: null, base_version: null, status: 'waiting',
        reason: null, created_at: new Date().toISOString(), meta: {title: '乙村茶叶加工厂'},
        data: {enterprise: id, visited_at: when, raised: '茶叶销路', note: '', appeals: []}})""", [farm.pk, tomorrow])
    page.click("#sync")
    wait_js(page, "document.querySelector('#outbox-list li.rec[data-status=rejected]') !== null")
    assert "走访时间不能晚于当前时间" in page.inner_text("#outbox-list .reason")
    _shot(page, "enterprise-rejected")
    page.click("#outbox-list [data-edit]")
    page.wait_for_selector("#view-enterprise:not([hidden])")
    assert page.input_value("#enterprise-form select[name=enterprise]") == str(farm.pk)
    page.fill("#enterprise-form input[name=visited_at]",
              page.evaluate("new Date(Date.now() - new Date().getTimezoneOffset() * 60000 - 3600000)"
                            ".toISOString().slice(0, 16)"))
    page.click("#enterprise-form button[type=submit]")
    _wait_waiting(page, 0)
    assert EnterpriseVisit.objects.filter(enterprise=farm, raised="茶叶销路").count() == 1
    page.reload()
    _ready(page)
    assert page.evaluate("minqingField.records().then(r => r.length)") == 0


def test_a_rejected_visit_keeps_the_checklist_version_it_was_answered_on(live_server, county, phone_page):
    """The server refuses the visit (the phone's clock ran a day ahead); meanwhile the county publishes a
    new version with a higher income line. Edited and resent, the answers stay on the version they were
    given to, and are judged by its rule."""
    page, base = phone_page, live_server.url
    a1 = county.households["a1"]
    checklist = make_checklist(county)
    v1 = checklist_services.current_version(checklist)
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    wait_js(page, "(minqingField.lists().checklists || {}).fetched_at !== undefined")

    page.click(f"button.hh[data-household='{a1.pk}']")
    page.fill("#visit-form input[name=visited_at]",
              page.evaluate("new Date(Date.now() - new Date().getTimezoneOffset() * 60000 + 86400000)"
                            ".toISOString().slice(0, 16)"))
    page.check(f"{_row('food')} input[value=yes]")
    page.fill(f"{_row('income')} input", "4,100")
    assert page.get_attribute(_row("income"), "data-verdict") == "pass"  # 4100 ≥ 4000
    page.click("#visit-form button[type=submit]")
    wait_js(page, "document.documentElement.dataset.synced")
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")  # the outbox renders from IndexedDB after the click
    assert "走访时间不能晚于当前时间" in page.inner_text("#outbox-list .reason")

    items = [dict(i, threshold=4200) if i["code"] == "income" else i for i in ITEMS]
    v2 = checklist_services.new_version(checklist, actor=county.county_leader, items=items)
    page.evaluate("minqingField.loadLists()")
    wait_js(page, f"minqingField.lists().checklists.by_county['511722'][0].version === {v2.pk}")

    page.click("#outbox-list [data-edit]")
    page.wait_for_selector("#view-visit:not([hidden])")
    assert "按第 1 版作答" in page.inner_text("#visit-checklist")
    assert page.input_value(f"{_row('income')} input") == "4100"
    assert page.is_checked(f"{_row('food')} input[value=yes]")
    assert page.get_attribute(_row("income"), "data-verdict") == "pass"  # v1's line, not v2's 4200
    page.evaluate("window.scrollTo(0, 0)")
    _shot(page, "checklist-old-version")
    page.fill("#visit-form input[name=visited_at]",
              page.evaluate("new Date(Date.now() - new Date().getTimezoneOffset() * 60000 - 3600000)"
                            ".toISOString().slice(0, 16)"))
    page.click("#visit-form button[type=submit]")
    _wait_waiting(page, 0)
    response = ChecklistResponse.objects.get()
    assert (response.version_id, response.failed) == (v1.pk, 0)
    income = ChecklistAnswer.objects.get(response=response, item__code="income")
    assert (str(income.value_number), income.passed) == ("4100.00", True)
    assert ChecklistAnswer.objects.filter(response=response).count() == 2
