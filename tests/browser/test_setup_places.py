"""The county's system administrator, on a desktop, sets up what only the Django admin did before:
a kind of dispute, a 村民小组 and a division's new name. Screenshots test-artifacts/setup-places-*.png."""

from __future__ import annotations

import pytest

from minqing.disputes.models import DisputeKind
from minqing.regions.models import Region, VillageGroup
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR
from tests.sysadmin.conftest import sysadmin  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    (REPO_DIR / "test-artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO_DIR / "test-artifacts" / f"setup-places-{name}.png"), full_page=True)


@pytest.mark.usefixtures("sysadmin")
def test_the_sysadmin_sets_up_dispute_kinds_groups_and_names(live_server, county, desktop_page):
    page, base = desktop_page, live_server.url
    log_in(page, base, "sys-admin")
    page.goto(f"{base}/setup/")
    page.click("nav.subnav >> text=纠纷类别")
    page.click("text=新建纠纷类别")
    page.fill("input[name=name]", "土地承包")
    page.fill("input[name=code]", "land_contract")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/dispute-kinds/")
    assert "纠纷类别已保存" in page.inner_text("main") and "土地承包" in page.inner_text("table.list")
    _shot(page, "kinds")

    page.click("nav.subnav >> text=村民小组")
    page.select_option("select[name=village]", county.regions["village_c"].code)
    page.fill("input[name=number]", "3")
    page.fill("input[name=name]", "三组")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=村民小组已添加")
    _shot(page, "groups")

    page.click("nav.subnav >> text=行政区划")
    page.click(f"a[href='/setup/regions/{county.regions['town2'].code}/']")
    page.fill("input[name=name]", "乙街道")
    page.fill("input[name=reason]", "川府民政〔2026〕12号")
    _shot(page, "rename")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/setup/regions/")
    assert "乙街道" in page.inner_text("table.list")
    _shot(page, "regions")
    assert DisputeKind.objects.filter(code="land_contract", is_active=True).exists()
    assert VillageGroup.objects.filter(region=county.regions["village_c"], number=3, name="三组").exists()
    assert Region.objects.get(code=county.regions["town2"].code).name == "乙街道"
