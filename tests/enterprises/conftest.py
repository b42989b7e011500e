from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


def year() -> int:
    return timezone.localdate().year - 1  # wholly past whenever the tests run


def day(mm_dd: str) -> dt.date:
    return dt.date.fromisoformat(f"{year()}-{mm_dd}")


def at(mm_dd: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day(mm_dd), dt.time(hour)))


def _person(county, name: str, role: str, unit_key: str):
    from minqing.accounts.models import Post, User

    user = User.objects.create(username=name.replace("_", "-"), display_name=name)
    Post.objects.create(user=user, unit=county.units[unit_key], role=role, region=county.county,
                        started_on=dt.date(2020, 1, 1))
    county.users[name] = user
    return user


@pytest.fixture
def liaison(county):
    """The hand-computed fixture of test_metrics (see its docstring)."""
    from minqing.enterprises import services as s

    _person(county, "dept_head", "dept_head", "housing")
    _person(county, "leader2", "county_leader", "leadership")
    _person(county, "county_head", "county_head", "leadership")
    lead = county.county_leader
    e1 = s.register_enterprise(actor=lead, region=county.town.code, name="甲镇天然气净化厂", kind="enterprise",
                               contact_name="王经理", phone="13711112222")
    e2 = s.register_enterprise(actor=lead, region=county.village_a.code, name="甲村乡村振兴示范项目", kind="project")
    e3 = s.register_enterprise(actor=lead, region=county.village_b.code, name="乙村茶叶加工厂", kind="enterprise")
    s.pair_leader(e1, lead, actor=lead, started_on=day("01-01"))
    s.pair_leader(e2, lead, actor=lead, started_on=day("03-01"))
    p3 = s.pair_leader(e3, county.dept_head, actor=lead, started_on=day("01-01"))
    s.end_pairing(p3, actor=lead, ended_on=day("04-30"))
    s.pair_leader(e1, county.county_head, actor=lead, started_on=day("01-01"))

    def go(user, ent, when):
        s.record_visit(actor=user, enterprise=ent, visited_at=at(when), raised="用工、用地协调")

    for when in ("01-15", "02-15", "03-15", "05-15"):
        go(lead, e1, when)
    for when in ("03-20", "04-20", "06-20"):
        go(lead, e2, when)
    go(lead, e3, "01-20")  # not paired with e3: not counted
    for when in ("01-05", "01-25", "04-05"):
        go(county.dept_head, e3, when)
    for month in range(1, 7):
        go(county.county_head, e1, f"{month:02d}-10")
    county.enterprises = {"e1": e1, "e2": e2, "e3": e3}
    return county
