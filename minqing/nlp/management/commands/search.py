"""minqing search rebuild — rebuild the full-text index from the source tables (after a bulk load).
minqing search signatures [--region CODE] — write the similar-cases signatures the appeals lack."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from minqing.nlp import duplicates, search


class Command(BaseCommand):
    help = "全文检索索引：rebuild 重建（批量导入数据之后）；signatures 补写相似诉求比对用的文本签名"
    requires_system_checks: list[str] = []  # a data command: the URL checks import every view (seconds)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild", "signatures"])
        parser.add_argument("--region", help="signatures: only the appeals of this place (code)")

    def handle(self, *args, **opts) -> None:
        started = time.perf_counter()
        if opts["action"] == "signatures":
            n = duplicates.fill_signatures(region=opts.get("region"))
            self.stdout.write(f"已写入文本签名：{n} 条，用时 {time.perf_counter() - started:.1f} 秒")
            return
        counts = search.rebuild()
        total = sum(counts.values())
        parts = "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
        self.stdout.write(f"已重建索引：{total} 条（{parts}），用时 {time.perf_counter() - started:.1f} 秒")
