"""`python -m minqing.demo.finish URL`: started by `minqing demo` beside its server; waits until URL
answers, then runs the queued background jobs (the category model and the search index) once, at a
lower priority than the site, as `minqing worker --once`. Imports nothing of Django while it waits, so
that waiting costs no CPU the site's start needs. If it dies, a web process finds the jobs still
queued and runs them (jobs.runner.recover)."""

from __future__ import annotations

import os
import sys
import time
import urllib.request

WAIT_SECONDS = 600


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status == 200
    except OSError:
        return False


def main(argv: list[str]) -> None:
    url = argv[1]
    deadline = time.monotonic() + WAIT_SECONDS
    while not answers(url):
        if time.monotonic() > deadline:
            return  # the site never came up: the jobs stay queued for a web process to recover
        time.sleep(1)
    os.nice(10)
    os.execv(sys.executable, [sys.executable, "-m", "minqing.cli", "worker", "--once"])


if __name__ == "__main__":
    main(sys.argv)
