"""Sync that never jams (issue 22): a bad record is that record's rejection with a Chinese reason and
the rest of the batch is applied; a client_id replayed by another user never returns the first user's
record; the same client_id sent many times at once gives one record and no 500 (PostgreSQL races)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from minqing.appeals.models import Appeal, Report
from minqing.fieldwork import services
from minqing.fieldwork.models import Visit
from minqing.lib.idempotent import TAKEN

from .conftest import cid
from .test_sync import post, visit_record

BAD_RECORDS = {
    "nul byte in the note": {"note": "门口\x00有积水"},
    "visit dated year 1": {"visited_at": "0001-01-01T00:00:00+08:00"},
    "visit dated year 1, nothing else": {"visited_at": "0001-01-01T00:00:00+08:00", "appeals": [], "help": []},
    "visit dated year 9999, last second": {"visited_at": "9999-12-31T23:59:59-12:00"},
    "coordinate beyond any number": {"lat": "1e400", "lng": "1e400"},
}


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.django_db
@pytest.mark.parametrize("bad", BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_good_bad_good_stores_both_good_records(county, login, bad):
    c = login(county.cadre_a)
    records = [visit_record(county.a1), visit_record(county.a2, **bad), visit_record(county.a1, note="第三条")]
    r = post(c, records)
    assert r.status_code == 200
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied", "rejected", "applied"]
    assert results[1]["id"] is None and chinese(results[1]["reason"])
    assert set(Visit.objects.values_list("client_id", flat=True)) == {records[0]["client_id"], records[2]["client_id"]}
    assert Appeal.objects.count() == 2  # the bad visit's appeal went with it


@pytest.mark.django_db
def test_an_unforeseen_error_rejects_only_its_record(county, login, monkeypatch):
    real = services.record_visit

    def faulty(**kwargs):
        if kwargs.get("note") == "故障":
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(services, "record_visit", faulty)
    records = [visit_record(county.a1, note="故障"), visit_record(county.a2)]
    results = post(login(county.cadre_a), records).json()["results"]
    assert [x["status"] for x in results] == ["rejected", "applied"]
    assert "无法保存" in results[0]["reason"] and "boom" not in results[0]["reason"]


@pytest.mark.django_db
def test_a_client_id_replayed_by_another_user_is_refused_without_the_record(county, login):
    key, appeal_key = cid(), cid()
    mine = post(login(county.cadre_a), [visit_record(county.a1, key=key, appeal_key=appeal_key)]).json()["results"]
    assert mine[0]["status"] == "applied"
    other = Client()
    other.force_login(county.cadre_b, backend="django.contrib.auth.backends.ModelBackend")
    replays = [visit_record(county.b1, key=key),  # the visit's own client_id
               visit_record(county.b1, appeal_key=appeal_key),  # its appeal's client_id
               {"client_id": appeal_key, "type": "appeal", "data": {"region": county.village_b.code, "title": "路",
                                                                     "text": "修路", "kind": "problem"}}]
    results = post(other, replays).json()["results"]
    assert [x["status"] for x in results] == ["rejected"] * 3
    assert all(x["id"] is None and x["reason"] == TAKEN and x["appeals"] == [] for x in results)
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_appeal_client_id_of_another_user_is_refused(county, login):
    body = {"region": county.village_a.code, "kind": "problem", "channel": "visit", "title": "路灯",
            "text": "村口路灯坏了", "client_id": cid()}
    first = login(county.cadre_a).post("/api/v1/appeals", data=json.dumps(body), content_type="application/json")
    assert first.status_code == 201
    other = Client()
    other.force_login(county.township_leader, backend="django.contrib.auth.backends.ModelBackend")
    again = other.post("/api/v1/appeals", data=json.dumps(body), content_type="application/json")
    assert again.status_code == 422 and again.json()["detail"] == TAKEN
    assert set(again.json()) == {"detail"}  # nothing of the first user's appeal


def _at_once(n: int, send) -> list:
    """`send()` from n threads released together; each thread closes its own connection."""
    from django.db import connections

    gate, out = threading.Barrier(n), []

    def one():
        gate.wait()
        try:
            out.append(send())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="a race of connections: SQLite takes one writer at a time (BEGIN IMMEDIATE)")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_appeals_with_one_client_id(county):
    body = json.dumps({"region": county.village_a.code, "kind": "problem", "channel": "visit", "title": "路灯",
                       "text": "村口路灯坏了", "client_id": cid()})

    def send():
        c = Client()
        c.force_login(county.cadre_a, backend="django.contrib.auth.backends.ModelBackend")
        r = c.post("/api/v1/appeals", data=body, content_type="application/json")
        return r.status_code, r.json().get("id")

    answers = _at_once(20, send)
    assert len(answers) == 20  # a thread whose request raised (a 500) appends nothing
    assert {status for status, _ in answers} == {201}
    assert len({pk for _, pk in answers}) == 1 and Report.objects.count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_syncs_of_one_record(county):
    records = json.dumps({"device": "p", "records": [visit_record(county.a1)]})

    def send():
        c = Client()
        c.force_login(county.cadre_a, backend="django.contrib.auth.backends.ModelBackend")
        r = c.post("/api/v1/sync", data=records, content_type="application/json")
        return r.status_code, r.json()["results"][0]

    answers = _at_once(20, send)
    assert len(answers) == 20
    assert {status for status, _ in answers} == {200}
    assert sorted(x["status"] for _, x in answers) == ["applied"] + ["duplicate"] * 19
    assert len({x["id"] for _, x in answers}) == 1 and Visit.objects.count() == 1
