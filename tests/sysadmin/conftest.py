import datetime as dt

import pytest


@pytest.fixture
def sysadmin(county):
    """宣汉县's system administrator: a sysadmin post on the leadership unit, at the county's code."""
    from minqing.accounts.models import Post, User
    from tests.conftest import password_hash

    user = User.objects.create(username="sys-admin", display_name="县系统管理员", password=password_hash(),
                               county=county.regions["county"])
    Post.objects.create(user=user, unit=county.units["leadership"], role="sysadmin", region=county.regions["county"],
                        started_on=dt.date(2020, 1, 1))
    county.users["sysadmin"] = user
    return user


@pytest.fixture
def other_sysadmin(county):
    """The administrator of another county (达州市通川区), who must see nothing of 宣汉县."""
    from minqing.accounts.models import Post, Unit, User
    from minqing.regions.models import Level, Region

    other = Region.objects.create(code="511702000000", name="通川区", level=Level.COUNTY,
                                  parent=county.regions["city"])
    unit = Unit.objects.create(name="区委区政府", kind="leadership", region=other)
    user = User.objects.create(username="other-admin", county=other)
    Post.objects.create(user=user, unit=unit, role="sysadmin", region=other, started_on=dt.date(2020, 1, 1))
    return user
