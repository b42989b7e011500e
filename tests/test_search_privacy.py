"""A whole phone or ID number typed into the household search never rides in a URL."""

import pytest

from tests.conftest import ID_A, PHONE_A

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", [PHONE_A, ID_A])
def test_it_moves_a_whole_number_out_of_the_url(county, login, number):
    client = login(county.cadre_a)
    response = client.get("/households/", {"q": number})
    assert response.status_code == 302
    assert number not in response["Location"] and "s=" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert county.households["a1"].head_name in body
    assert f"q={number}" not in body  # paging and export links carry the key, not the number


def test_an_ordinary_search_stays_in_the_url(county, login):
    client = login(county.cadre_a)
    response = client.get("/households/", {"q": "户主"})
    assert response.status_code == 200


def test_export_escapes_formulas(county, login):
    from minqing.households import services

    services.update_household(county.households["a2"], actor=None, changes={"head_name": "=HYPERLINK(1)"})
    client = login(county.cadre_a)
    body = b"".join(client.get("/households/export.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in body
