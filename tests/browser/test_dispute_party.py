"""A mediator hands a party the code on a slip; the party, on a phone and without an account, sees
the dispute as it concerns them — stage, own claim, the agreement's terms and deadlines, never the
other side — and tells the mediator a term was not kept; the mediator reads it on the dispute page.
Screenshots under test-artifacts/dispute-party-*.png."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from minqing.disputes import services
from minqing.disputes.models import PartyMessage
from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR
from tests.disputes.conftest import two_sides

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = REPO_DIR / "test-artifacts"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dispute-party-{name}.png"), full_page=True)


def _seed_kinds() -> None:
    """The kinds come from a data migration, which a transactional test's flush before us removed."""
    import importlib

    from django.apps import apps

    importlib.import_module("minqing.disputes.migrations.0002_seed_kinds").seed(apps, None)


def test_a_party_follows_the_agreement_and_tells_the_mediator(live_server, county, phone_page):
    page, base = phone_page, live_server.url
    _seed_kinds()
    mediator = county.mediator_a
    d = services.register_dispute(actor=mediator, region=county.village_a.code, kind="neighbour",
                                  title="遮雨棚过界纠纷", text="两户因遮雨棚是否过界发生争执。",
                                  parties=two_sides(county))
    me, other = list(d.parties.alive())
    services.start_stage(d, actor=mediator, kind="people", mediator=mediator, mediator_name="甲村调解员")
    services.add_session(d, actor=mediator, outcome="双方各让一步，同意签订调解协议", venue="reasoning",
                         attendees=["双方当事人"], result="agreed",
                         statements=[{"party": me.pk, "text": "只要拆了棚子就行"},
                                     {"party": other.pk, "text": "拆可以，但不赔钱"}])
    today = timezone.localdate()
    services.record_agreement(d, actor=mediator, summary="拆除过界部分", signed_on=today - dt.timedelta(days=9),
                              terms=[{"text": "甲村户主2拆除过界遮雨棚", "party": other.pk,
                                      "due_on": today - dt.timedelta(days=1)}])

    log_in(page, base, mediator.username)
    page.goto(f"{base}/disputes/{d.pk}/")
    page.locator(f"form[action$='/parties/{me.pk}/code/'] button").click()
    page.wait_for_selector("[data-testid=party-code]")
    code = page.inner_text("[data-testid=party-code]").strip()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", code)
    _shot(page, "slip")

    page.context.clear_cookies()  # the party, on their own phone
    page.goto(f"{base}/portal/mediation/")
    page.fill("#pm-code-in", code)
    page.click("button.pl-send")
    page.wait_for_selector("#pm-status")
    text = page.inner_text("main")
    assert "协议履行中" in text and "只要拆了棚子就行" in text and "已过履行期限" in text
    assert "甲村户主2" not in text and "拆可以，但不赔钱" not in text and "对方拆除过界遮雨棚" in text
    assert code not in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 376  # no sideways scrolling on a phone
    _shot(page, "view")
    page.select_option("#pm-term", str(d.agreements.get().terms.get().pk))
    page.fill("#pm-text", "期限已经过了，对方还没有拆")
    page.click("form[action$='/message/'] button.pl-send")
    page.wait_for_selector(".pl-ok")
    assert "期限已经过了" in page.inner_text("main")
    _shot(page, "sent")
    assert PartyMessage.objects.get().party_id == me.pk

    log_in(page, base, mediator.username)
    page.goto(f"{base}/disputes/{d.pk}/")
    messages = page.inner_text("main")
    assert "期限已经过了，对方还没有拆" in messages and "未读" in messages
    page.locator("form[action$='/messages/read/'] button").click()
    page.wait_for_url(f"{base}/disputes/{d.pk}/")
    assert "未读" not in page.inner_text("main")
    assert PartyMessage.objects.get().read_by_id == mediator.pk
