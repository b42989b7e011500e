import datetime as dt
import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from minqing.demo.generator import DemoError, DemoOptions, load_demo
from minqing.demo.people import DEMO_PASSWORD

LOGINS = [
    ("demo-county", "县级领导（宣汉县县委书记）"),
    ("demo-township", "乡镇领导（天生镇党委书记）"),
    ("demo-village-a", "村干部（天生镇第一个村）"),
    ("demo-village-b", "村干部（天生镇第二个村）"),
    ("demo-dept", "部门办理人（县住建局）"),
    ("demo-jiwei", "县纪委监委（受理举报）"),
    ("demo-admin", "系统管理员（不看居民信息与案件）"),
    ("demo-secadmin", "安全管理员（账号解锁、重置密码与令牌）"),
    ("demo-audit", "审计管理员（只读审计日志）"),
]


class Command(BaseCommand):
    help = "加载演示县（宣汉县）并启动站点"

    def add_arguments(self, parser):
        parser.add_argument("--load-only", action="store_true", help="load the data, do not serve")
        parser.add_argument("--households", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--anchor", type=dt.date.fromisoformat, default=None,
                            help="the demo's 'today' (YYYY-MM-DD, default: today)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, load_only: bool, households: int, seed: int, anchor, host: str, port: int,
               **options):
        call_command("migrate", interactive=False, verbosity=0)
        try:
            load_demo(DemoOptions(seed=seed, anchor=anchor, households=households, deferred=not load_only),
                      progress=self.stdout.write)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, role in LOGINS:
            self.stdout.write(f"  {username:<16} {role}")
        if load_only:
            return
        self.stdout.write(f"\n打开 http://{host}:{port}/ 登录")
        os.environ["MINQING_DEMO"] = "1"
        # The category model and the search index: built by a worker once the site answers (finish.py).
        self.stdout.flush()
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        subprocess.Popen([sys.executable, "-m", "minqing.demo.finish", f"http://{local}:{port}/login/"])
        call_command("serve", host=host, port=port, workers=2, no_migrate=True)
