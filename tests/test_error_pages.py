"""Error pages in Chinese in the site's frame; the admin in Chinese; the English side without Chinese words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """The visible text of a page: no scripts, styles, attributes or the language picker's options."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "option", "textarea"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "option", "textarea") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_a_missing_page_is_chinese_in_the_frame(county, login):
    page = login(county.cadre_a).get("/no-such-page/")
    text = page.content.decode()
    assert page.status_code == 404
    assert "页面不存在" in text and 'class="mainnav"' in text and "Not Found" not in text


def test_a_missing_page_for_a_visitor_is_chinese(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "页面不存在" in page.content.decode()


def test_a_forbidden_page_is_chinese(county, login):
    page = login(county.cadre_a).get("/setup/")
    assert page.status_code == 403
    text = page.content.decode()
    assert "Forbidden" not in text and re.search("无权|不允许", text)


def test_the_server_error_page_needs_nothing_but_the_template():
    """handler500 renders without a request context: 500.html must not extend base.html (user, urls)."""
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    text = response.content.decode()
    assert response.status_code == 500 and "系统出错了" in text and "Server Error" not in text


def test_a_bad_request_page_is_chinese(client):
    from minqing.web.errorpages import bad_request

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = bad_request(request, Exception("bad"))
    text = response.content.decode()
    assert response.status_code == 400 and "无法读取提交的内容" in text and "Bad Request" not in text


def test_a_failed_csrf_check_is_chinese(county, login):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(county.cadre_a)
    response = client.post("/appeals/new/", {})
    assert response.status_code == 403
    assert "CSRF verification failed" not in response.content.decode() and "过期" in response.content.decode()


ENGLISH = re.compile(r"[A-Za-z]{3,}")
# Words the admin may show in Latin letters: the site's name, technical formats, Django's own sign.
ADMIN_ALLOWED = {"minqing", "Django", "JSON", "ISO", "Excel", "CSV", "xlsx", "API", "URL", "GB", "OTP", "TOTP",
                 "PDF", "Word", "docx", "true", "false", "None", "null", "HTML",
                 "admin"}  # the test's user name


def test_the_admin_speaks_chinese_on_every_list(county, login):
    """The index, and the headers and titles of every list of the project's own tables (cells are data;
    the log-in lock and second-factor tables of third-party packages keep their packages' words)."""
    from django.contrib import admin

    client = login(county.users["admin"])
    offenders = []
    for model in admin.site._registry:  # noqa: SLF001 — every registered table
        meta = model._meta
        if not model.__module__.startswith("minqing."):
            continue
        url = f"/admin/{meta.app_label}/{meta.model_name}/"
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        frame = " ".join(m[1] for m in re.findall(r"<(thead|h1|h2|h3)\b[^>]*>(.*?)</\1>", html, re.S))
        words = set(ENGLISH.findall(visible_text(frame))) - ADMIN_ALLOWED
        if words:
            offenders.append(f"{url}: {sorted(words)[:8]}")
    index = visible_text(client.get("/admin/").content.decode())
    words = set(ENGLISH.findall(index)) - ADMIN_ALLOWED
    assert not words, sorted(words)
    assert not offenders, "\n".join(offenders)
