"""The demo's letters: a few dozen over the year, in every public stage, the documented code works
and can be rated, misconduct reports stay with the discipline commission, nothing secret printed.
The demo is built once for this module (200 households) and rolled back afterwards."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction

from minqing.appeals.models import Appeal
from minqing.portal.demo import DEMO_CODE
from minqing.portal.models import Letter, Rating
from minqing.portal.progress import public_progress
from minqing.regions.jurisdiction import visible

ANCHOR = dt.date(2025, 6, 16)
MESSAGES: list[str] = []


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from minqing.demo.generator import DemoOptions, load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo(DemoOptions(seed=11, anchor=ANCHOR, households=200), progress=MESSAGES.append)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = [pytest.mark.usefixtures("demo"), pytest.mark.django_db]


def test_the_demo_has_letters_in_every_stage():
    letters = list(Letter.objects.select_related("appeal", "region"))
    assert 30 <= len(letters) <= 45
    stages = {public_progress(letter).stage for letter in letters}
    assert stages == {"received", "handling", "done", "visited"}
    assert {letter.appeal.channel for letter in letters} == {"mailbox"}
    assert {letter.region.level for letter in letters} >= {3, 4, 5}
    dates = [letter.submitted_at.date() for letter in letters]
    assert min(dates) < ANCHOR - dt.timedelta(days=180) and max(dates) <= ANCHOR
    assert Rating.objects.filter(counted=True).exists()


def test_the_documented_code_can_be_followed_and_rated(client):
    response = client.post("/portal/track/", {"code": DEMO_CODE}, REMOTE_ADDR="198.51.100.50")
    assert response.status_code == 200
    text = response.content.decode()
    assert "已办结" in text and "您对办理结果满意吗" in text and "天生镇" in text


def test_misconduct_reports_stay_with_the_discipline_commission():
    from minqing.accounts.models import User

    reports = Appeal.objects.filter(kind="misconduct", portal_letter__isnull=False)
    assert reports.exists()
    for name in ("demo-county", "demo-township", "demo-village-a"):
        assert not visible(User.objects.get(username=name), reports).exists()
    assert visible(User.objects.get(username="c-discipline-1"), reports).count() == reports.count()


def test_the_demo_prints_nothing_secret():
    line = next(m for m in MESSAGES if "书记信箱" in m)
    assert DEMO_CODE in line
    codes = re.findall(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", " ".join(MESSAGES))
    assert codes == [DEMO_CODE]
    assert not re.search(r"1[3-9]\d{9}", " ".join(MESSAGES))
