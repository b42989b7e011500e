"""Creation keyed by an offline client's `client_id`, safe under simultaneous requests.

Two requests carrying the same client_id can both find nothing and both insert; on PostgreSQL the
second waits on the unique index until the first commits and then fails. The insert runs in a
savepoint, so that failure rolls back only this attempt and the request answers with the row the
first one stored — the same answer a later resend gets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

T = TypeVar("T")

TAKEN = "该记录编号（client_id）已被其他用户使用，请重新生成后提交"


def create_once(create: Callable[[], T], existing: Callable[[], T | None]) -> T:
    """`create()` in a savepoint; on a unique violation, what `existing()` finds (else the error)."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


def check_owner(owner_id: int | None, user: object) -> None:
    """A client_id replayed by another user must not hand them the first user's record."""
    if owner_id is not None and owner_id != getattr(user, "pk", None):
        raise ValidationError(TAKEN)
