"""Dispatch in Chromium (issue 16): the township assigns a case to 住建局 as lead and 交通运输局 as
co-unit; 交通运输局 returns its part (退单), the township approves and re-assigns it (改派); both answer;
the township verifies; the return visit closes it. And a department's 导入法定途径 waits for the
township. Screenshots under test-artifacts/dispatch/ for review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from minqing.accounts.models import Post, Unit, User
from minqing.appeals import services
from minqing.appeals.models import Appeal, CoUnit
from tests.browser.conftest import log_in
from tests.conftest import password_hash

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dispatch"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _dept(county, name: str, function: str, username: str) -> tuple[Unit, User]:
    unit = Unit.objects.create(name=name, kind="department", function=function, region=county.county)
    user = User.objects.create(username=username, display_name=f"{name}经办人", password=password_hash())
    Post.objects.create(user=user, unit=unit, role="dept_handler", region=county.county, started_on=dt.date(2020, 1, 1))
    return unit, user


def _case(county, title: str) -> Appeal:
    return services.register_appeal(actor=county.township_leader, region=county.village_a.code, kind="problem",
                                    channel="visit", title=title, text=f"{title}，请尽快处理。", reporter_name="张三",
                                    phone="13812345678")


def _act(page, action: str, fill: dict[str, str] | None = None, select: dict[str, str | list[str]] | None = None,
         status: str | None = None) -> None:
    page.click(f"#act-{action} > summary")
    form = f"#act-{action} form"
    for name, value in (fill or {}).items():
        page.fill(f"{form} [name={name}]", value)
    for name, value in (select or {}).items():
        page.select_option(f"{form} select[name={name}]", value)
    page.click(f"{form} button[type=submit]")
    if status:
        page.locator("#status", has_text=status).wait_for()


def _done(page, label: str) -> None:
    """The detail re-rendered with the action in the timeline (or its Chinese refusal, shown to fail)."""
    page.locator(f"#timeline li:has-text('{label}'), .form-error").first.wait_for()
    errors = page.locator(".form-error")
    assert errors.count() == 0, errors.first.inner_text()


def test_lead_and_co_unit_a_return_approved_and_reassigned_then_closed(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    transport, t_staff = _dept(county, "县交通运输局", "transport", "transport-staff")
    water, w_staff = _dept(county, "县水利局", "water", "water-staff")
    housing = county.units["housing"]
    appeal = _case(county, "三组道路塌陷")
    url = f"{base}/appeals/{appeal.pk}/"

    # the township assigns: 住建局 leads, 交通运输局 co-handles
    log_in(page, base, "township-leader")
    page.goto(url)
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    _act(page, "assign", fill={"measures": "修复塌陷路面", "due": due},
         select={"unit": str(housing.pk), "person": str(county.dept_handler.pk), "co_units": [str(transport.pk)]},
         status="限期办理")
    assert CoUnit.objects.filter(appeal=appeal, unit=transport, active=True).exists()
    _shot(page, "1-assigned-with-co-unit")

    # 交通运输局 sees the case and returns its part
    log_in(page, base, "transport-staff")
    page.goto(url)
    assert "三组道路塌陷" in page.inner_text("h1")
    _act(page, "return", fill={"reason": "路面恢复属水利施工范围，申请退单"})
    _done(page, "退单")
    assert CoUnit.objects.get(appeal=appeal, unit=transport).return_reason
    _shot(page, "2-co-unit-returned")

    # the township approves and gives the part to 水利局 (改派)
    log_in(page, base, "township-leader")
    page.goto(url)
    _act(page, "approve_return", select={"unit": str(water.pk)})
    _done(page, "同意退单")
    assert list(CoUnit.objects.filter(appeal=appeal, active=True).values_list("unit_id", flat=True)) == [water.pk]

    # both answer: 水利局 its part, then 住建局 reports the case handled
    log_in(page, base, "water-staff")
    page.goto(url)
    _act(page, "co_reply", fill={"reply": "已配合完成路基排水"})
    _done(page, "协办答复")
    log_in(page, base, "dept-handler")
    page.goto(url)
    _act(page, "submit_result", fill={"result": "塌陷路面已修复，验收合格"}, status="待核查")

    # the township verifies; the return visit, then the closure
    log_in(page, base, "township-leader")
    page.goto(url)
    _act(page, "verify", select={"passed": "1"}, status="待回访")
    _act(page, "return_visit", select={"satisfaction": "satisfied"}, status="待办结")
    _act(page, "close", select={"outcome": "solved"}, status="已办结")
    _shot(page, "3-closed")
    assert Appeal.objects.get(pk=appeal.pk).status == "closed_solved"


def test_a_departments_referral_waits_for_the_township(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    appeal = services.do_assign(_case(county, "工程款纠纷"), actor=county.township_leader,
                                unit=county.units["housing"].pk, person=county.dept_handler.pk, measures="核实",
                                due=timezone.localdate() + dt.timedelta(days=10))
    url = f"{base}/appeals/{appeal.pk}/"
    log_in(page, base, "dept-handler")
    page.goto(url)
    _act(page, "refer", fill={"body": "县人民法院", "reason": "属施工合同纠纷，须经诉讼解决"},
         status="导入法定途径待确认")
    assert Appeal.objects.get(pk=appeal.pk).closed_at is None
    assert page.locator("#act-confirm_refer").count() == 0  # the department cannot confirm its own proposal
    _shot(page, "4-refer-proposed")
    log_in(page, base, "township-leader")
    page.goto(url)
    _act(page, "confirm_refer", status="待核查")
    _shot(page, "5-refer-confirmed")
    a = Appeal.objects.get(pk=appeal.pk)
    assert a.status == "awaiting_verification" and a.group == "open"
