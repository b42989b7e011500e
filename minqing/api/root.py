"""The JSON API under /api/v1/ (django-ninja; schema at /api/v1/openapi.json)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI

from minqing.api.auth import AUTH

api = NinjaAPI(title="民情 minqing API", version="1", auth=AUTH, urls_namespace="api",
               docs_url="/docs")


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.message_dict.items())
    return "；".join(exc.messages)


@api.exception_handler(ValidationError)
def on_validation(request, exc: ValidationError):
    return api.create_response(request, {"detail": _messages(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)


@api.exception_handler(Http404)
def on_missing(request, exc: Http404):
    return api.create_response(request, {"detail": "未找到"}, status=404)


def _mount() -> None:
    from minqing.api import auth_api
    from minqing.appeals.metrics_api import router as metrics_router
    from minqing.households.api import router as households
    from minqing.regions.api import router as regions

    api.add_router("/auth", auth_api.router)
    api.add_router("/regions", regions)
    api.add_router("/households", households)
    api.add_router("/metrics", metrics_router)
    try:
        from minqing.appeals.api import router as appeals
    except ImportError:
        return
    api.add_router("/appeals", appeals)


_mount()
