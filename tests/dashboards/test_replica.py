"""The read replica's router (minqing/lib/replica.py): which alias a read or write uses."""

from __future__ import annotations

import pytest
from django.db import transaction

from minqing.lib import replica


@pytest.fixture
def with_replica(monkeypatch):
    """A configured replica, outside any transaction (pytest-django wraps each test in one)."""
    monkeypatch.setattr(replica, "configured", lambda: True)
    monkeypatch.setattr(replica, "_in_transaction", lambda: False)


@pytest.fixture
def answers(monkeypatch):
    """Every read the router decides, as (app_label, alias it chose); Django is told None (default),
    so the test database answers."""
    seen: list[tuple[str, str]] = []
    original = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        chosen = original(self, model, **hints)
        seen.append((model._meta.app_label, chosen or "default"))
        return None

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    return seen


def test_the_router_is_installed():
    import os

    from django.conf import settings

    assert "minqing.lib.replica.ReplicaRouter" in settings.DATABASE_ROUTERS
    if os.environ.get("DATABASE_REPLICA_URL"):  # the alias the setting adds; tests use default's database
        assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"


def test_a_figure_read_uses_the_replica(with_replica):
    from minqing.appeals.models import Appeal

    router = replica.ReplicaRouter()
    with replica.figures():
        assert router.db_for_read(Appeal) == "replica"
    assert router.db_for_read(Appeal) is None  # outside the block: the primary


def test_authority_is_read_on_the_primary(with_replica):
    from minqing.accounts.models import User

    with replica.figures():
        assert replica.read_alias(User) == "default"


def test_writes_always_go_to_the_primary_and_pin_later_reads(with_replica):
    from minqing.appeals.models import Appeal

    router = replica.ReplicaRouter()
    with replica.figures():
        assert router.db_for_read(Appeal) == "replica"
        assert router.db_for_write(Appeal) == "default"
        assert router.db_for_read(Appeal) is None  # read-your-writes: the standby may lag
    with replica.figures():  # a new block starts unpinned
        assert router.db_for_read(Appeal) == "replica"
    assert router.db_for_write(Appeal) == "default"


@pytest.mark.django_db
def test_a_read_inside_a_transaction_stays_on_the_primary(monkeypatch):
    from minqing.appeals.models import Appeal

    monkeypatch.setattr(replica, "configured", lambda: True)
    with transaction.atomic(), replica.figures():
        assert replica.read_alias(Appeal) == "default"


def test_without_a_replica_everything_stays_on_default(monkeypatch):
    from django.conf import settings

    from minqing.appeals.models import Appeal

    monkeypatch.setattr(replica, "_in_transaction", lambda: False)
    monkeypatch.delitem(settings.DATABASES, "replica", raising=False)  # no DATABASE_REPLICA_URL
    assert not replica.configured()
    with replica.figures():
        assert replica.ReplicaRouter().db_for_read(Appeal) is None


def test_migrations_never_run_on_the_replica():
    router = replica.ReplicaRouter()
    assert router.allow_migrate("replica", "appeals") is False
    assert router.allow_migrate("default", "appeals") is True


@pytest.mark.django_db
def test_the_dashboard_reads_its_figures_from_the_replica(county, login, with_replica, answers):
    response = login(county.county_leader).get(f"/dashboards/{county.county.code}/?period=2024-05")
    assert response.status_code == 200
    assert ("appeals", "replica") in answers
    assert ("accounts", "replica") not in answers


@pytest.mark.django_db
def test_the_metrics_api_and_briefing_read_from_the_replica(county, login, with_replica, answers):
    client = login(county.county_leader)
    assert client.get(f"/api/v1/metrics?region={county.county.code}&period=2024-05").status_code == 200
    assert ("appeals", "replica") in answers
    answers.clear()
    assert client.get(f"/briefings/?region={county.county.code}&period=2024-05").status_code == 200
    assert ("appeals", "replica") in answers


@pytest.mark.django_db
def test_a_page_that_is_not_figures_reads_the_primary(county, login, with_replica, answers):
    response = login(county.county_leader).get("/appeals/")
    assert response.status_code == 200
    assert answers and all(alias == "default" for _, alias in answers)
