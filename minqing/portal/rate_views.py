"""The rating page reached from the return-visit SMS (rating.py): GET shows it, POST rates. No login:
the signed token in the path is the only key; the page is sent with Cache-Control: no-store."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from minqing.appeals import workflow as wf

from . import rating, services, throttle
from .views import _errors, no_store


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    context: dict[str, Any] = {"token": token, "errors": {}, "form": {}, "comment_max": services.COMMENT_MAX,
                               "levels": [(s.value, label) for s, label in wf.SATISFACTION_ZH.items()]}
    status, retry = 200, 0
    if request.method == "POST":
        form = {"satisfaction": request.POST.get("satisfaction", ""), "comment": request.POST.get("comment", ""),
                "cadre_satisfaction": request.POST.get("cadre_satisfaction", "")}
        try:
            rating.rate(token, **form, address_key=throttle.keyed("addr", throttle.client_address(request)))
            context["thanks"] = True
        except throttle.Throttled as exc:
            context["errors"] = {"form": str(exc)}
            status, retry = 429, exc.retry_after
        except ValidationError as exc:
            context["errors"], context["form"], status = _errors(exc), form, 400
    try:
        context["page"] = rating.page_of(rating.report_of(token))
    except ValidationError as exc:
        context["errors"] = {"form": exc.messages[0]}
        status = 404
    response = render(request, "portal/rate.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(retry)
    return no_store(response)
