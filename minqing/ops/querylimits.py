"""Every query bounded: no request holds a server thread past MINQING_STATEMENT_TIMEOUT seconds.

PostgreSQL: `statement_timeout` set on the connection (settings.py, OPTIONS). SQLite has no such
setting: a progress handler, called every few thousand virtual-machine steps, interrupts the running
statement once the request's time is up. Either way the request answers 503 with "查询范围过大，请缩小
条件" (JSON for the API, a page otherwise) instead of a thread hung for minutes. Commands (imports,
rebuilds, the worker) run without the limit: cli.py sets it to 0 for them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from minqing.lib.querytimeout import QUERY_CANCELED, TOO_BROAD, is_timeout  # noqa: F401 - read here too

STEPS = 20_000  # SQLite instructions between two looks at the clock

_local = threading.local()


def _over_time() -> int:
    deadline = getattr(_local, "deadline", None)
    return 1 if deadline is not None and time.monotonic() > deadline else 0


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.set_progress_handler(_over_time, STEPS)


def answer(request: HttpRequest) -> HttpResponse:
    from minqing.web.errorpages import problem

    return problem(request, _("Query too broad"), TOO_BROAD, 503)


class QueryTimeLimit:
    """Middleware: the request's deadline for SQLite's handler; a timed-out query → 503 in Chinese."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.STATEMENT_TIMEOUT
        if limit and connection.vendor == "sqlite":
            _local.deadline = time.monotonic() + limit
        try:
            return self.get_response(request)
        finally:
            _local.deadline = None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return answer(request) if is_timeout(exception) else None
