from __future__ import annotations

import datetime as dt

import pytest

from minqing.lib.workdays import TZ

from . import fakes

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _manual_delivery(settings):
    settings.MINQING_NOTICES_DELIVERY = "manual"  # the tests drive deliver_due with their own clock
    settings.MINQING_SITE_URL = "https://mq.example.gov.cn"


@pytest.fixture
def wecom():
    fake = fakes.WeCom(key="k-wecom-1")
    yield fake
    fake.stop()


@pytest.fixture
def dingtalk():
    fake = fakes.DingTalk(token="t-ding-1", secret="SEC0123456789abcdef")
    yield fake
    fake.stop()


@pytest.fixture
def aliyun():
    fake = fakes.Aliyun(key_id="LTAI-test", secret="ali-secret")
    yield fake
    fake.stop()


@pytest.fixture
def tencent():
    fake = fakes.Tencent(secret_id="AKID-test", secret_key="tc-secret")
    yield fake
    fake.stop()


@pytest.fixture
def sysadmin(county):
    from minqing.accounts.models import Post, User

    user = User.objects.create(username="xh-admin", display_name="县系统管理员")
    Post.objects.create(user=user, unit=county.units["leadership"], role="sysadmin", region=county.regions["county"],
                        started_on=dt.date(2020, 1, 1))
    county.users["sysadmin"] = user
    return user
