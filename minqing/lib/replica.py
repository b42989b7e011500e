"""A read replica for the figures: dashboards, /api/v1/metrics and the briefing read from a streaming
standby when DATABASE_REPLICA_URL is set, so a leader's year of figures does not compete with the
cadres' writes on the primary (docs/scale.md).

Only reads inside `with figures():` go to the replica, and only when:
- the alias "replica" is configured (else everything stays on "default");
- the model is not one whose answer must be current (accounts, posts, sessions, log-in throttling,
  jobs): who may see what is always decided on the primary;
- no transaction is open on "default" and nothing was written inside the block (read-your-writes:
  after a write, the standby may not have replayed it yet).
Writes always go to "default"; migrations never run on the replica (a standby is read-only).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

ALIAS = "replica"
# Apps whose rows decide authority or carry state a user just wrote: always read on the primary.
PRIMARY_ONLY = frozenset({"accounts", "auth", "contenttypes", "sessions", "axes", "otp_totp", "otp_static",
                          "django_otp", "jobs", "admin"})

_reading: ContextVar[bool] = ContextVar("minqing_replica_reading", default=False)
_wrote: ContextVar[bool] = ContextVar("minqing_replica_wrote", default=False)


def configured() -> bool:
    return ALIAS in settings.DATABASES


@contextmanager
def figures() -> Iterator[None]:
    """Reads of figures in this block may be answered by the replica (see the module's rules)."""
    reading, wrote = _reading.set(True), _wrote.set(False)
    try:
        yield
    finally:
        _reading.reset(reading)
        _wrote.reset(wrote)


def read_alias(model: Any) -> str:
    """The alias a read of `model` uses here and now."""
    if not (_reading.get() and configured()) or _wrote.get():
        return DEFAULT_DB_ALIAS
    if model._meta.app_label in PRIMARY_ONLY or _in_transaction():
        return DEFAULT_DB_ALIAS
    return ALIAS


def _in_transaction() -> bool:
    """A transaction open on the primary may hold rows the standby has not got."""
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: figures' reads to the replica, everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return ALIAS if read_alias(model) == ALIAS else None  # None: Django's usual choice (default)

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if _reading.get():
            _wrote.set(True)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != ALIAS
