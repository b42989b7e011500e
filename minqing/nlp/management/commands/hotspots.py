"""minqing hotspots --csv FILE [--top N] [--window DAYS] [--persistent] [--json]

Hot spots of a message file with the columns of taidi2020c 附件3 (留言编号, 留言用户, 留言主题,
留言时间, 留言详情, 反对数, 点赞数), without touching the database. --persistent: what residents keep
raising over months (长期反复反映), not the bursts."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.nlp.hotspots import Record, find_hotspots, find_persistent
from minqing.nlp.taidi import read_messages


class Command(BaseCommand):
    help = "热点问题：按地点/人群和时间窗聚类，按热度排序（--csv 文件，不读写数据库）"
    requires_system_checks: list = []  # runs on a CSV alone: no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", required=True, help="留言文件（附件3的列）")
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--window", type=int, default=60, help="时间窗（天）")
        parser.add_argument("--persistent", action="store_true",
                            help="长期反复反映的问题（跨月份、按人数/时长/近况排序）")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts) -> None:
        path = Path(opts["csv"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        started = time.perf_counter()
        records = [Record(id=m.id, title=m.title, text=m.text, time=m.time, likes=m.likes, user=m.user)
                   for m in read_messages(path)]
        if opts["persistent"]:
            self._persistent(records, opts, started)
            return
        spots = find_hotspots(records, top=opts["top"], window_days=opts["window"])
        seconds = round(time.perf_counter() - started, 2)
        if opts["json"]:
            self.stdout.write(json.dumps({"hotspots": [h.as_dict() for h in spots], "messages": len(records),
                                          "seconds": seconds}, ensure_ascii=False, indent=1))
            return
        for rank, h in enumerate(spots, 1):
            self.stdout.write(f"{rank:2d}. 热度{h.heat:7.1f}  {h.start}~{h.end}  {h.count}条/{h.residents}人  "
                              f"{h.place or '-'}  {h.title}")
        self.stdout.write(f"{len(records)} 条留言，用时 {seconds} 秒")

    def _persistent(self, records: list[Record], opts, started: float) -> None:
        found = find_persistent(records, top=opts["top"])
        seconds = round(time.perf_counter() - started, 2)
        if opts["json"]:
            self.stdout.write(json.dumps({"persistent": [p.as_dict() for p in found], "messages": len(records),
                                          "seconds": seconds}, ensure_ascii=False, indent=1))
            return
        for rank, p in enumerate(found, 1):
            h = p.spot
            self.stdout.write(f"{rank:2d}. 分值{p.score:6.1f}  {h.start}~{h.end}  {p.months}个月  "
                              f"{h.count}条/{h.residents}人  {h.place or '-'}  {h.title}")
        self.stdout.write(f"{len(records)} 条留言，用时 {seconds} 秒")
