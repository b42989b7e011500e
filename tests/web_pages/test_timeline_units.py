"""A timeline line names units, never their ids: the handling unit, the unit a 退单 names and 协办 units."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from minqing.web.views import appeals as views

pytestmark = pytest.mark.django_db


def test_unit_ids_in_an_event_show_as_names(county):
    a, b = list(county.units.values())[:2]
    event = SimpleNamespace(payload={"unit": a.pk, "returned_unit": b.pk, "co_units": [a.pk, b.pk]})
    units, users = views._names([event])
    shown = " ".join(f"{k} {v}" for k, v in views._event_details(event, units, users))
    assert a.name in shown and b.name in shown
    assert str(b.pk) not in shown.replace(b.name, "").replace(a.name, "")
