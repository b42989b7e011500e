"""JSON API of this part, mounted at /api/v1/checklists/."""

from ninja import Router

router = Router(tags=["checklists"])
