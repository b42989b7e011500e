"""The party's JSON API, mounted at /api/v1/portal/mediation (no authentication): the same view and
message as the page /portal/mediation/, the code in the body only, the portal's limits (HTTP 429
with Retry-After and a Chinese message)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from minqing.portal import throttle
from minqing.portal.api import throttled_response

from . import parties

router = Router(tags=["portal"])


class MediationCodeIn(Schema):
    code: str


class MessageIn(Schema):
    code: str
    text: str
    term: int | None = None


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _refused(exc: throttle.Throttled) -> JsonResponse:
    response = throttled_response(exc)
    response["Cache-Control"] = "no-store"
    return response


def _find(request: HttpRequest, code: str):
    address = throttle.keyed("addr", throttle.client_address(request))
    try:
        access = parties.find(code, address_key=address)
    except throttle.Throttled as exc:
        return None, address, _refused(exc)
    if access is None:
        return None, address, _json({"detail": "没有找到这个查询码，请核对调解员给您的告知单。"}, 404)
    return access, address, None


@router.post("", auth=None, summary="A dispute as one party may see it (code in the body)")
def mediation_view(request: HttpRequest, body: MediationCodeIn):
    access, _address, refused = _find(request, body.code)
    return refused or _json(parties.view(access).as_dict())


@router.post("/messages", auth=None, response={201: dict}, summary="A party's message to the mediators")
def mediation_message(request: HttpRequest, body: MessageIn):
    access, address, refused = _find(request, body.code)
    if refused:
        return refused
    try:
        parties.say(access, text=body.text, term=body.term, address_key=address)
    except throttle.Throttled as exc:
        return _refused(exc)
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "message_dict") else exc.messages
        return _json({"detail": "；".join(messages)}, 422)
    return _json(parties.view(access).as_dict(), 201)
