"""JSON API of this part, mounted at /api/v1/field/."""

from ninja import Router

router = Router(tags=["fieldwork"])
sync_router = Router(tags=["fieldwork"])
coverage_router = Router(tags=["fieldwork"])
quotas_router = Router(tags=["fieldwork"])
