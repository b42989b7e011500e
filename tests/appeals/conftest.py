"""Fixtures of the appeals tests: a clock, a helper that registers an appeal in the small county
(tests/conftest.py `county`), and the demo county built once per module inside a transaction
that is rolled back afterwards (so other tests never see it)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from minqing.lib.workdays import TZ

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)  # a Monday


class Clock:
    """Each call moves an hour forward: workflow times never run backwards."""

    def __init__(self, start: dt.datetime = T0):
        self.t = start

    def __call__(self, hours: float = 1) -> dt.datetime:
        self.t += dt.timedelta(hours=hours)
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


_seq = itertools.count(1)


@pytest.fixture
def register(county, clock):
    from minqing.appeals import services

    def do(actor=None, *, region=None, kind="problem", **extra):
        actor = actor or county.cadre_a
        fields = dict(region=region or county.village_a.code, kind=kind, channel="visit",
                      title=f"组道路面破损{next(_seq)}", text="三组到村委会的水泥路坏了，雨天积水。",
                      reporter_name="张三", phone="13812345678")
        fields.update(extra)
        return services.register_appeal(actor=actor, now=clock(), **fields)

    return do
