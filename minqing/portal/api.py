"""Public JSON API of the residents' portal, mounted at /api/v1/portal/ (no authentication).

Same checks as the pages: a form token (GET /form-token, then wait a few seconds like a person
filling the form), a honeypot field (`website`, must stay empty), per-address limits on letters,
per-address and per-code limits on look-ups (HTTP 429 with Retry-After and a Chinese message).
The tracking code only ever travels in a POST body, never in a URL path: a URL ends up in access logs."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from . import codes, progress, services, throttle

router = Router(tags=["portal"])


class PlaceOut(Schema):
    code: str
    name: str
    level: int


class PortalFormTokenOut(Schema):
    token: str
    min_seconds: float


class SentOut(Schema):
    code: str
    stage: str
    message: str


class PortalTrackIn(Schema):
    code: str


class RatingIn(Schema):
    code: str
    satisfaction: str
    comment: str = ""


def throttled_response(exc: throttle.Throttled) -> JsonResponse:
    response = JsonResponse({"detail": str(exc), "retry_after": exc.retry_after}, status=429,
                            json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(exc.retry_after)
    return response


def _address(request: HttpRequest) -> str:
    return throttle.keyed("addr", throttle.client_address(request))


def _no_store(response: Any) -> Any:
    response["Cache-Control"] = "no-store"
    return response


@router.get("/places", auth=None, response=list[PlaceOut], summary="Places one may write to")
def portal_places(request: HttpRequest, parent: str = ""):
    """Without `parent`: the counties served; with a county or township code: the places one level down."""
    rows = services.children(parent) if parent else services.served_counties()
    return [{"code": r.code, "name": r.name, "level": r.level} for r in rows]


@router.get("/form-token", auth=None, response=PortalFormTokenOut, summary="A form token for one letter")
def portal_form_token(request: HttpRequest):
    return {"token": services.form_token(), "min_seconds": services.min_fill_seconds()}


def _letter_payload(request: HttpRequest) -> tuple[dict[str, Any], Any]:
    if (request.content_type or "").startswith("multipart/") or request.content_type == \
            "application/x-www-form-urlencoded":
        return request.POST.dict(), request.FILES.get("photo")
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationError("请求内容不是有效的JSON") from exc
    if not isinstance(data, dict):
        raise ValidationError("请求内容应为JSON对象")
    return data, None


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() in {"1", "true", "yes", "on"}


@router.post("/letters", auth=None, response={201: SentOut}, summary="Send a letter",
             openapi_extra={"requestBody": {"content": {
                 "application/json": {"schema": {"type": "object", "required": ["region", "kind", "title", "text",
                                                                               "token"], "properties": {
                     "region": {"type": "string", "description": "12-digit code of the county, township or village"},
                     "kind": {"type": "string", "enum": sorted(services.KIND_VALUES)},
                     "title": {"type": "string"}, "text": {"type": "string"}, "category": {"type": "string"},
                     "anonymous": {"type": "boolean"}, "name": {"type": "string"}, "phone": {"type": "string"},
                     "sms_code": {"type": "boolean", "description": "also send the tracking code by SMS"},
                     "token": {"type": "string", "description": "from GET /form-token"},
                     "website": {"type": "string", "description": "honeypot: leave empty"}}}},
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "photo": {"type": "string", "format": "binary"}}}}}}})
def portal_submit_letter(request: HttpRequest):
    """The same fields as the page (JSON, or multipart with an optional `photo`). The answer holds the
    tracking code: it is shown this once and never stored in clear."""
    data, photo = _letter_payload(request)
    letter = services.LetterIn(
        region=str(data.get("region", "")), kind=str(data.get("kind", "")), title=str(data.get("title", "")),
        text=str(data.get("text", "")), category=str(data.get("category", "") or ""),
        anonymous=_flag(data.get("anonymous", False)), name=str(data.get("name", "") or ""),
        phone=str(data.get("phone", "") or ""), sms_code=_flag(data.get("sms_code", False)))
    try:
        sent = services.submit_letter(letter, photo=photo, address_key=_address(request),
                                      token=str(data.get("token", "")), honeypot=str(data.get("website", "") or ""))
    except throttle.Throttled as exc:
        return throttled_response(exc)
    return 201, {"code": codes.display(sent.code), "stage": "received",
                 "message": "来信已收到。请记下跟踪码：它只显示这一次。"}


def _progress(request: HttpRequest, code: str):
    try:
        letter = services.find_letter(code, address_key=_address(request))
    except throttle.Throttled as exc:
        return None, _no_store(throttled_response(exc))
    if letter is None:
        return None, _no_store(JsonResponse({"detail": "没有找到这个跟踪码"}, status=404,
                                            json_dumps_params={"ensure_ascii": False}))
    return letter, None


def _answer(letter) -> JsonResponse:
    return _no_store(JsonResponse(progress.public_progress(letter).as_dict(),
                                  json_dumps_params={"ensure_ascii": False}))


@router.post("/track", auth=None, summary="Progress of a letter by its code (code in the body)")
def portal_track_by_body(request: HttpRequest, body: PortalTrackIn):
    letter, refused = _progress(request, body.code)
    return refused or _answer(letter)


@router.post("/track/rating", auth=None, summary="Rate the outcome, once (code in the body)")
def portal_rate(request: HttpRequest, body: RatingIn):
    letter, refused = _progress(request, body.code)
    if refused:
        return refused
    try:
        services.rate(letter, satisfaction=body.satisfaction, comment=body.comment, address_key=_address(request))
    except throttle.Throttled as exc:
        return throttled_response(exc)
    return _answer(letter)
