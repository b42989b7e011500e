"""What a query stopped by the time limit looks like (minqing.ops.querylimits sets the limit): the API's
error handler and the pages answer it with one message. Here, below every part, so the API reads it
without importing ops (which sits above the web layer)."""

from __future__ import annotations

from django.db import OperationalError

TOO_BROAD = "查询范围过大，请缩小条件"
QUERY_CANCELED = "57014"  # PostgreSQL: statement_timeout (or a cancel)


def is_timeout(exc: BaseException) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == QUERY_CANCELED:
        return True
    return isinstance(exc, OperationalError) and str(exc) == "interrupted"
