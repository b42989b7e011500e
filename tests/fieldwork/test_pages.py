"""The field app's pages: the shell behind log-in, its manifest and its service worker."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import REQUEST_OVERHEAD

pytestmark = pytest.mark.django_db


def _config(response) -> dict:
    match = re.search(r'<script id="field-config" type="application/json">(.*?)</script>', response.content.decode(),
                      re.S)
    assert match, "the page hands its configuration to the script as JSON"
    return json.loads(match.group(1))


def test_the_field_app_needs_a_log_in(client):
    response = client.get("/field/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/field/"


def test_the_field_app_speaks_chinese_and_sets_the_csrf_cookie(county, login):
    client = login(county.cadre_a)
    response = client.get("/field/")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'lang="zh-hans"' in text
    for words in ("走访名单", "保存到手机", "同步", "待发送"):
        assert words in text, words
    assert 'rel="manifest" href="/field/manifest.webmanifest"' in text
    assert "csrftoken" in response.cookies  # the script sends it back as X-CSRFToken
    assert "no-cache" in response["Cache-Control"]  # the worker decides what is kept, not the HTTP cache


def test_the_page_hands_over_the_cadres_villages_tags_and_chinese_strings(county, login):
    config = _config(login(county.cadre_a).get("/field/"))
    assert config["user"]["id"] == county.cadre_a.pk
    assert [r["code"] for r in config["regions"]] == [county.village_a.code]  # not village B, not C
    assert {"code": "dibao", "name": "低保户"} in config["tags"]
    assert config["urls"] == {"plan": "/api/v1/field/plan", "directory": "/api/v1/field/households",
                              "sync": "/api/v1/sync", "worker": "/field/sw.js",
                              "scope": "/field/", "login": "/login/?next=/field/"}
    assert config["strings"]["offline"] == "离线"
    assert config["strings"]["status_rejected"] == "被退回"
    kinds = dict(config["activity_kinds"])
    assert kinds["courtyard"] == "院坝会" and kinds["onsite_office"] == "现场办公"
    assert dict(config["help_kinds"])["temporary_relief"] == "临时救助"
    assert "misconduct" not in dict(config["appeal_kinds"])  # 举报 goes to the discipline channel, not the field app


def test_a_township_leader_gets_the_villages_of_the_township(county, login):
    config = _config(login(county.township_leader).get("/field/"))
    assert [r["code"] for r in config["regions"]] == [county.village_a.code, county.village_b.code]


def test_the_page_in_english_on_request(county, login):
    client = login(county.cadre_a)
    text = client.get("/field/", headers={"Accept-Language": "en"}).content.decode()
    assert "Save on the phone" in text and "保存到手机" not in text


def test_the_page_costs_a_few_queries(county, login):
    client = login(county.cadre_a)
    client.get("/field/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/field/").status_code == 200
    assert len(queries) <= 8 + REQUEST_OVERHEAD, [q["sql"] for q in queries]


def test_the_manifest_makes_field_installable(client):
    response = client.get("/field/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/field/" and manifest["scope"] == "/field/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "民情走访"
    sizes = {icon["sizes"] for icon in manifest["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        assert b"".join(image.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_service_worker_is_served_from_field_with_its_scope(client):
    response = client.get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert re.search(r'const VERSION = "[0-9a-f]{12}"', body)
    for asset in ("/static/fieldwork/app.js", "/static/fieldwork/store.js", "/static/fieldwork/app.css",
                  "/field/manifest.webmanifest"):
        assert f'"{asset}"' in body, asset
        assert client.get(asset).status_code == 200, asset
    assert "{{" not in body and "{%" not in body


def test_the_worker_version_follows_the_shell_files(monkeypatch, tmp_path):
    from minqing.fieldwork import views

    before = views._static_version()
    shutil_copy = tmp_path / "fieldwork"
    (shutil_copy / "static" / "fieldwork").mkdir(parents=True)
    (shutil_copy / "templates" / "fieldwork").mkdir(parents=True)
    for name in views.SHELL_FILES:
        (shutil_copy / "static" / name).write_bytes((views.APP_DIR / "static" / name).read_bytes())
    for name in ("sw.js", "app.html"):
        source = views.APP_DIR / "templates" / "fieldwork" / name
        (shutil_copy / "templates" / "fieldwork" / name).write_bytes(source.read_bytes())
    monkeypatch.setattr(views, "APP_DIR", shutil_copy)
    assert views._static_version() == before
    (shutil_copy / "static" / "fieldwork" / "app.js").write_text("// changed")
    assert views._static_version() != before
