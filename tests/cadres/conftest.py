"""Helpers for the cadres tests: the appeals tests' clock and registration, and a case awaiting its
return visit whose responsible person is a chosen cadre."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.accounts.models import Post, User
from tests.appeals import conftest as appeals_fixtures
from tests.conftest import password_hash

clock = appeals_fixtures.clock
register = appeals_fixtures.register


@pytest.fixture
def awaiting(county, register, clock):
    """A case handled by ``person`` (of the given unit), verified, awaiting its return visit."""
    from minqing.appeals import services

    def do(person, unit_key: str = "town_office", region=None):
        a = register(county.township_leader, region=region)
        a = services.do_review(a, actor=county.township_leader, decision="assign", unit=county.units[unit_key].pk,
                               person=person.pk, measures="修路", now=clock())
        a = services.do_submit_result(a, actor=person, result="已修好", now=clock())
        return services.do_verify(a, actor=county.township_leader, passed=True, now=clock())

    return do


@pytest.fixture
def person(county):
    """Another staff member with one post: person(name, unit key, role, region key)."""

    def do(name: str, unit_key: str, role: str, region_key: str) -> User:
        user = User.objects.create(username=name, display_name=name, password=password_hash())
        Post.objects.create(user=user, unit=county.units[unit_key], role=role, region=county.regions[region_key],
                            started_on=dt.date(2020, 1, 1))
        county.users[name] = user
        return user

    return do
