"""GET /api/v1/audit/events: the audit trail for the audit administrator and the 纪委 (trail.py),
read-only, the same filters and the same withholding as the page; 404 for anyone else."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from minqing.api.schemas import paginate

from . import actions, trail

router = Router(tags=["audit"])


class TrailQuery(Schema):
    actor: str | None = None
    action: str | None = None
    object: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get("/events", response=dict[str, Any], summary="The audit trail (audit administrator, 纪委)")
def list_events(request, q: Query[TrailQuery]):
    if not trail.may_read(request.user):
        raise Http404
    filters, errors = trail.Filters.parse({"actor": q.actor, "action": q.action, "object": q.object,
                                           "from": q.from_, "to": q.to})
    if errors:
        raise ValidationError(errors)
    page = paginate(trail.search(request.user, filters), q.limit, q.offset)
    events = list(page["items"])
    hidden = trail.withheld(request.user, events)
    page["items"] = [{
        "stream": e.stream, "seq": e.seq, "at": e.at.isoformat(), "actor": e.actor_name, "ip": e.ip,
        "action": e.action, "label": actions.label(e.action),
        "object_type": e.object_type, "object_id": e.object_id, "region": e.region_code,
        "changes": None if e.pk in hidden else e.changes, "reason": None if e.pk in hidden else e.reason,
        "withheld": e.pk in hidden,
    } for e in events]
    return page
