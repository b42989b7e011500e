"""The party's page (当事人查询): enter the code from the mediator's slip, see the dispute as it
concerns you (parties.view), send the mediators a message. No log-in; the code travels only in
POST bodies and the pages are never cached (as the portal's tracking page)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from minqing.portal import codes, throttle
from minqing.portal.views import no_store

from . import parties

TEMPLATE = "disputes/party.html"


def _page(request: HttpRequest, *, message: dict[str, str] | None = None) -> HttpResponse:
    code_text = request.POST.get("code", "")
    address = throttle.keyed("addr", throttle.client_address(request))
    context: dict[str, Any] = {"code": code_text, "errors": {}, "message_max": parties.MESSAGE_MAX}
    status, retry = 200, 0
    try:
        access = parties.find(code_text, address_key=address)
    except throttle.Throttled as exc:
        context["errors"] = {"form": str(exc)}
        response = render(request, TEMPLATE, context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return no_store(response)
    if access is None:
        context["errors"] = {"code": "没有找到这个查询码，请核对调解员给您的告知单（共16位，不区分大小写）。"}
        return no_store(render(request, TEMPLATE, context, status=404))
    if message is not None:
        try:
            parties.say(access, text=message["text"], term=message["term"], address_key=address)
            context["sent"] = True
        except throttle.Throttled as exc:
            context["errors"] = {"form": str(exc)}
            context["message"] = message
            status, retry = 429, exc.retry_after
        except ValidationError as exc:
            context["errors"] = {k: v[0] for k, v in exc.message_dict.items()} if hasattr(
                exc, "message_dict") else {"form": exc.messages[0]}
            context["message"] = message
            status = 400
    normal = codes.normalize(code_text)
    context.update(view=parties.view(access), code=codes.display(normal) if normal else code_text)
    response = render(request, TEMPLATE, context, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return no_store(response)


@require_http_methods(["GET", "POST"])
def look_up(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return no_store(render(request, TEMPLATE, {"errors": {}, "code": ""}))
    return _page(request)


@require_POST
def say(request: HttpRequest) -> HttpResponse:
    return _page(request, message={"text": request.POST.get("text", ""), "term": request.POST.get("term", "")})
