"""JSON API of this part, mounted at /api/v1/dashboards/."""

from ninja import Router

router = Router(tags=["dashboards"])
