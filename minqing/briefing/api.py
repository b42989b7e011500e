"""JSON API of this part, mounted at /api/v1/briefings/."""

from ninja import Router

router = Router(tags=["briefing"])
