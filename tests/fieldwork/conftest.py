"""Helpers for the field-work tests: fixed times inside a past month, so the figures are exact."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone


def at(day: str, hour: int = 10) -> dt.datetime:
    """An aware datetime in the county's time zone."""
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def cid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def aged_county(county):
    """The small county with households registered long ago (so past periods have them in scope)."""
    from minqing.households.models import Household

    Household.objects.update(created_at=at("2024-01-01"))
    return county
