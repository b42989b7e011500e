"""Who reads the audit trail, and what of it (等保 三权分立: the audit administrator reads the trail
and nothing else; the 纪委 reads it for its place).

Who may read which events is decided by role, so the part that defines roles (accounts, above
audit) registers that decision here (`register_readers`; accounts.trail_readers): the auditor reads
the counties their post covers and the system-wide stream, the 纪委 its place, nobody else — not a
superuser either. Audit imports no part above it (docs/decisions/0044-core-layering.md).

The trail holds no personal data in clear (events are masked when written), but the content of an
event about a 举报 or a family case (its changes and reason) is shown only to someone who may see that
case; the others see that it happened, who did it and when.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from minqing.lib.workdays import TZ

from .models import Event

Readers = Callable[[Any], Q | None]  # (user) → the events they may read, or None: the trail is not theirs
_readers: list[Readers] = []


def register_readers(readers: Readers) -> None:
    """The part that defines roles (accounts) says who reads which events; one decision, set once."""
    _readers[:] = [readers]


def trail_q(user: Any) -> Q | None:
    """The events this user may read, or None when the audit trail is not theirs to read."""
    if not _readers:
        raise LookupError("no readers of the audit trail registered: minqing.accounts must be installed")
    return _readers[0](user)


def may_read(user: Any) -> bool:
    return trail_q(user) is not None


@dataclass
class Filters:
    actor: str = ""
    action: str = ""
    object: str = ""  # "12", "appeals.appeal", or "appeals.appeal:12"
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @classmethod
    def parse(cls, data: Any) -> tuple[Filters, list[str]]:
        errors: list[str] = []

        def day(name: str, label: str) -> dt.date | None:
            raw = (data.get(name) or "").strip()
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                errors.append(f"{label}“{raw}”不是日期（例：2026-12-01）")
                return None

        f = cls(actor=(data.get("actor") or "").strip()[:150], action=(data.get("action") or "").strip()[:64],
                object=(data.get("object") or "").strip()[:82], date_from=day("from", "起始日期"),
                date_to=day("to", "截止日期"))
        if f.date_from and f.date_to and f.date_from > f.date_to:
            errors.append("起始日期晚于截止日期")
        return f, errors

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in {"actor": self.actor, "action": self.action, "object": self.object,
                                  "from": self.date_from.isoformat() if self.date_from else "",
                                  "to": self.date_to.isoformat() if self.date_to else ""}.items() if v}


def search(user: Any, f: Filters) -> QuerySet:
    """The events this user may read that match the filters, newest first."""
    scope = trail_q(user)
    if scope is None:
        return Event.objects.none()
    qs = Event.objects.filter(scope)
    if f.actor:
        qs = qs.filter(Q(actor_name__icontains=f.actor) | Q(actor__display_name__icontains=f.actor))
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.object:
        kind, _, pk = f.object.rpartition(":") if ":" in f.object else ("", "", f.object)
        if not kind and not pk.isdigit():
            kind, pk = pk, ""
        if kind:
            qs = qs.filter(object_type=kind)
        if pk:
            qs = qs.filter(object_id=pk)
    if f.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(f.date_from, dt.time.min, TZ))
    if f.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, TZ))
    return qs.select_related("actor").order_by("-at", "-id")


Withhold = Callable[[Any, set[int]], set[int]]  # (user, object ids) → the ids whose content is not theirs
_withholders: dict[str, Withhold] = {}


def register_withholding(object_type: str, hidden: Withhold) -> None:
    """A part whose records may be narrower than their place (appeals: 举报, family cases) says which of
    its objects' events keep their content from a reader; audit imports no such part."""
    _withholders[object_type] = hidden


def withheld(user: Any, events: list[Event]) -> set[int]:
    """Ids of the events whose content this user may not read: those of 举报 and family cases the
    user cannot see."""
    out: set[int] = set()
    for object_type, hidden in _withholders.items():
        mine = [e for e in events if e.object_type == object_type and e.object_id.isdigit()]
        if not mine:
            continue
        narrow = hidden(user, {int(e.object_id) for e in mine})
        out |= {e.pk for e in mine if int(e.object_id) in narrow}
    return out
