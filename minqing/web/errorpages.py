"""Error pages in Chinese: a body that cannot be read or is too large (400/413), a query too broad (503).

The API answers the same in JSON (minqing/api/errors.py); these are for the pages."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from minqing.api.errors import too_big_message


def problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "errors/problem.html", {"title": title, "message": message}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler400: Django's English "Bad Request (400)" in Chinese, naming the size limit when it is that."""
    if isinstance(exception, RequestDataTooBig):
        return problem(request, _("Too large"), too_big_message(), 413)
    if request.path.startswith("/api/"):
        return problem(request, _("The request could not be read"), _("The submitted content is not in a form the "
                                                                       "site can read. Reload the page and try again."),
                       400)
    return render(request, "400.html", status=400)
