"""The cases behind a dashboard figure. The rows come from the metric definitions themselves
(minqing.appeals.metric_cases, built on metric_rows), so a number counted on closure dates or
deadlines (办结率, 按期办结率, 解决率, 积案 …) opens exactly the cases it counts; this module only
names the lists and narrows them to what the user may read.

Lists show records, so they are narrowed with ``jurisdiction.visible`` (not the figure scope): a
department that sees its county's numbers sees here only the cases its posts may read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from minqing.appeals import metric_cases, metrics
from minqing.lib.periods import Period
from minqing.regions import jurisdiction

# figure → the label naming what the list holds (the rows: metric_cases.FIGURES).
FIGURES: dict[str, tuple[Any]] = {
    "received": (pgettext_lazy("dashboards", "Appeals received"),),
    "responded": (pgettext_lazy("dashboards", "Responded to in time"),),
    "due": (pgettext_lazy("dashboards", "Due for closure"),),
    "closed": (pgettext_lazy("dashboards", "Due for closure and closed"),),
    "on_time": (pgettext_lazy("dashboards", "Closed by their deadline"),),
    "closed_in_period": (pgettext_lazy("dashboards", "Closed in the period"),),
    "solved": (pgettext_lazy("dashboards", "Closed and solved in the period"),),
    "explained": (pgettext_lazy("dashboards", "Policy explanations"),),
    "answered": (pgettext_lazy("dashboards", "Cases with an answered return visit"),),
    "on_spot": (pgettext_lazy("dashboards", "Solved on the spot"),),
    "assigned": (pgettext_lazy("dashboards", "With a deadline"),),
    "assigned_done": (pgettext_lazy("dashboards", "With a deadline, done"),),
    "to_township": (pgettext_lazy("dashboards", "Sent to the township"),),
    "to_county": (pgettext_lazy("dashboards", "Sent to the county"),),
    "backlog": (pgettext_lazy("dashboards", "Petition backlog at the period's end"),),
}
assert set(FIGURES) == set(metric_cases.FIGURES), "every list names a metric's rows"


def cases(figure: str, region_code: str, period: Period, user: Any) -> QuerySet:
    """The visible cases counted by ``figure`` for the region subtree and period."""
    if figure not in FIGURES:
        raise KeyError(figure)
    low, high = metrics.bounds(period.start, period.end)
    qs = metric_cases.cases(figure, region_code, low, high)
    return (jurisdiction.visible(user, qs).select_related("region", "category", "unit")
            .order_by("-received_at", "-id"))
