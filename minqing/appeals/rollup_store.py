"""Keeping the roll-up tables (minqing.appeals.rollups): the delta of each service change, and the
rebuild from raw rows.

The services change appeals in one atomic function each (services.py, transition.py, intake.py,
reclassify.py, bulk.py). Each locks the rows first (``transition.lock`` → ``watch``: the facts as
they were) and tells the parts above last (``transition.notify`` → ``settle``: the facts as they are
now; the difference of the two contributions goes into the tables in the same transaction). A write
after the notice (the ReturnVisit row of 回访) settles again (``refresh``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction

from minqing.lib.rows import spans

from . import rollups
from .models import Appeal, AppealEvent, CoUnit, ReturnVisit
from .rollup_models import AppealRollup, AppealRollupHousehold, AppealRollupUp
from .rollups import Contribution, Facts

FIELDS = ("pk", "region_id", "channel", "sensitivity", "kind", "category_id", "group", "status", "triage",
          "received_at", "responded_at", "response_due_at", "due_at", "closed_at", "max_level", "household_id",
          "satisfaction", "deleted_at", "unit_id", "closed_on_time")
EVENTS = ("escalate", "return", *rollups.RECEIPTS)  # the events the figures read


def _facts(row: tuple, extra: _Extra) -> Facts:
    (pk, region, channel, sensitivity, kind, category, group, status, triage, received, responded, response_due,
     due, closed, max_level, household, satisfaction, deleted, unit, on_time) = row
    return Facts(region=region, channel=channel, hidden=sensitivity == "misconduct", kind=kind,
                 category_id=category, group=group, status=status, triage=triage, received_at=received,
                 responded_at=responded, response_due_at=response_due, due_at=due, closed_at=closed,
                 max_level=max_level, escalated=pk in extra.escalated, household_id=household,
                 satisfaction=satisfaction, visits=tuple(sorted(extra.visits.get(pk, ()))),
                 counted=deleted is None and group != rollups.wf.Group.MERGED.value, alive=deleted is None,
                 unit_id=unit, closed_on_time=on_time, unit_events=tuple(sorted(extra.units.get(pk, ()))),
                 co_parts=tuple(sorted(extra.co.get(pk, ()))))


class _Extra:
    """The rows beside the appeals that the figures read, for a set of appeals."""

    def __init__(self) -> None:
        self.escalated: set[int] = set()
        self.visits: dict[int, list] = {}
        self.units: dict[int, list] = {}
        self.co: dict[int, list] = {}

    def read(self, ids: list[int]) -> _Extra:
        for appeal, action, at, payload in (AppealEvent.objects.filter(appeal_id__in=ids, action__in=EVENTS)
                                            .values_list("appeal_id", "action", "at", "payload")):
            if action == "escalate":
                self.escalated.add(appeal)
            elif (counted := rollups.unit_event(action, payload)) is not None:
                self.units.setdefault(appeal, []).append((at, *counted))
        for appeal, at, answer in (ReturnVisit.objects.filter(appeal_id__in=ids)
                                   .values_list("appeal_id", "at", "satisfaction")):
            self.visits.setdefault(appeal, []).append((at, answer))
        for appeal, unit, answered, due in (CoUnit.objects.filter(appeal_id__in=ids, answered_at__isnull=False)
                                            .values_list("appeal_id", "unit_id", "answered_at", "due_at")):
            self.co.setdefault(appeal, []).append((answered, unit, due is not None and answered <= due))
        return self


def facts_of(pks: Iterable[int]) -> dict[int, Facts | None]:
    """The facts of these appeals as the database holds them now (None: no such row)."""
    ids = sorted(set(pks))
    out: dict[int, Facts | None] = dict.fromkeys(ids)
    if not ids:
        return out
    extra = _Extra().read(ids)
    for row in Appeal.objects.filter(pk__in=ids).values_list(*FIELDS):
        out[row[0]] = _facts(row, extra)
    return out


def facts_new(a: Appeal, events: Iterable[tuple[str, dt.datetime, Any]]) -> Facts:
    """``facts_of`` of an appeal just created in bulk, from what is in hand: its columns and its events
    ((action, at, stored payload) each); a bulk import writes no return-visit or 协办 rows. Equal to
    what ``facts_of`` reads back after the write (tests/ledgers_metrics/test_import_scale.py)."""
    extra = _Extra()
    for action, at, payload in events:
        if action == "escalate":
            extra.escalated.add(a.pk)
        elif action in EVENTS and (counted := rollups.unit_event(action, payload)) is not None:
            extra.units.setdefault(a.pk, []).append((at, *counted))
    return _facts(tuple(getattr(a, n) for n in _ATTRS), extra)


_ATTRS = tuple("pk" if f == "pk" else f"{f}_id" if f in ("region", "category", "household", "unit") else f
               for f in (f.removesuffix("_id") for f in FIELDS))


class Pending:
    """Contributions of new appeals, written as ``settle(created=True)`` writes them but in fewer rows:
    a batch's own counters (its villages', which hardly repeat between batches) at the end of the batch
    (``batch``), the wider places' pre-sums (a county's few thousand keys, the same in every batch) added
    up across batches and written when many or at the end (``flush``)."""

    LIMIT = 50_000  # wider places' keys held before writing (memory bounded whatever the file's length)

    def __init__(self) -> None:
        self.total = Contribution()  # this batch's
        self.wider: Counter = Counter()  # the pre-sums of the batches written so far

    def add(self, facts: Facts) -> None:
        self.total.add(rollups.contributions(facts))

    def batch(self) -> None:
        change = self.total.nonzero()
        self.total = Contribution()
        if change.counts:
            _upsert(AppealRollup._meta.db_table, _KEY, ("n",), [(*k, n) for k, n in change.counts.items()])
            self.wider.update(rollups.up(change.counts))
        if change.households:
            apply(Contribution(households=change.households))
        if len(self.wider) > self.LIMIT:
            self._write_wider()

    def flush(self) -> None:
        self.batch()
        self._write_wider()

    def _write_wider(self) -> None:
        wider, self.wider = Counter({k: n for k, n in self.wider.items() if n}), Counter()
        apply_up(wider)


# ---------------------------------------------------------------------------------------------
# Writing counters: INSERT … ON CONFLICT DO UPDATE adds to a counter that exists (SQLite ≥ 3.24 and
# PostgreSQL alike), so two transactions touching one counter never fail on its unique key.

_KEY = ("fig", "region", "month", "month2", "part", "channel", "hidden")
_UPKEY = ("fig", "region", "depth", "month", "month2", "part", "channel", "hidden")
_HKEY = ("region", "month", "household", "channel", "hidden")
_CHUNK = 500


def _upsert(table: str, key: tuple[str, ...], values: tuple[str, ...], rows: list[tuple],
            unique: tuple[str, ...] | None = None) -> None:
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in (*key, *values))
    sets = ", ".join(f"{q(v)} = {q(table)}.{q(v)} + excluded.{q(v)}" for v in values)
    conflict = ", ".join(q(c) for c in unique or key)
    one = "(" + ", ".join(["%s"] * (len(key) + len(values))) + ")"
    with connection.cursor() as cur:
        for i, stop in spans(len(rows), _CHUNK):  # statement texts from a fixed set (lib/rows.spans)
            part = rows[i:stop]
            cur.execute(f"INSERT INTO {q(table)} ({cols}) VALUES {', '.join([one] * len(part))} "
                        f"ON CONFLICT ({conflict}) DO UPDATE SET {sets}", [v for r in part for v in r])


def apply(change: Contribution, *, wider: bool = True) -> None:
    """Add a contribution (a delta: counts may be negative) to the tables, the pre-sums of the wider
    places included (``wider=False``: the rebuild writes those once at its end)."""
    if change.counts:
        _upsert(AppealRollup._meta.db_table, _KEY, ("n",), [(*k, n) for k, n in change.counts.items()])
        if wider:
            apply_up(rollups.up(change.counts))
    if change.households:
        _upsert(AppealRollupHousehold._meta.db_table, _HKEY, ("found", "to_township", "to_county"),
                [(*k, *v) for k, v in change.households.items()])
        if wider:
            apply_up(_household_delta(change.households))


_HROW = ("region", "month", "household", "channel", "hidden", "found", "to_township", "to_county")


def _set_rows(qs: Any, stream: bool = False) -> Iterator[tuple]:
    rows = qs.values_list(*_HROW)
    for r in rows.iterator(chunk_size=5000) if stream else rows:
        yield (*r[:5], r[5:])


def _household_delta(changed: dict) -> Counter:
    """The wider places' distinct-household counters that these set changes (already written) turn
    on or off: each changed household's sets of the period, wherever it appealed, summed per wider
    place before (now − change) and now."""
    pairs = {(k[2], k[1]) for k in changed}
    rows = [r for r in _set_rows(AppealRollupHousehold.objects.filter(
        household__in={h for h, _p in pairs}, month__in={p for _h, p in pairs})) if (r[2], r[1]) in pairs]
    now = rollups.wider_sets(rows)
    change = rollups.wider_sets((*k, v) for k, v in changed.items())
    out: Counter = Counter()
    for key, d in change.items():
        after = now.get(key, [0, 0, 0])
        code, depth, period, _household, variant = key
        for fig, n, dn in zip(rollups.HH_FIGS, after, d, strict=True):
            if (n - dn > 0) != (n > 0):
                out[(fig, code, depth, period, rollups.NO_MONTH, "", rollups.ALL, variant)] += 1 if n > 0 else -1
    return Counter({k: n for k, n in out.items() if n})


def household_counters() -> Counter:
    """The wider places' distinct-household counters recomputed from the household sets (streamed one
    household and period at a time: memory is the counters)."""
    out: Counter = Counter()
    group: list[tuple] = []
    for r in _set_rows(AppealRollupHousehold.objects.order_by("household", "month"), stream=True):
        if group and (group[0][2], group[0][1]) != (r[2], r[1]):
            out.update(rollups.household_counters(rollups.wider_sets(group)))
            group = []
        group.append(r)
    if group:
        out.update(rollups.household_counters(rollups.wider_sets(group)))
    return out


def apply_up(counts: Any) -> None:
    if counts:
        # the conflict target is the unique key (region first), depth follows from region
        _upsert(AppealRollupUp._meta.db_table, _UPKEY, ("n",), [(*k, n) for k, n in counts.items()],
                unique=tuple(c for c in _UPKEY if c != "depth"))


# ---------------------------------------------------------------------------------------------
# The delta of a service change. The facts seen at the lock wait, per transaction, for the notice.

_local = threading.local()


class Untracked(RuntimeError):
    """An appeal settled that no service locked first: its old contribution is unknown."""


def _book() -> dict[str, Any]:
    """This transaction's facts: {"owner": outermost atomic block, "before": {pk: facts}, "now": {pk: facts}}."""
    owner = connection.atomic_blocks[0] if connection.atomic_blocks else None
    book = getattr(_local, "book", None)
    if book is None or book["owner"] is not owner or book["alias"] != connection.alias:
        book = {"owner": owner, "alias": connection.alias, "before": {}, "now": {}}
        _local.book = book
    return book


def watch(*pks: int) -> None:
    """Remember the facts of locked appeals as they were (once per change: a second lock keeps them)."""
    book = _book()
    fresh = [pk for pk in pks if pk not in book["before"]]
    book["before"].update(facts_of(fresh))


def tracked(pk: int) -> bool:
    book = _book()
    return pk in book["before"] or pk in book["now"]


def settle(*pks: int, created: bool = False, remember: bool = True) -> None:
    """Apply the delta of these appeals since ``watch`` (or since their last settle in this
    transaction; ``created``: new rows, nothing before). ``remember=False``: a bulk import's rows, whose
    facts would fill memory and which a later change locks (and so reads) afresh anyway."""
    book = _book()
    before: dict[int, Facts | None] = {}
    for pk in pks:
        if pk in book["before"]:
            before[pk] = book["before"].pop(pk)
        elif pk in book["now"]:
            before[pk] = book["now"][pk]
        elif created:
            before[pk] = None
        else:
            raise Untracked(f"诉求 {pk} 未经锁定即记入统计")
    after = facts_of(pks)
    change = Contribution()
    for pk in pks:
        change.add(rollups.delta(before[pk], after[pk]))
    apply(change.nonzero())
    if remember:
        book["now"].update(after)


def refresh(*pks: int) -> None:
    """Settle again after writes that follow the notice (a return visit's row)."""
    book = _book()
    missing = [pk for pk in pks if pk not in book["before"] and pk not in book["now"]]
    if missing:
        watch(*missing)
    settle(*pks)


# ---------------------------------------------------------------------------------------------
# Rebuild: every counter again from raw rows, one place at a time (memory: one place's counters).


def _places() -> list[str]:
    return list(Appeal.objects.order_by("region_id").values_list("region_id", flat=True).distinct())


def facts_in(region: str) -> Iterator[Facts]:
    """The appeals of one place (its own code, not its subtree) as facts. Filtered by the place alone:
    a test on deleted_at or group in the same query makes SQLite read the whole table through their
    index (metric_rows._alive); deleted and merged cases are dropped by ``contributions``."""
    rows = list(Appeal.objects.filter(region_id=region).values_list(*FIELDS))
    ids = [r[0] for r in rows]
    extra = _Extra()
    for i in range(0, len(ids), 900):
        extra.read(ids[i:i + 900])
    for row in rows:
        yield _facts(row, extra)


def rebuild(progress: Any = None) -> dict[str, int]:
    """Empty the tables and fill them again from the appeals (one transaction; places one by one)."""
    done = {"places": 0, "appeals": 0, "counters": 0, "households": 0}
    with transaction.atomic():
        with connection.cursor() as cur:
            for model in (AppealRollup, AppealRollupHousehold, AppealRollupUp):
                cur.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
        wider = Counter()  # the pre-sums: a few rows per township and counter, written at the end
        for region in _places():
            total = Contribution()
            for f in facts_in(region):
                total.add(rollups.contributions(f))
                done["appeals"] += 1
            total = total.nonzero()
            apply(total, wider=False)
            wider.update(rollups.up(total.counts))
            done["places"] += 1
            done["counters"] += len(total.counts)
            done["households"] += len(total.households)
            if progress is not None and done["places"] % 50 == 0:
                progress(done)
        wider = Counter({k: n for k, n in wider.items() if n})
        apply_up(wider)
        homes = household_counters()
        apply_up(homes)
        done["wider"] = len(wider) + len(homes)
    _local.book = None
    return done
