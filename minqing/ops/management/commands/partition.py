"""minqing partition — PostgreSQL only: partition appeals, their events and the audit trail by county
(events also by year). Without --apply it shows what it would do (minqing/ops/partition.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from minqing.ops import partition


class Command(BaseCommand):
    help = "按县分区（PostgreSQL）：诉求、诉求事件（再按年）、审计日志"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="执行分区（否则只列出计划）")
        parser.add_argument("--events-by-year", action="store_true", help="诉求事件在县分区下再按年分区")

    def handle(self, *args, **opts) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("分区只用于 PostgreSQL；SQLite 保持普通表")
        tables = [t for t, _, _ in partition._specs(partition.Plan(counties=[], years=[]))]
        todo = [t for t in tables if not partition.is_partitioned(t)]
        self.stdout.write(f"县：{', '.join(partition.counties()) or '无'}；待分区：{', '.join(todo) or '无'}")
        if not opts["apply"]:
            return
        plan = partition.apply(by_year=opts["events_by_year"])
        self.stdout.write(f"已分区（含新县的分区）：{', '.join(plan.done) or '无'}")
        for line in plan.weakened:
            self.stdout.write(f"唯一约束按县：{line}")
        if plan.dropped_fks:
            self.stdout.write(f"已删除指向诉求的外键 {len(plan.dropped_fks)} 个：{', '.join(plan.dropped_fks)}")
