"""The demo county: 宣汉县 with 37 townships × 10 villages, demo log-ins, deterministic and idempotent."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.accounts.models import Post, User
from minqing.audit.log import verify
from minqing.audit.models import Event
from minqing.demo.generator import DemoError, DemoOptions, load_demo
from minqing.demo.people import DEMO_PASSWORD
from minqing.households import crypto
from minqing.households.models import Household, Resident
from minqing.lib import idcard, phone
from minqing.lib.masking import mask_id_number, mask_phone
from minqing.regions import jurisdiction
from minqing.regions.models import Level, Region

pytestmark = pytest.mark.django_db

ANCHOR = dt.date(2025, 6, 30)
DEMO_LOGINS = ("demo-county", "demo-township", "demo-village-a", "demo-village-b", "demo-dept", "demo-jiwei",
               "demo-admin", "demo-secadmin", "demo-audit")


def _counts():
    return (Region.objects.count(), Household.objects.count(), Resident.objects.count(), User.objects.count(),
            Post.objects.count(), Event.objects.count(), list(Event.objects.order_by("id").values_list("hash",
                                                                                                       flat=True)))


def test_the_demo_loads_once_and_deterministically(client):
    quiet = [].append
    load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=300), progress=quiet)

    county = Region.objects.get(code="511722000000")
    townships = Region.objects.filter(parent=county, level=Level.TOWNSHIP)
    assert townships.count() == 37
    villages = Region.objects.filter(level=Level.VILLAGE, code__startswith="511722")
    assert villages.count() == 370
    assert all(n == 10 for n in (Region.objects.filter(parent=t, level=Level.VILLAGE).count() for t in townships))
    assert Region.objects.filter(name="新芽村", parent__name="天生镇").exists()  # the seed's village
    assert Household.objects.count() == 300

    # The five demo accounts log in through the real form and see what their posts cover.
    for username in DEMO_LOGINS:
        response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.logout()
    a, b = User.objects.get(username="demo-village-a"), User.objects.get(username="demo-village-b")
    seen_a = set(jurisdiction.visible(a, Household).values_list("region_id", flat=True))
    seen_b = set(jurisdiction.visible(b, Household).values_list("region_id", flat=True))
    assert len(seen_a) == 1 and len(seen_b) == 1 and seen_a != seen_b
    town = Region.objects.get(code=next(iter(seen_a))).parent
    assert town.name == "天生镇" and Region.objects.get(code=next(iter(seen_b))).parent_id == town.code
    assert jurisdiction.visible(User.objects.get(username="demo-county"), Household).count() == 300
    assert jurisdiction.visible(User.objects.get(username="demo-dept"), Household).count() == 0
    from minqing.appeals.models import Appeal

    for admin_login in ("demo-admin", "demo-secadmin", "demo-audit"):  # 三权分立: no resident, no case
        admin_user = User.objects.get(username=admin_login)
        assert jurisdiction.visible(admin_user, Household).count() == 0
        assert jurisdiction.visible(admin_user, Appeal).count() == 0
    jiwei = set(jurisdiction.visible(User.objects.get(username="demo-jiwei"), Appeal).values_list("kind", flat=True))
    assert "misconduct" in jiwei
    township = User.objects.get(username="demo-township")
    assert set(jurisdiction.visible(township, Household).values_list("region__parent_id", flat=True)) == {town.code}

    # Personal data: valid, encrypted, masked consistently.
    residents = list(Resident.objects.exclude(id_number_enc=""))
    assert len(residents) > 300
    for r in residents:
        clear = crypto.decrypt(r.id_number_enc)
        assert idcard.clean_id_number(clear) == clear
        assert r.id_number_masked == mask_id_number(clear) and r.id_number_hash == crypto.lookup_hash(clear)
        assert idcard.birth_date(clear) == r.birth_date and idcard.gender(clear) == r.gender
    for r in Resident.objects.exclude(phone_enc="")[:200]:
        clear = crypto.decrypt(r.phone_enc)
        assert phone.clean_phone(clear) == clear and r.phone_masked == mask_phone(clear)
    created = Household.objects.order_by("created_at")
    assert created.first().created_at.date() >= ANCHOR - dt.timedelta(days=731)
    assert verify() == []

    # Same seed and anchor: nothing changes. Another seed: refused.
    before = _counts()
    load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=300), progress=quiet)
    assert _counts() == before
    with pytest.raises(DemoError):
        load_demo(DemoOptions(seed=8, anchor=ANCHOR, households=300), progress=quiet)
    with pytest.raises(DemoError):
        load_demo(DemoOptions(seed=7, anchor=ANCHOR + dt.timedelta(days=1), households=300), progress=quiet)
    assert _counts() == before


def test_the_demo_refuses_a_database_with_real_accounts(county):
    with pytest.raises(DemoError):
        load_demo(DemoOptions(seed=7, anchor=ANCHOR, households=300), progress=[].append)
    assert not User.objects.filter(username__startswith="demo-").exists()
