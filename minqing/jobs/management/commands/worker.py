"""minqing worker [--once] [--interval SECONDS]: run the background jobs the site queues.

Needed only with MINQING_JOBS_RUNNER=worker (several web machines, or long jobs kept out of the web
processes); the default thread runner works without it. Each pass also recovers the jobs whose runner
died on this host (runner.recover)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections


class Command(BaseCommand):
    help = "运行后台任务（导出、导入、简报生成）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="运行完当前排队的任务后退出")
        parser.add_argument("--interval", type=float, default=2.0, help="无任务时的轮询间隔（秒）")

    def handle(self, *args, **opts) -> None:
        from minqing.jobs import periodic, runner

        first = True
        while True:
            if not first:  # a long-lived loop drops connections that went stale while it slept
                close_old_connections()
            first = False
            runner.recover_quietly()  # jobs of a worker (or web process) of this host that died mid-run
            runner.reap_stale()
            periodic.tick()  # the deadline sweep, when due and not taken by another process
            n = runner.run_pending()
            runner.run_passes()  # the notices outbox and any other registered pass
            if n:
                self.stdout.write(f"已运行 {n} 个任务")
            if opts["once"]:
                return
            time.sleep(opts["interval"])
