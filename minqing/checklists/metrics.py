"""Checklist counts: how many households fail each item, where, and how many were cleared (清零).

Counted in households, per item code (an item keeps its code across versions, so a reworded
question still counts as the same item); notes are never pass or fail and are not counted.

- checked: households with an answer to the item in the range;
- failing: households whose answer failed at least once in the range (摸排发现);
- cleared: of those, households whose latest answer in the range passes (清零);
- open: failing − cleared.

clearance_by_round: the same state as it stood at the end of each visit round of the year (the
field-work VisitRound rows covering the region, by round number; quarters when there are none):
found = households with any failed item so far this year, open = households whose latest
answer to some item still fails, cleared = found − open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from minqing.lib import regioncode
from minqing.lib.periods import bounds
from minqing.regions import jurisdiction
from minqing.regions.models import Region

from .models import ChecklistAnswer, ChecklistItem

FIELDS = ("household_id", "region_id", "answered_at", "response_id", "passed", "item__code",
          "item__version__checklist__code")


def _answers(code: str, start: dt.date, end: dt.date) -> list[tuple]:
    low, high = bounds(start, end)
    qs = (ChecklistAnswer.objects.filter(jurisdiction.region_q([code]), answered_at__gte=low, answered_at__lt=high,
                                         passed__isnull=False, response__deleted_at__isnull=True)
          .order_by("answered_at", "response_id").values_list(*FIELDS))
    return list(qs)


def _labels(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(checklist code, item code) → label, group, order, from the newest version that has it."""
    wanted = set(keys)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    rows = (ChecklistItem.objects.filter(code__in={k[1] for k in wanted})
            .order_by("-version__number", "position")
            .values_list("version__checklist__code", "version__checklist__name", "code", "label", "group", "position"))
    for cl_code, cl_name, code, label, group, position in rows:
        key = (cl_code, code)
        if key in wanted and key not in out:
            out[key] = {"checklist_name": cl_name, "label": label, "group": group, "position": position}
    return out


def _tally(rows: Iterable[tuple]) -> dict[tuple[str, str], dict[int, tuple[str, bool, bool]]]:
    """(checklist, item) → household → (village, ever failed, latest passed). Rows come in time order."""
    state: dict[tuple[str, str], dict[int, tuple[str, bool, bool]]] = defaultdict(dict)
    for row in rows:
        _add(state, row)
    return state


def _add(state: dict[tuple[str, str], dict[int, tuple[str, bool, bool]]], row: tuple) -> None:
    hh, village, _at, _resp, passed, item, checklist = row
    per = state[(checklist, item)]
    ever = per.get(hh, (village, False, True))[1]
    per[hh] = (village, ever or not passed, passed)


def _counts(households: Iterable[tuple[str, bool, bool]]) -> dict[str, int]:
    checked = failing = cleared = 0
    for _village, ever, latest in households:
        checked += 1
        failing += ever
        cleared += ever and latest
    return {"checked": checked, "failing": failing, "cleared": cleared, "open": failing - cleared}


def _allowed(user: Any, code: str) -> bool:
    return user is None or jurisdiction.scope_of(user).sees_figures(code)


def item_counts(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> list[dict[str, Any]]:
    """One row per checklist item answered in the range, with its villages (worst first)."""
    code = regioncode.normalize(region_code)
    if not _allowed(user, code):
        return []
    state = _tally(_answers(code, start, end))
    return _item_rows(state, _labels(state))


def _item_rows(state: dict[tuple[str, str], dict[int, tuple[str, bool, bool]]],
               labels: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    villages = {v for per in state.values() for v, _e, _l in per.values()}
    names = dict(Region.objects.filter(code__in=villages).values_list("code", "name"))
    out = []
    for key, per in state.items():
        row = {"checklist": key[0], "item": key[1], **labels.get(key, {"checklist_name": key[0], "label": key[1],
                                                                       "group": "", "position": 0})}
        row.update(_counts(per.values()))
        by_village: dict[str, list] = defaultdict(list)
        for v in per.values():
            by_village[v[0]].append(v)
        row["villages"] = sorted(({"region": v, "name": names.get(v, v), **_counts(rows)}
                                  for v, rows in by_village.items()),
                                 key=lambda r: (-r["open"], -r["failing"], r["region"]))
        out.append(row)
    out.sort(key=lambda r: (r["checklist"], r["position"], r["item"]))
    return out


def household_totals(region_code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, int]:
    """Households over all items: found failing any item, and cleared (none still failing)."""
    code = regioncode.normalize(region_code)
    if not _allowed(user, code):
        return {"checked": 0, "failing": 0, "cleared": 0, "open": 0}
    return _household_state(_tally(_answers(code, start, end)))


def _household_state(state: dict[tuple[str, str], dict[int, tuple[str, bool, bool]]]) -> dict[str, int]:
    checked: set[int] = set()
    found: set[int] = set()
    still: set[int] = set()
    for per in state.values():
        for hh, (_v, ever, latest) in per.items():
            checked.add(hh)
            if ever:
                found.add(hh)
            if not latest:
                still.add(hh)
    return {"checked": len(checked), "failing": len(found), "cleared": len(found - still), "open": len(still)}


def round_ends(region_code: str, year: int, today: dt.date | None = None) -> list[tuple[int, dt.date]]:
    """(round number, last day) of the year's visit rounds covering the region; quarters if none."""
    from minqing.fieldwork.models import VisitRound

    today = today or timezone.localdate()
    ends: dict[int, dt.date] = {}
    rounds = VisitRound.objects.filter(year=year, deleted_at__isnull=True).values_list(
        "number", "region_id", "started_on", "ended_on")
    for number, region, started, ended in rounds:
        if not (regioncode.contains(region_code, region) or regioncode.contains(region, region_code)):
            continue
        if started > today:
            continue
        last = min(ended or today, today)
        ends[number] = max(ends.get(number, last), last)
    if ends:
        return sorted(ends.items())
    out = []
    for q in range(4):
        first = dt.date(year, 3 * q + 1, 1)
        if first > today:
            break
        last = (dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1))
        out.append((q + 1, min(last, today)))
    return out


def clearance_by_round(region_code: str, year: int, *, user: Any = None,
                       today: dt.date | None = None) -> list[dict[str, Any]]:
    """The found → cleared funnel after each visit round of the year, in households."""
    code = regioncode.normalize(region_code)
    if not _allowed(user, code):
        return []
    return _rounds(code, year, _answers(code, dt.date(year, 1, 1), dt.date(year, 12, 31)), today)


def _rounds(code: str, year: int, rows: list[tuple], today: dt.date | None,
            labels: dict[tuple[str, str], dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """clearance_by_round over the year's answers (in time order): one pass, the state taken at each
    round's end in the order of the ends (a round's state is the answers before its end)."""
    ends = round_ends(code, year, today)
    if labels is None:
        labels = _labels({(r[6], r[5]) for r in rows})
    state: dict[tuple[str, str], dict[int, tuple[str, bool, bool]]] = defaultdict(dict)
    taken: dict[int, dict[str, Any]] = {}
    i = 0
    for number, last in sorted(ends, key=lambda e: e[1]):
        _low, high = bounds(last, last)
        while i < len(rows) and rows[i][2] < high:
            _add(state, rows[i])
            i += 1
        items = []
        for key, per in state.items():
            c = _counts(per.values())
            items.append({"checklist": key[0], "item": key[1], "label": labels.get(key, {}).get("label", key[1]),
                          "position": labels.get(key, {}).get("position", 0), "found": c["failing"],
                          "cleared": c["cleared"], "open": c["open"]})
        items.sort(key=lambda r: (r["checklist"], r["position"], r["item"]))
        totals = _household_state(state)
        taken[number] = {"round": number, "ended_on": last, "checked": totals["checked"], "found": totals["failing"],
                         "cleared": totals["cleared"], "open": totals["open"], "items": items}
    return [taken[number] for number, _last in ends]


def section(code: str, start: dt.date, end: dt.date, *, user: Any = None) -> dict[str, Any]:
    """The part's figures for dashboards, briefings and /api/v1/metrics/checklists (minqing.lib.figures):
    households checked, failing and cleared over all items and per item, and the found → cleared funnel
    after each visit round of the period's year. The answers are read once, over the period and its
    year together, and each figure takes its own range of them."""
    code = regioncode.normalize(code)
    if not _allowed(user, code):
        return {"households": _household_state({}), "items": [], "year": end.year, "rounds": []}
    year_first, year_last = dt.date(end.year, 1, 1), dt.date(end.year, 12, 31)
    rows = _answers(code, min(start, year_first), max(end, year_last))
    low, high = bounds(start, end)
    year_low, year_high = bounds(year_first, year_last)
    state = _tally(r for r in rows if low <= r[2] < high)
    year_rows = [r for r in rows if year_low <= r[2] < year_high]
    labels = _labels({*state, *((r[6], r[5]) for r in year_rows)})
    return {"households": _household_state(state), "items": _item_rows(state, labels), "year": end.year,
            "rounds": _rounds(code, end.year, year_rows, None, labels)}
