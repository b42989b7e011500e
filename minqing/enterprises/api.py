"""JSON API of this part, mounted at /api/v1/enterprises/."""

from ninja import Router

router = Router(tags=["enterprises"])
