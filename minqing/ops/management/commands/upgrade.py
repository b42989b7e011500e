"""minqing upgrade — after installing a new release: migrate, then every rebuild a release needs."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.ops import keyguard

# What a release may leave stale after its migrations; each step is idempotent and safe to repeat.
REBUILDS = [("search", ["rebuild"], "全文检索索引"), ("rollup", ["rebuild"], "统计汇总表")]


class Command(BaseCommand):
    help = "升级：迁移数据库，再重建新版本需要的索引（全文检索等）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-rebuild", action="store_true", help="只迁移，不重建")

    def handle(self, *args, **opts) -> None:
        call_command("migrate", interactive=False, verbosity=opts["verbosity"], stdout=self.stdout)
        wrong = keyguard.problems(settings.KEYS, keyguard.live_samples())
        if wrong:  # keys set by hand that are not the data's: stop before anything is written with them
            raise CommandError("密钥与数据库中的数据不符：" + "；".join(wrong)
                               + "。请改回原来的密钥（见 docs/operations.md）")
        if opts["skip_rebuild"]:
            return
        for command, arguments, what in REBUILDS:
            self.stdout.write(f"重建{what}…")
            call_command(command, *arguments, stdout=self.stdout)
        self.stdout.write("升级完成")
