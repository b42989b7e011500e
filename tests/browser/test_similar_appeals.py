"""The case page's 相似诉求 (#similar) in Chromium: a village cadre on a phone (360×740) and the township's
dispatcher on a desktop open a case with a near duplicate, the same complaint in other words (meaning
vectors of the model file) and a recently closed one. Each entry names its reason; the closed one says
近期已办结 and offers no merge. Screenshots under test-artifacts/similar/ (or $MINQING_SCREENSHOTS)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from minqing.appeals import services
from minqing.appeals.models import Appeal
from tests.browser.conftest import DESKTOP, _browser_page, log_in
from tests.nlp.test_duplicates import OTHER_TEXT, OTHER_TITLE, meaning_file, meaning_model  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "similar"
SHOTS = Path(os.environ.get("MINQING_SCREENSHOTS") or ARTIFACTS)
REASONS = {"exact": "文字相同", "near": "文字几乎相同", "paraphrase": "措辞相近",
           "meaning": "意思相近（同一村/社区，说法不同）"}
SMALL_PHONE = {"width": 360, "height": 740}

TITLE = "村口路灯长期不亮"
LINK = "https://pan.example.cn/s/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghij"
TEXT = "甲村村口有200米左右路段路灯长期不亮,晚上散步乌漆麻黑、小学生早上上学也不安全"


@pytest.fixture
def small_phone_page(transactional_db, live_server):
    yield from _browser_page(viewport=SMALL_PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def big_screen_page(transactional_db, live_server):
    yield from _browser_page(viewport=DESKTOP)


@pytest.fixture
def cases(county, meaning_file):  # noqa: F811 - the fixture imported above
    def register(village: str, title: str, text: str) -> Appeal:
        return services.register_appeal(actor=county.township_leader, region=county.regions[village].code,
                                        kind="problem", channel="visit", title=title, text=text)

    closed = register("village_a", "路灯坏了没人修", "甲村村口路灯坏了好久，晚上走路看不见，小学生上学不安全")
    services.do_solve_on_spot(closed, actor=county.cadre_a, what="已更换灯泡，路灯恢复照明", satisfaction="satisfied")
    found = {
        "near": register("village_a", TITLE, TEXT.replace("也不安全", "也很不安全")),
        "meaning": register("village_a", OTHER_TITLE, OTHER_TEXT),
        "closed": closed,
        "other_village": register("village_b", TITLE, TEXT.replace("甲村", "乙村")),
        "unrelated": register("village_a", "水渠堵塞", "二组水渠堵塞，灌溉困难"),
        # the same text under a subject with a long unbroken link: must wrap on a phone
        "exact": register("village_a", f"路灯不亮（视频 {LINK}）", TEXT),
    }
    found["case"] = register("village_a", TITLE, TEXT)
    return found


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#similar").screenshot(path=str(SHOTS / f"{name}_section.png"))
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _entries(page) -> dict[str, dict]:
    """Each entry of #similar: its kind, the text of its line, whether it has a merge button."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#similar li')].map(li => [
        li.querySelector('a').getAttribute('href'),
        {kind: li.dataset.kind, text: li.innerText, merge: !!li.querySelector('form button[type=submit]'),
         compare: !!li.querySelector('a[href*="/merge/"]'),
         right: Math.max(...[...li.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))}]))""")


def _fits(page) -> None:
    """Nothing wider than the screen: no sideways scrolling, no entry running past the right edge."""
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    for href, entry in _entries(page).items():
        assert entry["right"] <= width + 0.5, (href, entry)


def test_a_village_cadre_on_a_phone_sees_why_each_case_is_similar(live_server, small_phone_page, county, cases):
    page, base = small_phone_page, live_server.url
    log_in(page, base, "cadre-a")
    page.goto(f"{base}/appeals/{cases['case'].pk}/#similar")
    page.locator("#similar li").first.wait_for()
    assert page.locator("#similar h2").inner_text() == "相似诉求"
    _shot(page, "cadre_phone")
    entries = _entries(page)
    url = {k: f"/appeals/{a.pk}/" for k, a in cases.items()}
    # the cadre's own village only: 乙村's copy is not theirs to see; the ditch is not similar
    assert set(entries) == {url["exact"], url["near"], url["meaning"], url["closed"]}
    assert entries[url["exact"]]["kind"] == "exact" and "文字相同" in entries[url["exact"]]["text"]
    assert entries[url["near"]]["kind"] == "near" and "文字几乎相同" in entries[url["near"]]["text"]
    assert entries[url["meaning"]]["kind"] == "meaning"
    assert "意思相近（同一村/社区，说法不同）" in entries[url["meaning"]]["text"]
    assert "近期已办结" in entries[url["closed"]]["text"]
    for entry in entries.values():
        assert REASONS[entry["kind"]] in entry["text"]
    assert not entries[url["closed"]]["merge"] and not entries[url["closed"]]["compare"]
    # 相似度 is the text's own similarity, not the ranking score with its same-village bonus
    assert "相似度 9" in entries[url["near"]]["text"] and "甲村" in entries[url["near"]]["text"]
    _fits(page)


def test_the_township_dispatcher_merges_an_open_one_never_a_closed_one(live_server, big_screen_page, county, cases):
    page, base = big_screen_page, live_server.url
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/{cases['case'].pk}/")
    page.locator("#similar li").first.wait_for()
    _shot(page, "dispatcher_desktop")
    entries = _entries(page)
    url = {k: f"/appeals/{a.pk}/" for k, a in cases.items()}
    # the township sees 乙村's copy too, ranked after the same village's near duplicate
    assert list(entries)[:2] == [url["exact"], url["near"]] and url["other_village"] in entries
    assert entries[url["other_village"]]["kind"] == "near" and "乙村" in entries[url["other_village"]]["text"]
    assert url["unrelated"] not in entries
    for key in ("exact", "near", "meaning", "other_village"):
        assert entries[url[key]]["merge"] and entries[url[key]]["compare"], key
    assert "近期已办结" in entries[url["closed"]]["text"] and not entries[url["closed"]]["merge"]
    _fits(page)
    # the merge offered is the real one: the case folds into its near duplicate
    page.once("dialog", lambda d: d.accept())
    page.locator(f"#similar li:has(a[href='{url['near']}']) form button[type=submit]").click()
    deadline = time.monotonic() + 15
    while Appeal.objects.get(pk=cases["case"].pk).merged_into_id != cases["near"].pk:
        assert time.monotonic() < deadline, "not merged"
        page.wait_for_timeout(100)
