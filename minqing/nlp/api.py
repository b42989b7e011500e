"""JSON API of this part, mounted at /api/v1/nlp/."""

from ninja import Router

router = Router(tags=["nlp"])
search_router = Router(tags=["nlp"])
