"""JSON API of this part, mounted at /api/v1/portal/."""

from ninja import Router

router = Router(tags=["portal"])
