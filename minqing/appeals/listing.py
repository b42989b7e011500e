"""One page of an appeal list at a million rows: only the columns a list shows, keyset pages for the
deep end, and a count that never scans (exact up to EXACT_UP_TO, then an estimate said as such).
The rows come from queries.appeals_for (the jurisdiction filter); this module only pages and counts.
docs/decisions/0053-list21-appeal-list-at-scale.md."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import Appeal

# What the workbench table and the API's list rows read (never the text or the state JSON).
LIST_FIELDS = (
    "id", "number", "title", "kind", "status", "group", "level", "max_level", "region_id", "region__name",
    "category_id", "category__name", "urgency", "sensitivity", "channel", "received_at", "due_at", "due_estimated",
    "closed_at", "warning", "unit_id", "unit__name", "handler_name", "satisfaction", "supervised_by_id",
)
EXACT_UP_TO = 1000  # counted exactly up to here; past it an estimate (PostgreSQL) or "more than" (SQLite)
MAX_OFFSET = 1000  # page numbers (offsets) reach this far; deeper pages go by cursor


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICRO = dt.timedelta(microseconds=1)


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """The (received_at, id) of a row: the next page starts strictly after it in list order."""

    at: dt.datetime
    id: int

    def __str__(self) -> str:  # microseconds since 1970 and the id: exact, short, URL-safe
        return f"{(self.at - EPOCH) // MICRO}-{self.id}"

    @classmethod
    def parse(cls, value: str) -> Cursor:
        try:
            micros, pk = (int(x) for x in value.split("-"))
            return cls(EPOCH + micros * MICRO, pk)
        except (ValueError, OverflowError) as exc:
            raise BadCursor(value) from exc

    @classmethod
    def of(cls, row: Appeal | dict[str, Any]) -> Cursor:
        if isinstance(row, dict):
            return cls(row["received_at"], row["id"])
        return cls(row.received_at, row.pk)


@dataclass
class Count:
    """n is exact when `exact`; otherwise at least EXACT_UP_TO + 1 (SQLite) or the planner's estimate."""

    n: int
    exact: bool
    estimated: bool = False  # n is the planner's estimate (else a lower bound)


@dataclass
class Page:
    rows: list[Any]  # Appeals, or dicts of the columns asked for (page(values=…))
    count: Count
    next: Cursor | None = None
    prev: Cursor | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _after(c: Cursor) -> Q:
    # Written as a bounded range plus a tie-break so both databases seek the (… received_at, id) index.
    return Q(received_at__lte=c.at) & (Q(received_at__lt=c.at) | Q(id__lt=c.id))


def _before(c: Cursor) -> Q:
    return Q(received_at__gte=c.at) & (Q(received_at__gt=c.at) | Q(id__gt=c.id))


def rows(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """The list's columns only, newest first."""
    return (qs.select_related(None).select_related("region", "category", "unit").only(*LIST_FIELDS)
            .order_by("-received_at", "-id"))


def _bare(qs: QuerySet[Appeal]) -> QuerySet:
    return qs.select_related(None).order_by().values("id")


def count(qs: QuerySet[Appeal], up_to: int = EXACT_UP_TO) -> Count:
    """Counts at most up_to + 1 rows (a LIMIT subquery); past that PostgreSQL's estimate, said so."""
    bare = _bare(qs)
    return _said(bare[: up_to + 1].count(), bare, up_to)


def _said(n: int, bare: QuerySet, up_to: int) -> Count:
    if n <= up_to:
        return Count(n, exact=True)
    guess = estimate(bare)
    if guess is not None and guess > up_to:
        return Count(guess, exact=False, estimated=True)
    return Count(up_to + 1, exact=False)


# The planner's estimates of recent statements, per process: an estimate changes only when the table's
# statistics do (ANALYZE), so asking again within ESTIMATE_SECONDS for the same statement — the same
# filter and the same scope, the list re-read or paged — spares an EXPLAIN. The key is the statement
# with its parameters: a number is never shared between two scopes.
ESTIMATE_SECONDS = 60.0
_ESTIMATES: dict[tuple[str, str, tuple], tuple[float, int]] = {}
_ESTIMATES_MAX = 512


def estimate(qs: QuerySet) -> int | None:
    """The planner's row estimate (PostgreSQL); None where there is none worth showing (SQLite)."""
    conn = connections[qs.db]
    if conn.vendor != "postgresql":
        return None
    sql, params = qs.query.sql_with_params()
    key = (qs.db, sql, tuple(map(repr, params)))
    now = time.monotonic()
    hit = _ESTIMATES.get(key)
    if hit is not None and now - hit[0] < ESTIMATE_SECONDS:
        return hit[1]
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cur.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rows = int(plan[0]["Plan"]["Plan Rows"])
    if len(_ESTIMATES) >= _ESTIMATES_MAX:
        _ESTIMATES.clear()
    _ESTIMATES[key] = (now, rows)
    return rows


def page(qs: QuerySet[Appeal], *, size: int = 25, offset: int = 0, after: Cursor | None = None,
         before: Cursor | None = None, up_to: int = EXACT_UP_TO, counted: Count | None = None,
         values: tuple[str, ...] | None = None) -> Page:
    """One page: by cursor (after / before a row) or, near the start, by offset (≤ MAX_OFFSET).
    Unless `counted` is given, the capped count rides in the page's own statement (an uncorrelated
    scalar subquery: computed once, one round trip instead of two). With `values` (which must hold
    "id" and "received_at") the rows are dicts of those columns: the same statement, no model built
    per row (the API's list)."""
    listed = rows(qs)
    if counted is None:
        bare = _bare(qs)
        try:
            sql, params = bare[: up_to + 1].query.sql_with_params()
        except EmptyResultSet:  # nothing can match (a scope that reads no case): no statement at all
            counted = Count(0, exact=True)
        else:
            listed = listed.annotate(_capped=RawSQL(f"SELECT COUNT(*) FROM ({sql}) _capped", params))
    if values is not None:
        listed = listed.values(*values, *(("_capped",) if counted is None else ()))
    if after is not None:
        got = list(listed.filter(_after(after))[: size + 1])
        more_before, more_after = True, len(got) > size
        got = got[:size]
    elif before is not None:
        got = list(listed.filter(_before(before)).order_by("received_at", "id")[: size + 1])
        more_before, more_after = len(got) > size, True
        got = list(reversed(got[:size]))
    else:
        offset = max(0, min(offset, MAX_OFFSET))
        got = list(listed[offset: offset + size + 1])
        more_before, more_after = offset > 0, len(got) > size
        got = got[:size]
    if counted is None:
        if got:
            counted = _said(got[0]["_capped"] if values is not None else got[0]._capped, bare, up_to)
        elif after is None and before is None and offset == 0:
            counted = Count(0, exact=True)
        else:  # past the end: the page has no row to carry the count
            counted = count(qs, up_to)
    return Page(rows=got, count=counted,
                next=Cursor.of(got[-1]) if got and more_after else None,
                prev=Cursor.of(got[0]) if got and more_before else None)
