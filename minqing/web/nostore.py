"""`Cache-Control: no-store` on every answer to a logged-in person or an API token: the pages and
JSON of staff show residents' personal data (households, cases, disputes, attachments), and a
shared county-office computer or a proxy must not keep a copy (等保 剩余信息保护)."""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
        return response
