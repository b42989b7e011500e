import resource
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from minqing.lib import periods


class Command(BaseCommand):
    help = ("统计汇总表：rollup rebuild（由诉求原始记录重建）| rollup check --region CODE --period YYYY-MM|YYYY-Qn|YYYY"
            "（与原始口径逐项核对，有差异时退出码为 1）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "check"])
        parser.add_argument("--region", help="place code (check)")
        parser.add_argument("--period", help="YYYY-MM, YYYY-Qn or YYYY (check)")

    def handle(self, *args, action: str, region: str | None, period: str | None, **options):
        if action == "rebuild":
            from minqing.appeals import rollup_store

            began, cpu = time.perf_counter(), time.process_time()
            done = rollup_store.rebuild(progress=lambda d: self.stderr.write(f"  {d['places']} places, "
                                                                               f"{d['appeals']} appeals"))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            self.stdout.write(f"统计汇总表已重建：{done['places']} 个地点，{done['appeals']} 件诉求，"
                              f"{done['counters']} 个计数，{done['households']} 个户次，"
                              f"{done.get('wider', 0)} 个上级汇总；"
                              f"{time.perf_counter() - began:.1f} s（CPU {time.process_time() - cpu:.1f} s），"
                              f"峰值内存 {peak} MB")
            return
        if not region or not period:
            raise CommandError("核对须给出 --region 与 --period")
        from minqing.appeals.rollup_check import differences

        start, end = periods.span(period)
        found = differences(region, start, end)
        for name, truth, kept in found:
            self.stdout.write(f"{name}: 原始 {truth} ≠ 汇总 {kept}")
        if found:
            self.stderr.write(f"{len(found)} 项不一致")
            sys.exit(1)
        self.stdout.write(f"{region} {start}—{end}：汇总与原始口径一致")
