"""Pages speak Simplified Chinese by default, English on request; time zone Asia/Shanghai."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_the_login_page_is_chinese_by_default(client):
    text = client.get("/login/").content.decode()
    assert 'lang="zh-hans"' in text
    assert "登录" in text  # needs the compiled zh_Hans catalogue (make messages)


def test_the_login_page_is_english_on_request(client):
    text = client.get("/login/", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="en"' in text and "Log in" in text and "登录" not in text


def test_the_language_cookie_wins(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/login/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "Log in" in text


def test_a_chinese_browser_gets_chinese(client):
    text = client.get("/login/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).content.decode()
    assert 'lang="zh-hans"' in text and "登录" in text


def test_settings():
    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
