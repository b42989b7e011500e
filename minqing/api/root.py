"""The JSON API under /api/v1/ (django-ninja; schema at /api/v1/openapi.json)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI

from minqing.accounts.api_auth import AUTH
from minqing.api import errors
from minqing.api.docs import VendoredSwagger
from minqing.lib.regioncode import RegionCodeError

api = NinjaAPI(title="民情 minqing API", version="1", auth=AUTH, urls_namespace="api",
               docs_url="/docs", docs=VendoredSwagger())


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(f"{k}: {'，'.join(v)}" for k, v in exc.message_dict.items())
    return "；".join(exc.messages)


@api.exception_handler(ValidationError)
def on_validation(request, exc: ValidationError):
    return api.create_response(request, {"detail": _messages(exc)}, status=422)


@api.exception_handler(RegionCodeError)
def on_bad_region(request, exc: RegionCodeError):
    return api.create_response(request, {"detail": str(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_denied(request, exc: PermissionDenied):
    return api.create_response(request, {"detail": str(exc) or "无权操作"}, status=403)


@api.exception_handler(Http404)
def on_missing(request, exc: Http404):
    return api.create_response(request, {"detail": "未找到"}, status=404)


errors.install(api)  # bad requests in Chinese (minqing/api/errors.py)


def _mount() -> None:
    from minqing.accounts import api_login as auth_api
    from minqing.appeals.api import router as appeals
    from minqing.appeals.metrics_api import router as metrics_router
    from minqing.audit.api import router as audit
    from minqing.briefing.api import router as briefings
    from minqing.cadres.api import router as cadres
    from minqing.checklists.api import router as checklists
    from minqing.disputes.api import router as disputes
    from minqing.disputes.public_api import router as mediation
    from minqing.enterprises.api import router as enterprises
    from minqing.fieldwork import api as fieldwork
    from minqing.hotline.api import router as hotline
    from minqing.households.api import router as households
    from minqing.jobs.api import router as jobs
    from minqing.nlp import api as nlp
    from minqing.notices.api import router as notices
    from minqing.portal.api import router as portal
    from minqing.regions.api import router as regions
    from minqing.sysadmin.api import router as setup

    api.add_router("/auth", auth_api.router)
    api.add_router("/regions", regions)
    api.add_router("/households", households)
    api.add_router("/metrics", metrics_router)
    api.add_router("/appeals", appeals)
    api.add_router("/field", fieldwork.router)
    api.add_router("/sync", fieldwork.sync_router)
    api.add_router("/coverage", fieldwork.coverage_router)
    api.add_router("/quotas", fieldwork.quotas_router)
    api.add_router("/checklists", checklists)
    api.add_router("/enterprises", enterprises)
    api.add_router("/disputes", disputes)
    api.add_router("/nlp", nlp.router)
    api.add_router("/search", nlp.search_router)
    api.add_router("/portal/mediation", mediation)
    api.add_router("/portal", portal)
    api.add_router("/hotline", hotline)
    api.add_router("/briefings", briefings)
    api.add_router("/jobs", jobs)
    api.add_router("/cadres", cadres)
    api.add_router("/notices", notices)
    api.add_router("/audit", audit)
    api.add_router("/setup", setup)


_mount()
