"""gunicorn settings of `minqing serve` (gunicorn -c python:minqing.gunicorn_conf), chosen for a 2-core
server by bench/load.py (docs/decisions/0054-load21-server-settings.md). Plain Python without Django or
minqing imports: the load bench serves the peer (django-helpdesk) with this same file.

MINQING_WORKERS  processes (default 2: one per core; a third only adds memory and contention)
MINQING_THREADS  threads per process (default 4: a thread waiting on the database lets another run)
"""

from __future__ import annotations

import os

worker_class = "gthread"
workers = int(os.environ.get("MINQING_WORKERS") or 2)
threads = int(os.environ.get("MINQING_THREADS") or 4)
# A worker whose main loop is silent this long is killed and replaced. gthread keeps beating while a
# request runs, so this bounds a hung process, not a slow page (queries stop at the 30 s statement
# limit, minqing.ops.querylimits); it stays above that limit for the sync worker class.
timeout = 60
graceful_timeout = 30  # a deploy or restart lets running requests finish this long
keepalive = 5  # seconds an idle keep-alive connection (a reverse proxy's) is kept
# Each of the workers × threads threads holds one database connection (settings.DATABASES CONN_MAX_AGE):
# 8 by default, far below PostgreSQL's max_connections of 100.
accesslog = "-"
# The path without its query string: a search by whole phone or ID number (?q=…) must not reach the
# access log, which bypasses Django's masking log filter.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
