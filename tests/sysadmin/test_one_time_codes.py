"""One kind of one-time code for a first log-in (system administrator) and a reset (security
administrator): one page redeems both, and a new code revokes the person's open ones."""

import pytest
from django.test import Client

from minqing.accounts import codes, services
from minqing.accounts.models import Post, SetupCode, User
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db
GOOD = "Xuanhan#County9"


def _secadmin(county) -> User:
    user = User.objects.create(username="secadmin", password=county.admin.password)
    Post.objects.create(user=user, unit=county.units["leadership"], role="secadmin", region=county.regions["county"])
    return user


def _use(username: str, code: str, password: str = GOOD):
    return Client().post("/setup/activate/", {"username": username, "code": code, "password": password,
                                              "password2": password})


def test_a_reset_code_and_a_first_log_in_code_work_through_the_same_page(county, sysadmin, login):
    newcomer = services.create_staff(actor=sysadmin, county="511722", username="wang-li", display_name="王丽")
    page = login(sysadmin).post(f"/setup/staff/{newcomer.pk}/code/")
    assert page.status_code == 302
    first = login(sysadmin).get(page["Location"]).context["code"]["code"]
    reset = login(_secadmin(county)).post(f"/security/users/{county.cadre_b.pk}/reset/").context["code"]

    assert SetupCode.objects.get(user=newcomer).purpose == "first_login"
    entry = SetupCode.objects.get(user=county.cadre_b)
    assert entry.purpose == "reset" and (entry.expires_at - entry.created_at).total_seconds() == 24 * 3600
    assert reset not in entry.code_hash

    assert _use("wang-li", first).status_code == 302
    assert _use("cadre-b", reset, "Another#Pass77").status_code == 302
    assert User.objects.get(pk=newcomer.pk).check_password(GOOD)
    assert User.objects.get(pk=county.cadre_b.pk).check_password("Another#Pass77")
    assert Event.objects.filter(action="staff.password_set", actor=newcomer).exists()
    assert Event.objects.filter(action="account.password_reset", actor=county.cadre_b).exists()
    assert not SetupCode.objects.filter(used_at__isnull=True, revoked_at__isnull=True).exists()


def test_issuing_a_new_code_revokes_the_open_one_whoever_issued_it(county, sysadmin):
    cadre = county.cadre_b
    cadre.county = county.regions["county"]
    cadre.save()
    old = services.issue_setup_code(cadre, actor=sysadmin)
    new = codes.issue(cadre, actor=_secadmin(county), purpose="reset")
    assert SetupCode.objects.filter(user=cadre, revoked_at__isnull=False).count() == 1
    page = _use("cadre-b", old)
    assert page.status_code == 200 and "验证码不正确" in page.content.decode()
    assert _use("cadre-b", new).status_code == 302
    assert User.objects.get(pk=cadre.pk).check_password(GOOD)


def test_a_reset_code_locks_after_five_wrong_tries(county):
    code = codes.issue(county.cadre_b, actor=_secadmin(county), purpose="reset")
    for _ in range(codes.TRIES):
        _use("cadre-b", "AAAA-BBBB-CCCC")
    assert SetupCode.objects.get(user=county.cadre_b).failed_attempts == codes.TRIES
    assert _use("cadre-b", code).status_code == 200  # locked, even with the right code
    assert not User.objects.get(pk=county.cadre_b.pk).check_password(GOOD)
