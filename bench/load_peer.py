"""Peer side of bench/load.py, run with the peer's venv python (PEER_DIR, DATABASE_URL as for its
load.py): the staff user `bench` logged in, and the paths of its list (case (a) of its measure.py:
queue 市政公用, status Open, newest 25) and of its search for 路灯, as one JSON line."""

import json
import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.environ.get("PEER_HARNESS", "/work/shared/peer-helpdesk"))
import peer  # noqa: E402  (sets Django up inside the peer's project)
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from helpdesk.query import query_to_base64  # noqa: E402

# measure.py's DataTables arguments and query shapes, unchanged
DT_ARGS = {"draw": "1", "start": "0", "length": "25", "order[0][column]": "5", "order[0][dir]": "desc",
           "search[value]": ""}


def dt_path(filtering: dict, search: str = "") -> str:
    q = {"filtering": filtering, "filtering_null": {}, "sorting": "created", "sortreverse": "on",
         "search_string": search}
    return f"/datatables_ticket_list/{query_to_base64(q)}?{urllib.parse.urlencode(DT_ARGS)}"


client = Client()
client.force_login(peer.fixtures())
qid = Queue.objects.get(slug="utility").id
name = settings.SESSION_COOKIE_NAME
print(json.dumps({"cookie": f"{name}={client.cookies[name].value}", "tickets": Ticket.objects.count(),
                  "list": dt_path({"queue__id__in": [qid], "status__in": [1]}), "search": dt_path({}, "路灯")}))
