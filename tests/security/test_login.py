"""等保 2.0 level 3 log-in: password rules, change and reset pages, throttling, idle time-out,
second factor, API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.accounts import security
from minqing.accounts.models import ApiToken, Post, User
from minqing.audit.models import Event
from minqing.demo.people import DEMO_PASSWORD
from tests.conftest import PASSWORD

GOOD = "Xuanhan#County9"


def _refusal(password: str, username: str = "cadre-a") -> list[str]:
    with pytest.raises(ValidationError) as exc:
        validate_password(password, User(username=username))
    return exc.value.messages


@pytest.mark.parametrize("password", ["minqing-demo", "1234567890", "Password123", "abcdefghij", "Ab1!"])
def test_weak_passwords_are_refused_in_chinese(password):
    messages = _refusal(password)
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages), messages


def test_the_user_name_inside_the_password_is_refused():
    assert any("用户名" in m for m in _refusal("Cadre-A-2026!", username="cadre-a"))


def test_a_good_password_and_the_demo_password_pass():
    validate_password(GOOD, User(username="cadre-a"))
    validate_password(DEMO_PASSWORD, User(username="demo-county"))


def _secadmin(county):
    user = User.objects.create(username="secadmin", password=county.admin.password)
    Post.objects.create(user=user, unit=county.units["leadership"], role="secadmin", region=county.regions["county"])
    return user


def test_password_change_page(county, login):
    client = login(county.cadre_a)
    assert client.get("/account/password/").status_code == 200
    bad = client.post("/account/password/", {"old": PASSWORD, "new": "1234567890", "repeat": "1234567890"})
    assert bad.status_code == 400 and "密码" in bad.content.decode()
    wrong_old = client.post("/account/password/", {"old": "nope", "new": GOOD, "repeat": GOOD})
    assert "原密码不正确" in wrong_old.content.decode()
    ok = client.post("/account/password/", {"old": PASSWORD, "new": GOOD, "repeat": GOOD})
    assert ok.status_code == 302
    county.cadre_a.refresh_from_db()
    assert county.cadre_a.check_password(GOOD)
    assert Event.objects.filter(action="account.password_changed", object_id=str(county.cadre_a.pk)).exists()
    assert client.get("/").status_code == 200  # this session survives the change


def test_reset_by_the_security_administrator_with_a_one_time_code(county, login):
    admin = _secadmin(county)
    assert login(county.cadre_a).post(f"/security/users/{county.cadre_b.pk}/reset/").status_code == 404
    page = login(admin).post(f"/security/users/{county.cadre_b.pk}/reset/")
    assert page.status_code == 200
    code = page.context["code"]
    assert code in page.content.decode()
    assert not Event.objects.filter(changes__icontains=code).exists()  # never in the trail
    anon = Client()
    # the old reset address leads to the one page for every one-time code
    assert anon.get("/password/reset/?u=cadre-b")["Location"] == "/setup/activate/?u=cadre-b"
    data = {"username": "cadre-b", "code": "AAAA-BBBB-CCCC", "password": GOOD, "password2": GOOD}
    assert "验证码不正确" in anon.post("/setup/activate/", data).content.decode()
    assert anon.post("/setup/activate/", {**data, "code": code}).status_code == 302
    county.cadre_b.refresh_from_db()
    assert county.cadre_b.check_password(GOOD)
    assert Event.objects.filter(action="account.password_reset", actor=county.cadre_b).exists()
    again = Client().post("/setup/activate/", {**data, "code": code, "password": "Another#Pass77",
                                               "password2": "Another#Pass77"})
    assert again.status_code == 200 and "验证码不正确" in again.content.decode()  # one time only
    county.cadre_b.refresh_from_db()
    assert county.cadre_b.check_password(GOOD)


def _fail(client: Client, username: str, ip: str) -> int:
    return client.post("/login/", {"username": username, "password": "wrong-Password-1"}, REMOTE_ADDR=ip).status_code


def test_one_password_against_many_user_names_from_one_address_is_throttled(county):
    client = Client()
    codes = [_fail(client, f"user-{n}", "10.0.0.7") for n in range(25)]
    assert codes[0] == 200 and codes[-1] == 429
    # the address is locked, also for a real account with its right password
    ok = client.post("/login/", {"username": "cadre-a", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    assert ok.status_code == 429
    # another address is not
    assert Client().post("/login/", {"username": "cadre-a", "password": PASSWORD},
                         REMOTE_ADDR="10.0.0.8").status_code == 302


def test_one_user_name_from_many_addresses_is_throttled(county):
    codes = [_fail(Client(), "cadre-a", f"10.1.0.{n}") for n in range(12)]
    assert codes[0] == 200 and codes[-1] == 429
    right = Client().post("/login/", {"username": "cadre-a", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert right.status_code == 429


def test_the_token_api_is_throttled_across_user_names(county, client):
    for n in range(20):
        client.post("/api/v1/auth/token", {"username": f"x{n}", "password": "p"}, content_type="application/json",
                    REMOTE_ADDR="10.2.0.1")
    r = client.post("/api/v1/auth/token", {"username": "cadre-a", "password": PASSWORD},
                    content_type="application/json", REMOTE_ADDR="10.2.0.1")
    assert r.status_code == 429


def test_idle_session_ends(county, login, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS <= 60
    client = login(county.cadre_a)
    assert client.get("/").status_code == 200
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + dt.timedelta(minutes=29)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))  # 30 idle minutes later
    assert client.get("/").status_code == 302


def _unthrottle(user) -> None:
    """django-otp slows guessing down (a wait after each wrong code); a test does not wait."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, t0=device.t0):06d}"


@override_settings(OTP_REQUIRED_ROLES=frozenset({"secadmin"}))
def test_second_factor_required_for_a_configured_post(county):
    admin = _secadmin(county)
    client = Client()
    assert client.post("/login/", {"username": "secadmin", "password": PASSWORD}).status_code == 302
    first = client.get("/security/")
    assert first.status_code == 302 and first["Location"].startswith("/account/2fa/")
    assert client.get("/api/v1/appeals").status_code == 403
    page = client.get("/account/2fa/")
    assert "<svg" in page.content.decode() and page.context["secret"]
    device = TOTPDevice.objects.get(user=admin)
    assert client.post("/account/2fa/", {"code": "000000"}).status_code == 400
    _unthrottle(admin)
    done = client.post("/account/2fa/", {"code": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and client.get("/security/").status_code == 200
    # next log-in asks for the code; a recovery code works once
    client.post("/logout/")
    client.post("/login/", {"username": "secadmin", "password": PASSWORD})
    assert client.get("/security/")["Location"].startswith("/login/verify/")
    assert client.post("/login/verify/", {"code": "123456"}).status_code == 400
    _unthrottle(admin)
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/security/").status_code == 200
    client.post("/logout/")
    client.post("/login/", {"username": "secadmin", "password": PASSWORD})
    assert client.post("/login/verify/", {"code": codes[0]}).status_code == 400
    # the token API wants the code too
    r = Client().post("/api/v1/auth/token", {"username": "secadmin", "password": PASSWORD},
                      content_type="application/json")
    assert r.status_code == 401 and "第二重" in r.json()["detail"]


def test_second_factor_is_off_for_other_posts_by_default(county):
    client = Client()
    client.post("/login/", {"username": "cadre-a", "password": PASSWORD})
    assert client.get("/").status_code == 200


def test_tokens_listed_revoked_and_ended_with_their_session(county, login):
    client = login(county.cadre_a)
    made = client.post("/account/tokens/", {"label": "phone"})
    raw = made.context["raw"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert Client().get("/api/v1/appeals", **auth).status_code == 200
    page = client.get("/account/")
    assert "phone" in page.content.decode()
    client.post("/logout/")
    assert Client().get("/api/v1/appeals", **auth).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_token_revoked_by_owner_and_security_administrator_only(county, login, bearer):
    headers = bearer(county.cadre_a)
    token = ApiToken.objects.get(user=county.cadre_a)
    assert login(county.cadre_b).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert Client().get("/api/v1/appeals", headers=headers).status_code == 200
    admin = _secadmin(county)
    page = login(admin).get("/security/")
    assert "cadre-a" in page.content.decode()
    assert login(admin).post(f"/account/tokens/{token.pk}/revoke/", {"back": "security"}).status_code == 302
    assert Client().get("/api/v1/appeals", headers=headers).status_code == 401
    assert security.tokens_visible_to(county.cadre_a).count() == 1


def test_security_page_is_for_the_security_administrator_only(county, login):
    for name in ("cadre_a", "county_leader", "admin", "inspector"):
        assert login(getattr(county, name)).get("/security/").status_code == 404, name
