"""The JSON API: token log-in, the schema, list shape, and log-in throttling (django-axes)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minqing.accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(client, username, password):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


def test_it_issues_a_token_that_opens_the_api(county, client):
    response = _token(client, "cadre-a", PASSWORD)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"token", "expires_at"} and len(data["token"]) >= 32
    expires = dt.datetime.fromisoformat(data["expires_at"])
    assert timezone.now() + dt.timedelta(hours=11) < expires <= timezone.now() + dt.timedelta(hours=12, minutes=1)
    listed = client.get("/api/v1/households", headers={"Authorization": f"Bearer {data['token']}"})
    assert listed.status_code == 200 and listed.json()["count"] == 2
    assert not ApiToken.objects.filter(key_hash=data["token"]).exists()  # only the hash is stored


def test_a_bad_password_is_401(county, client):
    response = _token(client, "cadre-a", "wrong-password")
    assert response.status_code == 401 and "密码错误" in response.json()["detail"]
    assert _token(client, "nobody", PASSWORD).status_code == 401


def test_an_inactive_user_gets_no_token(county, client):
    county.cadre_a.is_active = False
    county.cadre_a.save()
    assert _token(client, "cadre-a", PASSWORD).status_code == 401


def test_expired_and_revoked_tokens_are_refused(county, client):
    raw, token = ApiToken.objects.issue(county.cadre_a, now=timezone.now() - dt.timedelta(hours=13))
    assert client.get("/api/v1/households", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    raw, token = ApiToken.objects.issue(county.cadre_a)
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/households", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_the_session_also_opens_the_api(county, login):
    client = login(county.cadre_a)
    assert client.get("/api/v1/households").json()["count"] == 2


def test_the_schema_lists_the_routes(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/households", "/api/v1/auth/token", "/api/v1/households/{household_id}",
                 "/api/v1/regions", "/api/v1/households/residents/{resident_id}/reveal"):
        assert path in paths
    assert "bearer" in str(response.json()["components"]["securitySchemes"]).lower()


def test_lists_have_items_and_count_with_ids(county, client, bearer):
    headers = bearer(county.township_leader)
    data = client.get("/api/v1/households?limit=3", headers=headers).json()
    assert set(data) == {"items", "count"} and data["count"] == 4 and len(data["items"]) == 3
    assert all(isinstance(item["id"], int) for item in data["items"])
    rest = client.get("/api/v1/households?limit=3&offset=3", headers=headers).json()
    assert len(rest["items"]) == 1
    assert {i["id"] for i in data["items"]}.isdisjoint({i["id"] for i in rest["items"]})
    regions = client.get("/api/v1/regions", headers=headers).json()
    assert set(regions) == {"items", "count"} and all(r["id"] == r["code"] for r in regions["items"])


def test_the_household_detail_shows_masked_data(county, client, bearer):
    h = county.households["a1"]
    data = client.get(f"/api/v1/households/{h.pk}", headers=bearer(county.cadre_a)).json()
    assert data["id"] == h.pk and data["region_name"] == "甲村" and data["tags"] == ["低保户"]
    ids = {r["id_number"] for r in data["residents"]}
    assert "511722********1232" in ids and "511722********003X" in ids


@pytest.fixture
def fresh_axes():
    from axes.utils import reset

    reset()
    yield
    reset()


def test_after_five_failures_even_the_right_password_is_refused_by_the_api(county, client, fresh_axes):
    for _ in range(5):
        assert _token(client, "cadre-a", "wrong-password").status_code in (401, 429)
    response = _token(client, "cadre-a", PASSWORD)
    assert response.status_code == 429
    assert response.json() == {"detail": "登录失败次数过多，请15分钟后再试"}
    # another account from the same address is not locked
    assert _token(client, "cadre-b", PASSWORD).status_code == 200


def test_after_five_failures_the_login_page_locks_out(county, client, fresh_axes):
    for _ in range(5):
        client.post("/login/", {"username": "cadre-a", "password": "wrong-password"})
    response = client.post("/login/", {"username": "cadre-a", "password": PASSWORD})
    assert response.status_code == 429
    text = response.content.decode()
    assert "15" in text  # "try again in 15 minutes", in either language
    assert "_auth_user_id" not in client.session


def test_the_login_form_logs_in(county, client, fresh_axes):
    response = client.post("/login/", {"username": "cadre-a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.logout()
    bad = client.post("/login/", {"username": "cadre-a", "password": "wrong"})
    assert bad.status_code == 200
