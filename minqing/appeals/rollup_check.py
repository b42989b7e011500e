"""``minqing rollup check``: the figures of a place and period from the roll-ups against the same
figures from the appeals (the definitions, metric_rows), as a list of differences."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from . import metric_read, metrics


def figures(code: str, start: dt.date, end: dt.date, *, user: Any = None, raw: bool) -> dict[str, Any]:
    """What a dashboard shows from the appeal metrics: the summary, the children's rows, the trend."""
    with metric_read.raw() if raw else nullcontext():
        summary, children = metrics.summary_with_children(code, start, end, user=user)
        months = _months(start, end)
        # the dashboard's one-statement read of the same figures (metric_read.sheet) must agree too
        board = metrics.dashboard(code, start, end, user=user, months=months)
        return {
            "board.summary": board.summary.as_dict(),
            "board.children": {k: _plain(v) for k, v in board.children.items()},
            "board.trend.received": board.trend_received,
            "board.trend.closed": board.trend_closed,
            "summary": summary.as_dict(),
            "children": {k: _plain(v) for k, v in children.items()},
            "received_by_child": metrics.received_by_child(code, start, end, user=user),
            "on_spot_done": metrics.on_spot_done(code, start, end, user=user),
            "trend.received": metrics.received_by_span(code, months, user=user),
            "trend.closed": metrics.closed_in_period_by_span(code, months, user=user),
        }


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out, cursor = [], start.replace(day=1)
    while cursor <= end:
        following = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(cursor, start), min(following - dt.timedelta(days=1), end)))
        cursor = following
    return out


def _plain(value: Any) -> Any:
    from dataclasses import asdict, is_dataclass

    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else value


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    if isinstance(value, list):
        out = {}
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): value}


def differences(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> list[tuple[str, Any, Any]]:
    """(figure, from the appeals, from the roll-ups) for every figure that differs."""
    truth = _flatten(figures(code, start, end, user=user, raw=True))
    kept = _flatten(figures(code, start, end, user=user, raw=False))
    return [(k, truth.get(k), kept.get(k)) for k in sorted(set(truth) | set(kept)) if truth.get(k) != kept.get(k)]
