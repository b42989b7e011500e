"""JSON API of the briefing, mounted at /api/v1/briefings/: the text and its figures."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from minqing.jobs import kinds
from minqing.lib import periods, replica

from . import compose

router = Router(tags=["briefing"])


class BriefingQuery(Schema):
    region: str | None = None
    period: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None


@router.get("", response=dict[str, Any], summary="The briefing of a region and period")
def briefing_compose(request, q: Query[BriefingQuery]):
    """工作简报: title, paragraphs, the table of figures and typical cases, for a region (default: one's
    own) and a period (2024-05, 2024-Q2, 2024, or from/to; default: this month). For the .docx, start a
    job: POST /api/v1/jobs {"kind": "briefing_docx", "params": {...}}."""
    region = kinds._region_for(request.user, q.region)
    period = periods.parse(q.period, q.from_, q.to)
    with replica.figures():
        b = compose.compose(region.code, period, user=request.user)
    return {"region": b.region_code, "region_name": b.region_name, "title": b.title, "subtitle": b.subtitle,
            "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
            "paragraphs": b.paragraphs, "cases": [{"title": c.title, "text": c.text} for c in b.cases],
            "table": [{"label": r.label, "value": r.value, "note": r.note} for r in b.table], "text": b.text()}
