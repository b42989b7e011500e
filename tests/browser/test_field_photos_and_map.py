"""Issue 19 in the browser. Photos: offline, a cadre takes a photo (a JPEG carrying EXIF with GPS) in a
visit that finds a problem; back online it reaches the server once, without EXIF, and shows on the case
as 整改前; the handler adds 整改后 from the case page; the ledger export links both. Map: with no tile
source configured the map page asks no other address for anything (every request recorded) and shows
the demo county's cases clustered.

Screenshots (390 px phone, 1 366 px desktop) under test-artifacts/photos/ and test-artifacts/map/."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from python_calamine import CalamineWorkbook

from minqing.appeals import services
from minqing.appeals.models import Appeal, Attachment
from minqing.fieldwork.models import Visit, VisitPhoto
from tests.browser.conftest import expect_count, log_in, wait_js
from tests.browser.test_field_offline import WAITING, _open_field_app, _reopen_offline
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ANCHOR = dt.date(2025, 6, 30)


def _shot(page, topic: str, name: str) -> None:
    folder = REPO_DIR / "test-artifacts" / topic
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder, f"{name}.png")), full_page=True)


def _camera_jpeg(colour=(40, 120, 200), size=(2400, 1800)) -> bytes:
    """What a phone camera writes: a large JPEG with EXIF (GPS position, camera model)."""
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 200):  # some detail, so the JPEG is not trivially small
        image.paste((250, 250, 250), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 21.0, 12.0), "E", (107.0, 43.0, 30.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, quality=95)
    return buf.getvalue()


def _stored(row) -> bytes:
    with row.file.open("rb") as f:
        return f.read()


def _no_exif(data: bytes) -> None:
    assert b"Exif" not in data and b"Phone X" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert max(image.size) <= 1600  # made smaller on the phone


def test_a_photo_taken_offline_is_the_case_before_photo_and_the_ledger_links_before_and_after(
        live_server, county, phone_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MINQING_SITE_URL = live_server.url
    page, base, context = phone_page, live_server.url, phone_page.context
    page.set_viewport_size(PHONE)
    a1 = county.households["a1"]
    camera = _camera_jpeg()
    assert b"Exif" in camera

    context.grant_permissions(["geolocation"], origin=base)  # allowed before: the form takes the position
    context.set_geolocation({"latitude": 31.353456, "longitude": 107.727123, "accuracy": 20})
    log_in(page, base, "cadre-a")
    _open_field_app(page, base)
    _reopen_offline(page, context)
    page.click(f"button.hh[data-household='{a1.pk}']")
    wait_js(page, "document.querySelector('#visit-form input[name=lat]').value !== ''")
    page.fill("#visit-form textarea[name=note]", "屋后排水沟堵塞，雨天漫进院子")
    page.click("#visit-form [data-add=appeal]")
    page.fill("#visit-form [data-row=appeal] input[data-name=title]", "排水沟堵塞")
    page.fill("#visit-form [data-row=appeal] textarea[data-name=text]", "屋后排水沟堵塞，请求疏通")
    page.set_input_files("#visit-form input[data-photo-input=camera]",
                         files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": camera}])
    wait_js(page, "document.querySelector('#visit-form [data-photos]').dataset.count === '1'")
    expect_count(page.locator("#visit-form .thumb img"), 1)
    page.locator("#visit-form [data-photos]").scroll_into_view_if_needed()
    _shot(page, "photos", "phone-visit-with-photo-390")
    page.click("#visit-form button[type=submit]")
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '1'")
    on_phone = page.evaluate("minqingField.records().then(r => r[0].data.photos)")
    assert len(on_phone) == 1 and on_phone[0]["name"] == "IMG_2041.jpg"
    page.click(".tabs [data-go=outbox]")
    page.wait_for_selector("#outbox-list li.rec")
    assert "1 张照片" in page.inner_text("#outbox-list")
    _shot(page, "photos", "phone-outbox-390")
    assert Visit.objects.count() == 0 and VisitPhoto.objects.count() == 0  # still only on the phone

    context.set_offline(False)  # the 'online' event sends the outbox
    wait_js(page, f"document.querySelector('{WAITING}').textContent === '0'")
    page.click("#sync")  # again: nothing is left to send twice
    wait_js(page, "document.documentElement.dataset.lists")
    assert Visit.objects.count() == 1 and VisitPhoto.objects.count() == 1
    appeal = Appeal.objects.get()
    before = Attachment.objects.get(appeal=appeal)
    assert before.phase == "before" and before.name == "IMG_2041.jpg"
    _no_exif(_stored(before))
    _no_exif(_stored(VisitPhoto.objects.get()))

    page.goto(f"{base}/appeals/{appeal.pk}/")
    page.locator("#attachments").scroll_into_view_if_needed()
    assert "整改前" in page.inner_text("#attachments")
    _shot(page, "photos", "phone-case-before-390")
    page.goto(f"{base}/households/{a1.pk}/")
    assert "整改前" in page.inner_text("#case-photos")
    expect_count(page.locator("#visits .gallery img"), 1)
    assert "31.353456, 107.727123" in page.inner_text("#visits")  # the visit's GPS
    _shot(page, "photos", "phone-household-390")

    # The case goes to the housing bureau's handler, who adds the 整改后 photo from the case page.
    services.do_assign(appeal, actor=county.township_leader, unit=county.units["housing"].pk,
                       person=county.dept_handler.pk, measures="疏通排水沟",
                       due=dt.date.today() + dt.timedelta(days=10))
    page.set_viewport_size(DESKTOP)
    log_in(page, base, "dept-handler")
    page.goto(f"{base}/appeals/{appeal.pk}/")
    after_jpeg = _camera_jpeg(colour=(60, 160, 60), size=(800, 600))
    page.set_input_files("#attachments input[name=file]",
                         files=[{"name": "疏通后.jpg", "mimeType": "image/jpeg", "buffer": after_jpeg}])
    page.select_option("#attachments select[name=phase]", "after")
    page.click("#attachments button[type=submit]")
    page.wait_for_selector("#attachments .phase-after")
    after = Attachment.objects.get(appeal=appeal, phase="after")
    assert b"Exif" not in _stored(after)
    assert page.inner_text("#attachments .phase-before") == "整改前"
    page.locator("#attachments").scroll_into_view_if_needed()
    _shot(page, "photos", "desktop-case-before-after-1366")

    from minqing.ledgers.exporters.rectification import export_rectification

    out = tmp_path / "ledger.xlsx"
    today = dt.date.today()
    export_rectification(county.village_a.code, today - dt.timedelta(days=1), today, out,
                         user=county.township_leader)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[1][-1] == "佐证"
    cell = next(r for r in rows[2:] if "排水沟" in str(r[5]))[-1]
    links = [line.split("：", 1)[1] for line in cell.split("\n")]
    assert [line.split("：")[0] for line in cell.split("\n")] == ["整改前1", "整改后1"]
    assert links == [f"{base}/appeals/{appeal.pk}/attachments/{before.pk}/",
                     f"{base}/appeals/{appeal.pk}/attachments/{after.pk}/"]
    for link in links:  # each link opens the photo, for a signed-in user of the case
        assert page.request.get(link).status == 200


def test_the_map_without_tiles_asks_no_other_address_and_clusters_the_demo_cases(live_server, desktop_page,
                                                                                 settings):
    from minqing.demo.generator import DemoOptions, load_demo
    from minqing.demo.people import DEMO_PASSWORD

    settings.MINQING_TIANDITU_KEY = ""
    load_demo(DemoOptions(seed=2024, anchor=ANCHOR, households=200, villages_per_township=3), progress=[].append)
    page, base = desktop_page, live_server.url
    own = urlsplit(base).netloc
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "demo-county")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/")
    placed = Appeal.objects.filter(deleted_at__isnull=True, household__latitude__isnull=False).exclude(
        group="merged").count()
    assert placed > 20
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{base}/map/")
        wait_js(page, "document.getElementById('map').dataset.drawn !== undefined")
        drawn = int(page.get_attribute("#map", "data-drawn"))
        shown = int(page.inner_text("#map-total"))
        assert 1 < drawn < shown  # clustered: fewer marks than cases
        assert page.locator("#map svg").count() == 1
        counts = [int(x.split()[0]) for x in page.locator("#map-clusters tbody td:nth-child(2)").all_inner_texts()]
        assert counts == sorted(counts, reverse=True) and max(counts) > 1
        assert "不向任何地图服务器发出请求" in page.inner_text("#map-card")
        page.wait_for_load_state("networkidle")
        _shot(page, "map", f"cases-{width}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the map page is {scroll}px wide at {width}px"
    page.goto(f"{base}/map/?layer=visits")
    wait_js(page, "document.getElementById('map').dataset.drawn !== undefined")
    _shot(page, "map", "visits-390")
    page.goto(f"{base}/map/?layer=hotspots&from=2025-01-01&to=2025-06-30")
    wait_js(page, "document.getElementById('map').dataset.drawn !== undefined")
    page.wait_for_load_state("networkidle")
    _shot(page, "map", "hotspots-390")
    outside = [u for u in asked if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != own]
    assert asked and not outside, f"asked other addresses: {outside[:5]}"


def test_with_the_countys_tianditu_key_only_its_tiles_are_asked_for(live_server, county, desktop_page, settings):
    """The tile server is faked here (the test has no network): every request outside the site must be a
    天地图 tile carrying the county's key, and the clusters sit on the map."""
    from decimal import Decimal

    from minqing.households.models import Household

    settings.MINQING_TIANDITU_KEY = "county-key"
    for key, lat, lng in (("a1", "31.350", "107.700"), ("a2", "31.352", "107.702"), ("b1", "31.60", "107.95")):
        Household.objects.filter(pk=county.households[key].pk).update(latitude=Decimal(lat), longitude=Decimal(lng))
        services.register_appeal(actor=county.township_leader, region=county.households[key].region_id,
                                 kind="problem", channel="visit", title=f"{key}门前路灯坏了", text="路灯坏了",
                                 household=county.households[key])
    tile = io.BytesIO()
    Image.new("RGB", (256, 256), (236, 232, 220)).save(tile, "PNG")
    page, base = desktop_page, live_server.url
    page.route("https://*.tianditu.gov.cn/**", lambda route: route.fulfill(status=200, content_type="image/png",
                                                                            body=tile.getvalue()))
    asked: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None)
    log_in(page, base, "township-leader")
    page.goto(f"{base}/map/")
    wait_js(page, "document.getElementById('map').dataset.drawn !== undefined")
    page.wait_for_selector("#map .leaflet-tile-loaded")
    expect_count(page.locator("#map .map-cluster"), 2)  # a1 and a2 gathered, b1 alone
    page.wait_for_load_state("networkidle")
    _shot(page, "map", "tianditu-faked-1366")
    own = urlsplit(base).netloc
    outside = [u for u in asked if urlsplit(u).netloc != own and urlsplit(u).scheme in ("http", "https")]
    assert outside and all(urlsplit(u).netloc.endswith(".tianditu.gov.cn") and "tk=county-key" in u
                           for u in outside), outside[:5]
    assert not blocked, blocked[:3]
