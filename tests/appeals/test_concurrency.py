"""Simultaneous requests on a real database (no wrapping test transaction): nothing answers 500, nothing
is refused because it waited for another request's row lock, and opposite merges cannot deadlock.

Each worker thread has its own database connection (closed when it ends). On PostgreSQL the requests
queue on the row locks. A SQLite file database queues writers on its one write lock (IMMEDIATE
transactions, busy timeout 20 s); the test's shared in-memory database cannot wait (it answers "table is
locked" at once), so on SQLite a process lock stands in for that queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from minqing.appeals import services
from minqing.appeals.models import Appeal, AppealEvent
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = 20
_SQLITE_QUEUE = threading.Lock()


def _at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads released together; each result is a return value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def _poster(token: str, url: str, data: dict[str, Any]) -> Callable[[], tuple[int, Any]]:
    def call() -> tuple[int, Any]:
        if connection.vendor == "sqlite":
            with _SQLITE_QUEUE:
                r = _post(token, url, data)
        else:
            r = _post(token, url, data)
        return r.status_code, r.json() if r.headers.get("Content-Type", "").startswith("application/json") else r

    return call


def _post(token: str, url: str, data: dict[str, Any]):
    return Client(raise_request_exception=False).post(url, data, content_type="application/json",
                                                      headers={"Authorization": f"Bearer {token}"})


def _token(user) -> str:
    from minqing.accounts.models import ApiToken

    raw, _ = ApiToken.objects.issue(user)
    return raw


def _register(county, title: str) -> Appeal:
    return services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                    channel="visit", title=title, text="村道路灯坏了五盏")


def test_twenty_simultaneous_actions_on_one_case_are_all_taken_in_order(county):
    """The clock is read after the row lock: a request that waited is never 'earlier than the last record'."""
    a = _register(county, "路灯坏了")
    services.do_assign(a, actor=county.cadre_a, unit=county.units["committee_a"], person=county.cadre_a,
                       measures="更换灯具")
    version = Appeal.objects.get(pk=a.pk).version
    token = _token(county.cadre_a)
    url = f"/api/v1/appeals/{a.pk}/actions/add_progress"
    results = _at_once([_poster(token, url, {"note": f"进展{i}"}) for i in range(ATTEMPTS)])
    assert [r[0] for r in results] == [200] * ATTEMPTS, [r if isinstance(r, Exception) else r[1] for r in results]
    events = list(AppealEvent.objects.filter(appeal=a, action="add_progress").order_by("id"))
    assert len(events) == ATTEMPTS
    assert [e.at for e in events] == sorted(e.at for e in events)  # written in lock order, times never go back
    a.refresh_from_db()
    assert a.status == "in_progress" and a.version == version + ATTEMPTS
    assert Event.objects.filter(action="appeal.add_progress", object_id=str(a.pk)).count() == ATTEMPTS


def test_opposite_merges_never_deadlock(county):
    """A into B and B into A at the same moment, twenty times: one merge wins, the other is refused in
    Chinese (422), never a deadlock (500)."""
    token = _token(county.cadre_a)
    for i in range(ATTEMPTS):
        a, b = _register(county, f"重复{i}甲"), _register(county, f"重复{i}乙")
        results = _at_once([
            _poster(token, f"/api/v1/appeals/{a.pk}/actions/merge_into", {"target": b.number}),
            _poster(token, f"/api/v1/appeals/{b.pk}/actions/merge_into", {"target": a.number}),
        ])
        codes = sorted(r[0] for r in results)
        assert codes == [200, 422], results
        refused = next(r[1] for r in results if r[0] == 422)
        assert "合并" in refused["detail"]
        merged = Appeal.objects.filter(pk__in=[a.pk, b.pk], status="merged")
        assert merged.count() == 1
        survivor = Appeal.objects.exclude(status="merged").get(pk__in=[a.pk, b.pk])
        assert survivor.reports.count() == 2  # both reporters, once
