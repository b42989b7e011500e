"""The admin answers in Chinese and lets the county edit its holiday table."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_admin_speaks_chinese_and_lists_the_county_tables(county, login):
    client = login(county.users["admin"])
    page = client.get("/admin/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "站点管理" in text and "/admin/appeals/holidayoverride/" in text
    assert client.get("/admin/regions/region/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_an_ordinary_cadre_cannot_use_the_admin(county, login):
    assert login(county.cadre_a).get("/admin/").status_code == 302
