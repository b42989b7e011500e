"""Issue 18, item 4: a place is picked by typing its name. In a county of some 400 villages, with two
villages called 梅岩村 in different townships, a county leader types 梅岩 on the hot-spot page, sees both
with their township, takes the second with ↓ and Enter, and the page shown is that village's; a phone
user taps a place; a picker that htmx swaps into a page works too. Screenshots under
test-artifacts/picker/ at 1366 and 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = REPO_DIR / "test-artifacts" / "picker"
FIELD = "#place-region"


def _many_villages(county) -> dict[str, str]:
    """Two 梅岩村 (甲镇 and 乙镇) and 400 more villages under 乙镇: a county's size of list."""
    from minqing.regions.models import Level, Region

    town, town2 = county.regions["town"], county.regions["town2"]
    twins = {"甲镇": Region.objects.create(code="511722100203", name="梅岩村", level=Level.VILLAGE, parent=town),
             "乙镇": Region.objects.create(code="511722101202", name="梅岩村", level=Level.VILLAGE, parent=town2)}
    Region.objects.bulk_create([Region(code=f"511722101{300 + n:03d}", name=f"新{n}村", level=Level.VILLAGE,
                                       parent=town2) for n in range(400)])
    return {town_name: r.code for town_name, r in twins.items()}


def _options(page) -> list[str]:
    return [t.strip() for t in page.locator("#place-region-list [role=option]").all_inner_texts()]


def _no_sideways_scroll(page) -> None:
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"the page is {width}px wide in a {window}px window"


def test_type_a_name_pick_with_the_keyboard_and_submit(live_server, county, desktop_page):
    twins = _many_villages(county)
    page, base = desktop_page, live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_in(page, base, "county-leader")
    page.goto(f"{base}/nlp/hotspots/")
    box = page.get_by_role("combobox", name="地点")  # the page's <label> names the field one types in
    assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("select[name=region]").evaluate("s => s.tabIndex") == -1  # out of the Tab order

    box.click()  # a click shows every place, the one shown first highlighted; the list says there are more
    assert box.get_attribute("aria-expanded") == "true"
    assert page.locator("#place-region-list").get_attribute("role") == "listbox"
    assert len(_options(page)) == 100 and "共 408 个，只列出前 100 个" in page.inner_text(".pp-note")
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false" and page.locator(".pp-panel").is_hidden()

    box.fill("")
    box.press_sequentially("梅岩")
    assert _options(page) == ["梅岩村\n甲镇", "梅岩村\n乙镇"]  # told apart by their township
    assert page.locator("#place-region-list mark").first.inner_text() == "梅岩"
    page.screenshot(path=str(ARTIFACTS / "picker-typed-1366.png"))
    _no_sideways_scroll(page)
    page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text().endswith("乙镇")
    assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")  # picks, does not submit
    assert box.input_value() == "乙镇梅岩村" and box.get_attribute("aria-expanded") == "false"
    assert page.locator("select[name=region]").input_value() == twins["乙镇"]
    assert page.url == f"{base}/nlp/hotspots/"
    page.keyboard.press("Enter")  # with the list closed, Enter submits the form as in any field
    page.wait_for_url(re.compile(rf"region={twins['乙镇']}"))
    assert page.inner_text("h1") == "热点问题 · 梅岩村"
    assert page.get_by_role("combobox", name="地点").input_value() == "乙镇梅岩村"

    # a township by name lists the township as a whole and its villages; a name not among them is refused
    box = page.get_by_role("combobox", name="地点")
    box.fill("甲镇")
    assert _options(page)[:2] == ["甲镇（全镇）", "甲村\n甲镇"] and len(_options(page)) == 4
    box.fill("乌有村")
    assert page.inner_text(".pp-note") == "您管辖的地点中没有“乌有村”" and _options(page) == []
    page.click("form.filters button[type=submit]")
    assert box.get_attribute("aria-invalid") == "true"
    assert box.evaluate("i => i.validationMessage") == "请从列表中选择地点"
    assert twins["乙镇"] in page.url  # not sent
    page.keyboard.press("Escape")  # Esc in a closed list puts the place back
    assert box.input_value() == "乙镇梅岩村" and box.evaluate("i => i.validity.valid")


def test_tap_a_place_on_a_phone_and_in_an_htmx_fragment(live_server, county, phone_page):
    twins = _many_villages(county)
    page, base = phone_page, live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "county-leader")
    page.goto(f"{base}/disputes/")  # no visible label here: the field is named 地点 all the same
    box = page.get_by_role("combobox", name="地点")
    assert box.input_value() == "" and box.get_attribute("placeholder") == "我辖区的全部地点"
    box.tap()
    box.press_sequentially("梅岩")
    page.screenshot(path=str(ARTIFACTS / "picker-typed-390.png"))
    _no_sideways_scroll(page)
    page.locator("#place-region-list [role=option]", has_text="甲镇").tap()
    assert box.input_value() == "甲镇梅岩村"
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(rf"region={twins['甲镇']}"))
    # emptied and left, the field means all places again
    box = page.get_by_role("combobox", name="地点")
    box.fill("")
    page.locator("h1").click()
    assert page.locator("select[name=region]").input_value() == ""
    page.screenshot(path=str(ARTIFACTS / "picker-disputes-390.png"), full_page=True)

    # the ledger forms of the workbench, each with its own picker (the township leader's places)
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/")
    page.click("#ledger summary")
    export = page.locator("#place-export")
    assert export.get_attribute("role") == "combobox"
    assert export.input_value() == "甲镇（全镇）"
    export.tap()
    export.press_sequentially("乙村")
    page.locator("#place-export-list [role=option]").first.tap()
    assert page.locator("#place-export-select").input_value() == county.regions["village_b"].code
    assert page.locator("#place-import-select").input_value() == county.regions["town"].code
    page.screenshot(path=str(ARTIFACTS / "picker-ledger-390.png"), full_page=True)

    # a fragment htmx swaps in (the risk list's filter form) gets its picker, and it works
    page.evaluate("""() => { const slot = document.createElement('div'); slot.id = 'slot';
        document.getElementById('main').prepend(slot);
        return htmx.ajax('GET', '/disputes/risks/', {target: '#slot', select: 'form.filters', swap: 'innerHTML'}); }""")
    swapped = page.locator("#slot [role=combobox]")
    swapped.tap()
    swapped.press_sequentially("甲村")
    page.keyboard.press("Enter")  # the first match is highlighted as one types
    assert page.locator("#slot select[name=region]").input_value() == county.regions["village_a"].code


PICKER_PAGES = ["/nlp/hotspots/", "/disputes/", "/disputes/risks/", "/jobs/", "/checklists/", "/households/",
                "/briefings/", "/appeals/", "/field/desk/visits/", "/hotline/",
                "/appeals/new/", "/households/new/", "/households/import/"]  # the last three: form fields


def test_every_page_with_a_picker_at_1366_and_390(live_server, county, desktop_page):
    """Each page that offers a place picker: the field one types in, its list drawn inside the window."""
    page, base = desktop_page, live_server.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_in(page, base, "township-leader")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for url in PICKER_PAGES:
            page.goto(base + url)
            if url == "/appeals/":
                page.click("#ledger summary")
            box = page.locator(".place-picker [role=combobox]").first
            box.click()
            box.fill("乙")
            options = _options_of(page, box)  # 乙村 with its township, beside it or before it ("甲镇乙村")
            assert len(options) == 1 and "乙村" in options[0] and "甲镇" in options[0], (url, options)
            page.screenshot(path=str(ARTIFACTS / f"page-{url.strip('/').replace('/', '-')}-{width}.png"))
            _no_sideways_scroll(page)
            page.keyboard.press("Escape")
            page.keyboard.press("Escape")


def _options_of(page, box) -> list[str]:
    return [t.strip() for t in page.locator(f"#{box.get_attribute('aria-controls')} [role=option]").all_inner_texts()]


def test_a_form_field_in_a_label_picked_by_mouse_and_never_sent_unpicked(live_server, county, desktop_page):
    """The appeal form's place (a form field inside its <label>, a form without the browser's check)."""
    from minqing.appeals.models import Appeal

    page, base = desktop_page, live_server.url
    log_in(page, base, "township-leader")
    page.goto(f"{base}/appeals/new/")
    box = page.get_by_role("combobox", name="地点")
    box.click()
    box.fill("乙村")
    page.locator("#id_region-list [role=option]").first.click()
    assert box.input_value() == "甲镇乙村" and box.get_attribute("aria-expanded") == "false"  # closed, stays closed
    assert page.locator("#id_region-select").input_value() == county.regions["village_b"].code
    page.fill("#id_title", "路灯不亮")
    page.fill("#id_text", "村口路灯坏了一个月")
    box.fill("乌有村")
    page.click("#appeal-form button[type=submit]")  # refused here, not sent with the place shown before
    assert box.get_attribute("aria-invalid") == "true" and page.url == f"{base}/appeals/new/"
    assert Appeal.objects.count() == 0
    box.fill("乙村")
    page.keyboard.press("Enter")
    page.click("#appeal-form button[type=submit]")
    page.wait_for_url(re.compile(r"/appeals/\d+/$"))
    assert Appeal.objects.get().region_id == county.regions["village_b"].code

    # the workbench's filter form is htmx's (it reloads the list on each change): a pick is one such change
    page.goto(f"{base}/appeals/")
    f = page.get_by_role("combobox", name="地点").and_(page.locator("#f-region"))
    assert f.get_attribute("placeholder") == "不限"
    f.click()
    f.fill("乙村")
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"picker-appeal-filter-{width}.png"))
        _no_sideways_scroll(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"region={county.regions['village_b'].code}"))  # the address htmx pushed
    page.wait_for_selector(f"#appeal-results a[href$='/appeals/{Appeal.objects.get().pk}/']")
