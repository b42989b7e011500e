"""minqing field coverage|quotas|funnel --region CODE [--period P] | field install-quotas --county CODE"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.fieldwork import metrics, quotas
from minqing.lib import periods, regioncode
from minqing.regions.models import Region


class Command(BaseCommand):
    help = "走访覆盖率、考核情况、走访漏斗；或为一个县写入默认考核规则"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["coverage", "quotas", "funnel", "install-quotas"])
        parser.add_argument("--region", help="区划代码")
        parser.add_argument("--county", help="县级区划代码（install-quotas）")
        parser.add_argument("--period", help="YYYY-MM、YYYY-Qn 或 YYYY（默认本月）")

    def handle(self, *args, **options) -> None:
        what = options["what"]
        if what == "install-quotas":
            code = self._region(options["county"])
            if regioncode.level_of(code) != regioncode.COUNTY:
                raise CommandError("--county 须为县级区划代码")
            rows = quotas.install_defaults(code)
            self.stdout.write("已写入考核规则：" + "、".join(r.name for r in rows))
            return
        code = self._region(options["region"])
        try:
            start, end = periods.span(options["period"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if what == "coverage":
            result = metrics.coverage(code, start, end)
        elif what == "quotas":
            result = metrics.quota_report(code, start, end)
        else:
            result = metrics.funnel(code, start, end)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))

    @staticmethod
    def _region(raw: str | None) -> str:
        if not raw:
            raise CommandError("请用 --region（或 --county）指定区划代码")
        try:
            code = regioncode.normalize(raw)
        except regioncode.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        if not Region.objects.filter(code=code).exists():
            raise CommandError(f"区划“{raw}”不存在")
        return code
