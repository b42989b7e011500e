"""The cases a figure counts, from the metric definitions themselves (metric_rows): each list is a
metric's row filter narrowed by the Q of the count it opens, so 办结率, 按期办结率, 解决率, 积案 …
open exactly the cases they count (one definition per rule, issue 13). The dashboards' drill-down
lists (dashboards.lists) read them; tests/dashboards checks each list's length against its figure.

The rows are the countable cases of the subtree without the figure scope (``user=None``): a list
shows records, so its caller narrows them with ``jurisdiction.visible``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, QuerySet

from . import workflow as wf
from .metric_rows import (
    _backlog_rows,
    _closed_filters,
    _closed_rows,
    _due_filters,
    _due_rows,
    _received_filters,
    _received_rows,
    _spot_rows,
    _visit_rows,
)
from .models import Appeal

Rows = Callable[[str, dt.datetime, dt.datetime], QuerySet]


def _received(name: str) -> Rows:
    return lambda code, low, high: _received_rows(code, low, high, None).filter(_received_filters(high)[name])


def _due(name: str) -> Rows:
    return lambda code, low, high: _due_rows(code, low, high, None).filter(_due_filters(high)[name])


def _closed(name: str) -> Rows:
    return lambda code, low, high: _closed_rows(code, low, high, None).filter(_closed_filters()[name])


def _answered(code: str, low: dt.datetime, high: dt.datetime) -> QuerySet:
    """满意率's base as cases: an answered return visit in the period, or the word given on the spot."""
    visits = _visit_rows(code, low, high, None).values("appeal_id")
    spot = _spot_rows(code, low, high, None).values("pk")
    return Appeal.objects.filter(Q(pk__in=visits) | Q(pk__in=spot))


def _backlog(code: str, low: dt.datetime, high: dt.datetime) -> QuerySet:
    return _backlog_rows(code, high, None, (wf.Kind.PETITION.value,))


# figure → its rows. The names are those of the counts in metric_rows (``closed_in_period`` is the
# ``closed`` count of the cases closed in the period, ``closed`` that of the cases due).
FIGURES: dict[str, Rows] = {
    **{name: _received(name) for name in ("received", "responded", "on_spot", "assigned", "assigned_done",
                                          "to_township", "to_county")},
    **{name: _due(name) for name in ("due", "closed", "on_time")},
    "closed_in_period": _closed("closed"),
    "solved": _closed("solved"),
    "explained": _closed("explained"),
    "answered": _answered,
    "backlog": _backlog,
}


def cases(figure: str, region_code: str, low: dt.datetime, high: dt.datetime) -> QuerySet:
    """The countable cases of the subtree counted by ``figure`` over [low, high) (KeyError if unknown)."""
    return FIGURES[figure](region_code, low, high)
