"""Fixtures of the disputes tests: a dispute in a village of the small county (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from minqing.lib.workdays import TZ

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)


def two_sides(county, village: str = "a") -> list[dict]:
    return [
        {"side": 1, "kind": "resident", "resident": county.residents[f"{village}1"].pk,
         "claim": "他家的遮雨棚伸到我家院坝，下雨水全流到我家门口。"},
        {"side": 2, "kind": "household", "household": county.households[f"{village}2"].pk,
         "claim": "棚子是在自家宅基地上搭的，没有过界。"},
    ]


@pytest.fixture
def make_dispute(county):
    from minqing.disputes import services

    def do(actor=None, *, village: str = "a", kind: str = "neighbour", **extra):
        fields = dict(region=county.regions[f"village_{village}"].code, kind=kind, title="遮雨棚过界纠纷",
                      text="两户因遮雨棚是否过界发生争执。", parties=two_sides(county, village))
        fields.update(extra)
        default = county.users[f"cadre_{village}"] if village in ("a", "b") else county.county_leader
        return services.register_dispute(actor=actor or default, **fields)

    return do
