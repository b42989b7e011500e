"""JSON API of this part, mounted at /api/v1/disputes/."""

from ninja import Router

router = Router(tags=["disputes"])
