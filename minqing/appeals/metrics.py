"""The metrics of docs/domain.md, computed in SQL for any region subtree and period.

Every function takes ``(region_code, start, end, *, user=None)``: ``start``/``end`` are dates,
both inclusive, read in the county's time zone (settings.TIME_ZONE). Rows are restricted to the
region subtree (jurisdiction.region_q) and, when ``user`` is given, to what the user may see as
figures (jurisdiction.figure_q: departments see their region's numbers without the records).
Merged cases (group ``merged``) never count; soft-deleted cases never count.

Definitions (docs/domain.md "Metrics"; the county may re-weight, these are the defaults):
- received: cases whose ``received_at`` falls in the period.
- 响应率: received cases with ``responded_at`` set and not after ``response_due_at`` (a case with
  no response limit counts when it was responded to at all) ÷ received.
- 应结案 (due for closure): cases with a deadline (``due_at``) that falls in the period, plus
  cases with a deadline closed in the period ahead of it. 办结率 = those closed by the period's
  end ÷ due; 按期办结率 = those closed by their deadline ÷ due. Cases with no deadline (solved on
  the spot, explained) are not "due": they show in 立行立改 and 解决率.
- 解决率: cases closed in the period in group ``solved`` ÷ cases closed in the period (any closed
  group). 政策解答 (status ``explained``) is in the denominator, never in the numerator, and is
  reported apart.
- 满意率: (满意 + w·基本满意) ÷ answered return visits in the period (``ReturnVisit`` rows with a
  satisfaction), plus the resident's word given on the spot for cases solved on the spot that
  have no return-visit row (so a services layer that writes either form is counted once).
- 立行立改 / 限期整改: received cases whose triage is solve_on_spot / assign; "done" = the
  latter closed by the period's end.
- 积案存量: open petitions at the period's end older than their limit: deadline passed, or, not
  yet given a deadline, received more than 15 + 60 days before (信访工作条例). Compared with the
  same day one year earlier.
- funnel: received cases (found) → escalated and reached the township → escalated and reached
  the county (an ``escalate`` AppealEvent exists, and ``max_level``), as cases and as distinct
  households (cases with no household count as cases only).

Each metric is written once, as a row filter and named counts (the ``_*_rows`` / ``_*_counts``
pairs). The per-region functions aggregate them over one subtree; the grouped variants count the
same rows per child place (``*_by_child``, ``by_child``, ``summary_with_children``: one GROUP BY on
the code prefix instead of one query per place) or per month (``*_by_span``), so a county dashboard
costs a fixed number of queries (docs/decisions/0013-dashboard-at-scale.md).

The definitions live in metric_rows, the values in metric_values, the per-region functions in
metric_totals and the grouped ones in metric_groups; this module is the one name the other parts
import.
"""

from minqing.lib.periods import bounds

from .metric_groups import (
    Board,
    backlog_at_by_child,
    backlog_by_child,
    by_child,
    child_codes,
    closed_in_period_by_child,
    closed_in_period_by_span,
    dashboard,
    due_for_closure_by_child,
    received_by_child,
    received_by_span,
    satisfaction_counts_by_child,
    summary_with_children,
)
from .metric_rows import (
    ANSWERED,
    BASIC,
    CLOSED_GROUPS,
    LONG_PERIOD,
    MERGED,
    OPEN_GROUPS,
    PETITION_LIMIT_DAYS,
    SATS,
    SOLVED,
    UNSATS,
    UPPER_LEVELS,
    _unindexed_dates,
    appeals,
    scope_q,
)
from .metric_totals import (
    backlog,
    backlog_at,
    by_category,
    by_group,
    closed_in_period,
    closure_rate,
    county_summary,
    due_for_closure,
    escalation_funnel,
    on_spot_done,
    on_time_rate,
    received,
    resolution_rate,
    response_rate,
    satisfaction_counts,
    satisfaction_rate,
)
from .metric_values import Backlog, ChildFigures, CountySummary, Funnel, Rate

__all__ = [
    "Board", "dashboard",
    "Backlog", "ChildFigures", "CountySummary", "Funnel", "Rate", "backlog", "backlog_at", "backlog_at_by_child",
    "backlog_by_child", "bounds", "by_category", "by_child", "by_group", "child_codes", "closed_in_period",
    "closed_in_period_by_child", "closed_in_period_by_span", "closure_rate", "county_summary", "due_for_closure",
    "due_for_closure_by_child", "escalation_funnel", "on_spot_done", "on_time_rate", "received", "received_by_child",
    "received_by_span", "resolution_rate", "response_rate", "satisfaction_counts", "satisfaction_counts_by_child",
    "satisfaction_rate", "summary_with_children",
    # constants and helpers the other parts read
    "ANSWERED", "BASIC", "CLOSED_GROUPS", "LONG_PERIOD", "MERGED", "OPEN_GROUPS", "PETITION_LIMIT_DAYS", "SATS",
    "SOLVED", "UNSATS",
    "UPPER_LEVELS", "_unindexed_dates", "appeals", "scope_q",
]

