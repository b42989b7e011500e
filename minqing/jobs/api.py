"""JSON API of this part, mounted at /api/v1/jobs/."""

from ninja import Router

router = Router(tags=["jobs"])
