"""The audit trail page in Chromium, as the audit administrator on an office screen: events read as
labels and words (no raw code), the time column on one line. Screenshot under test-artifacts/audit/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from minqing.accounts.models import Post, Unit, User
from minqing.audit import actions
from minqing.audit.log import record
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "audit"


def test_the_trail_reads_as_words_with_the_time_on_one_line(live_server, county, desktop_page):
    user = User.objects.create_user("auditor-1", password=PASSWORD, display_name="审计管理员")
    unit = Unit.objects.create(name="县网信办", region=county.county)
    Post.objects.create(user=user, unit=unit, role="auditor", region=county.county, started_on=dt.date(2020, 1, 1))
    record("appeal.close", actor=county.township_leader, object_type="appeals.appeal", object_id=1,
           region_code=county.town.code, reason="所需资金超出村级能力",
           changes={"flags": ["unsolved", "unsatisfied", "overdue"], "reason": "anonymous", "method": "portal"})
    page, base = desktop_page, live_server.url
    page.goto(f"{base}/login/", timeout=90000)
    log_in(page, base, "auditor-1")
    page.goto(f"{base}/audit/")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trail-1366.png"), full_page=True)
    text = page.inner_text("table.list tbody")
    shown = [c for c in actions.codes() if re.search(rf"(?<![\w.:]){re.escape(c)}(?![\w.])", text)]
    assert not shown, shown
    assert "追责标记" in text and "未解决办结" in text and "匿名诉求" in text and "新增居民" in text
    # every time cell is one line: its text makes one line box (a wrapped date and time would make two)
    lines = page.evaluate("""() => [...document.querySelectorAll('table.list td.nowrap')].map(td => {
        const r = document.createRange(); r.selectNodeContents(td);
        return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
    })""")
    assert lines and set(lines) == {1}, lines
