"""django-helpdesk's list only — case (a) of its harness (/work/shared/peer-helpdesk/measure.py: queue
市政公用 + status Open, newest 25 + the count, through its JSON list endpoint as its staff user) — with the
harness's own timing (measure.measure) and the CPU time of this process per request, as one JSON object.
bench/list_scale.py runs it as a subprocess in the same run as ours (--peer-url). It runs inside the
peer's venv (the harness's peer.py re-runs it there) on the database in DATABASE_URL: point that at a
copy, a logged-in client writes a session row.

    PEER_DIR=/work/wt/peer DATABASE_URL=sqlite:////path/to/copy.sqlite3 python3 bench/peer_list.py --runs 10
"""

import argparse
import json
import os
import sys
import time

HARNESS = os.environ.get("PEER_HARNESS", "/work/shared/peer-helpdesk")
sys.path.insert(0, HARNESS)
sys.dont_write_bytecode = True

import measure  # noqa: E402 - the harness (its import of peer.py re-runs this script in the peer's venv)
import peer  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--cpu-runs", type=int, default=3)
    a = ap.parse_args()
    client = Client()
    client.force_login(peer.fixtures())
    qid = Queue.objects.get(slug="utility").id
    q = {"filtering": {"queue__id__in": [qid], "status__in": [1]}, "filtering_null": {}, "sorting": "created",
         "sortreverse": "on", "search_string": ""}
    path = f"/datatables_ticket_list/{query_to_base64(q)}"
    last = {}

    def view():
        r = client.get(path, measure.DT_ARGS)
        assert r.status_code == 200, r.status_code
        last["r"] = r

    def sql():
        with connection.cursor() as cur:
            for s, p in ((measure.LIST_SQL + "WHERE t.queue_id = %s AND t.status = 1 ORDER BY t.created DESC "
                          "LIMIT 25", [qid]),
                         ("SELECT count(*) FROM helpdesk_ticket WHERE queue_id = %s AND status = 1", [qid])):
                cur.execute(s, p)
                cur.fetchall()

    v = measure.measure(view, a.runs, a.budget)
    samples = []
    for _ in range(a.cpu_runs):
        t = time.process_time()
        view()
        samples.append(time.process_time() - t)
    v["cpu_ms"] = round(sorted(samples)[len(samples) // 2] * 1e3, 1)
    s = measure.measure(sql, a.runs, a.budget)
    print(json.dumps({"peer": "django-helpdesk", "engine": connection.vendor, "tickets": Ticket.objects.count(),
                      "view": v, "sql": s, "view_rows": json.loads(last["r"].content)["recordsFiltered"]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
