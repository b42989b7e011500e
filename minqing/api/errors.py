"""The API's answers to bad requests, in Chinese JSON, never a 500 or an English page:

- a wrong type or a missing field (ninja/pydantic)   → 422, field named in Chinese
- a body that is not JSON                            → 400
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE            → 413
- a number too large for the database, offset < 0    → 400
- a query stopped by the statement time limit        → 503 "查询范围过大，请缩小条件"
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DataError, OperationalError
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from minqing.lib import querytimeout as querylimits

from . import messages

NOT_JSON = "请求内容不是有效的 JSON"
OUT_OF_RANGE = "数值超出允许的范围"
BAD_CONTENT = "内容含有无法保存的字符（如空字符）或超出范围的数值"
HTTP_ERRORS = {"Cannot parse request body": NOT_JSON, "CSRF check Failed": "CSRF 校验失败，请刷新页面后重试"}


class BadRequest(Exception):
    """A request that cannot be answered as asked (HTTP 400), with its Chinese reason."""


def too_big_message() -> str:
    return f"提交的内容太大（上限 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024:.1f} MB），请缩小后重试"


def install(api: NinjaAPI) -> None:
    def reply(request, detail: str, status: int, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(NinjaValidationError)
    def on_invalid(request, exc: NinjaValidationError):
        detail, items = messages.describe(exc.errors)
        if any(e.get("type") in ("json_invalid", "json_type") for e in exc.errors):
            return reply(request, NOT_JSON, 400, errors=items)
        return reply(request, detail, 422, errors=items)

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        return reply(request, HTTP_ERRORS.get(exc.message, exc.message), exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc: RequestDataTooBig):
        return reply(request, too_big_message(), 413)

    @api.exception_handler(BadRequest)
    def on_bad_request(request, exc: BadRequest):
        return reply(request, str(exc), 400)

    @api.exception_handler(OverflowError)
    def on_overflow(request, exc: OverflowError):
        return reply(request, OUT_OF_RANGE, 400)

    @api.exception_handler(DataError)
    def on_data_error(request, exc: DataError):
        return reply(request, BAD_CONTENT, 400)

    @api.exception_handler(OperationalError)
    def on_operational(request, exc: OperationalError):
        if querylimits.is_timeout(exc):
            return reply(request, querylimits.TOO_BROAD, 503)
        raise exc
