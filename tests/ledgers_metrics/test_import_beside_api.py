"""A large ledger import does not stop the API: on SQLite the import writes in chunks, each its own
short transaction, so an API write waits at most one chunk (busy timeout) instead of the whole file."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from minqing.ledgers.importers import load_ledger
from tests.ledgers_metrics.test_ledgers import own_row, write_own

TOWN = "511722100"
ROWS = 400


@pytest.mark.django_db(transaction=True)
def test_api_writes_go_on_while_a_large_import_runs(county, client, bearer, tmp_path, settings):
    from minqing.appeals.models import Appeal

    settings.MINQING_IMPORT_CHUNK = 25
    path = tmp_path / "big.xlsx"
    write_own(path, [own_row(n, 问题描述=f"批量导入的第{n}个问题") for n in range(1, ROWS + 1)])
    headers = bearer(county.cadre_a)
    outcome: dict = {}

    def run_import():
        try:
            # A chunk of 25 is written in milliseconds now; the pause after each (outside its transaction,
            # where a large file's next rows are being read) is when the API's writes must get in.
            outcome["result"] = load_ledger(path, mapping="own", region=TOWN, actor=county.township_leader,
                                            progress=lambda _rows: time.sleep(0.2))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcome["error"] = exc
        finally:
            connection.close()

    def register(n: int):
        return client.post("/api/v1/appeals", {
            "region": county.village_a.code, "kind": "problem", "channel": "visit", "title": "导入期间登记",
            "text": f"导入期间登记的第{n}件", "reporter_name": "群众"},
            content_type="application/json", headers=headers)

    # The API's first request loads its URL modules and schema (seconds, holding the GIL): before the import.
    assert register(0).status_code == 201
    worker = threading.Thread(target=run_import)
    worker.start()
    answers = []
    while worker.is_alive() or len(answers) < 3:
        response = register(len(answers) + 1)
        answers.append((response.status_code, response.json().get("id")))
        if len(answers) > 2000:
            break
    worker.join(120)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["result"].created == ROWS
    assert [code for code, _id in answers] == [201] * len(answers)  # no "database is locked", no 500
    imported = Appeal.objects.filter(source_ref__startswith="ledger:").values_list("pk", flat=True)
    low, high = min(imported), max(imported)
    # Some API writes landed between two chunks of the import: it did not hold the lock throughout.
    assert any(low < pk < high for _code, pk in answers)
