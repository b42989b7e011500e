"""`minqing disputes adopt` gives dispute rows to 矛盾纠纷 appeals registered without one;
`minqing disputes summary --region CODE [--from DATE] [--to DATE]` prints the seeds' figures."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minqing.disputes import metrics, services
from minqing.lib import regioncode


class Command(BaseCommand):
    help = "disputes: adopt | summary --region CODE [--from DATE] [--to DATE] [--json]"

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["adopt", "summary"])
        parser.add_argument("--region")
        parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, action: str, region: str | None, date_from: dt.date | None, date_to: dt.date | None,
               json: bool = False, **options) -> None:  # noqa: A002 - the option's name
        if action == "adopt":
            self.stdout.write(f"已补建纠纷记录 {services.adopt()} 件")
            return
        if not region:
            raise CommandError("请用 --region 指定区划代码")
        try:
            code = regioncode.normalize(region)
        except regioncode.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        end = date_to or timezone.localdate()
        start = date_from or end.replace(month=1, day=1)
        s = metrics.summary(code, start, end)
        self.stdout.write(_dumps(s) if json else s["sentence"])


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, indent=1)
