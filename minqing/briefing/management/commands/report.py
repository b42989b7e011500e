"""minqing report briefing --region CODE --period YYYY-MM [--out FILE.docx]"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.lib import regioncode


class Command(BaseCommand):
    help = "报告：生成工作简报（屏幕文字或 .docx）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        b = sub.add_parser("briefing", help="工作简报")
        b.add_argument("--region", required=True, help="区划代码（6位县、9位乡镇或12位村）")
        b.add_argument("--period", default=None, help="统计期间：2024-05（月）、2024-Q2（季度）或 2024（年）；默认本月")
        b.add_argument("--from", dest="start", default=None, help="或开始日期 YYYY-MM-DD")
        b.add_argument("--to", dest="end", default=None, help="结束日期 YYYY-MM-DD（含）")
        b.add_argument("--out", default=None, help="输出文件 .docx；省略时在屏幕上打印文字")

    def handle(self, *args, **opts) -> None:
        from minqing.briefing import compose, docx
        from minqing.lib import periods
        from minqing.regions.models import Region

        try:
            code = regioncode.normalize(opts["region"])
        except regioncode.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        if not Region.objects.filter(code=code).exists():
            raise CommandError(f"区划“{opts['region']}”不存在")
        try:
            period = periods.parse(opts["period"], opts["start"], opts["end"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        briefing = compose.compose(code, period)
        out = opts["out"]
        if not out:
            self.stdout.write(briefing.text())
            return
        if not out.lower().endswith(".docx"):
            raise CommandError("输出文件须以 .docx 结尾")
        docx.write(briefing, out)
        self.stdout.write(f"已生成 {briefing.title} → {out}")
