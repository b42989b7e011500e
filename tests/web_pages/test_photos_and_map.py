"""Issue 19: 整改前/整改后 photos on the case page and the household page (with a visit's GPS), and the
map page: clustered points under the list's filters, inside the jurisdiction, asking no other server."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.appeals.models import Appeal, Attachment
from minqing.households.models import Household

from .test_merge_and_files import PNG

pytestmark = pytest.mark.django_db


def test_the_handler_adds_an_after_photo_from_the_case_page(county, stages, login):
    appeal = stages.assigned(household=county.households["a1"])
    client = login(county.dept_handler)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert '<option value="after">整改后</option>' in page
    response = client.post(f"/appeals/{appeal.pk}/attachments/",
                           {"file": SimpleUploadedFile("修好了.png", PNG, content_type="image/png"), "phase": "after"})
    assert response.status_code == 302
    att = Attachment.objects.get(appeal=appeal)
    assert att.phase == "after"
    page = login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode()
    assert '<span class="badge phase-after">整改后</span>' in page
    household = login(county.cadre_a).get(f"/households/{county.households['a1'].pk}/").content.decode()
    assert f"/appeals/{appeal.pk}/attachments/{att.pk}/" in household and "整改后" in household


def test_a_file_that_is_no_photo_cannot_be_before_or_after(county, stages, login):
    appeal = stages.assigned()
    client = login(county.dept_handler)
    client.post(f"/appeals/{appeal.pk}/attachments/",
                {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x", content_type="application/pdf"),
                 "phase": "after"})
    assert not Attachment.objects.filter(appeal=appeal).exists()
    client.post(f"/appeals/{appeal.pk}/attachments/",
                {"file": SimpleUploadedFile("a.png", PNG, content_type="image/png"), "phase": "sometime"})
    assert not Attachment.objects.filter(appeal=appeal).exists()


def _map_data(html: str) -> dict:
    found = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def _place(county, key: str, lat: str, lng: str) -> Household:
    h = county.households[key]
    Household.objects.filter(pk=h.pk).update(latitude=Decimal(lat), longitude=Decimal(lng))
    return h


def test_the_map_clusters_the_cases_of_the_list_filters_within_the_jurisdiction(county, stages, login):
    a1 = _place(county, "a1", "31.350000", "107.700000")
    b1 = _place(county, "b1", "31.900000", "108.200000")
    for _ in range(3):
        stages.registered(household=a1)
    stages.registered(household=a1, kind="suggestion")
    stages.registered(region=county.village_b.code, household=b1, actor=county.cadre_b)
    stages.registered()  # no household: no position

    html = login(county.township_leader).get("/map/").content.decode()
    data = _map_data(html)
    assert data["tiles"] is None and data["layer"] == "cases"
    counts = sorted(c["count"] for c in data["clusters"])
    assert counts == [1, 4]  # 4 cases at a1's door in one cluster, b1's alone
    assert "1 条无位置，不在地图上" in html
    assert not re.search(r'(src|href)="https?://', html)  # nothing from another server

    kinds = _map_data(login(county.township_leader).get("/map/?kind=suggestion").content.decode())
    assert [c["count"] for c in kinds["clusters"]] == [1]

    mine = _map_data(login(county.cadre_a).get("/map/").content.decode())  # village A only
    assert [c["count"] for c in mine["clusters"]] == [4]
    assert all(abs(c["lat"] - 31.35) < 1e-6 for c in mine["clusters"])
    assert Appeal.objects.count() == 6


def test_the_map_plots_visits_at_their_gps_and_the_household_page_shows_it(county, login):
    from minqing.fieldwork import services as field

    a2 = _place(county, "a2", "31.400000", "107.800000")
    visit, _ = field.record_visit(actor=county.cadre_a, household=a2, visited_at="2025-03-05T10:00:00+08:00",
                                  note="门前路面破损", lat=31.353456, lng=107.727123, client_id="v-gps-1")
    field.record_visit(actor=county.cadre_a, household=a2, visited_at="2025-03-06T10:00:00+08:00", note="",
                       client_id="v-gps-2")  # no GPS: placed at the household
    data = _map_data(login(county.cadre_a).get("/map/?layer=visits").content.decode())
    points = sorted((c["lat"], c["lng"]) for c in data["clusters"])
    assert points == [(31.353456, 107.727123), (31.4, 107.8)]
    page = login(county.cadre_a).get(f"/households/{a2.pk}/").content.decode()
    assert "31.353456, 107.727123" in page
    assert "/map/?layer=visits" in page


def test_tiles_only_with_the_countys_key_and_only_then_the_tile_server_is_allowed(county, stages, login, settings):
    stages.registered(household=_place(county, "a1", "31.350000", "107.700000"))
    client = login(county.cadre_a)
    settings.MINQING_TIANDITU_KEY = ""
    plain = client.get("/map/")
    assert "tianditu" not in plain["Content-Security-Policy"] and "leaflet" not in plain.content.decode()
    settings.MINQING_TIANDITU_KEY = "k&1"
    tiled = client.get("/map/")
    html = tiled.content.decode()
    assert "https://*.tianditu.gov.cn" in tiled["Content-Security-Policy"].split("img-src", 1)[1].split(";")[0]
    assert "vendor/leaflet/leaflet.js" in html and "echarts" not in html
    urls = _map_data(html)["tiles"]["urls"]
    assert [u.split("/")[3] for u in urls] == ["vec_w", "cva_w"] and all(u.endswith("&tk=k%261") for u in urls)
