"""minqing ledger export --region CODE --from DATE --to DATE --out FILE.xlsx
minqing ledger import FILE [--mapping own|taidi] [--region CODE] [--dry-run] [--limit N]"""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.lib import regioncode


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD") from exc


class Command(BaseCommand):
    help = "整改台账：导出 .xlsx，或导入已有台账（.xlsx/.csv，全部成功或全部不写入）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        exp = sub.add_parser("export", help="导出整改台账")
        exp.add_argument("--region", required=True, help="区划代码（51、5117、511722、511722100 或12位）")
        exp.add_argument("--from", dest="start", required=True, help="开始日期 YYYY-MM-DD")
        exp.add_argument("--to", dest="end", required=True, help="结束日期 YYYY-MM-DD（含）")
        exp.add_argument("--out", required=True, help="输出文件 .xlsx")
        imp = sub.add_parser("import", help="导入台账")
        imp.add_argument("file")
        imp.add_argument("--mapping", choices=["own", "taidi"], default="own",
                         help="列映射：own = 本系统整改台账；taidi = taidi2020c 附件3/附件4/测试数据")
        imp.add_argument("--region", default=None, help="导入到的区划（默认演示乡镇 宣汉县天生镇 511722104）")
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        imp.add_argument("--limit", type=int, default=None, help="只读前 N 行数据")

    def handle(self, *args, **opts) -> None:
        if opts["action"] == "export":
            self._export(opts)
        else:
            self._import(opts)

    def _export(self, opts) -> None:
        from minqing.ledgers.exporters.rectification import export_rectification

        try:
            code = regioncode.normalize(opts["region"])
        except regioncode.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        start, end = _date(opts["start"]), _date(opts["end"])
        if end < start:
            raise CommandError("结束日期不能早于开始日期")
        out = opts["out"]
        if not out.lower().endswith(".xlsx"):
            raise CommandError("输出文件须以 .xlsx 结尾")
        n = export_rectification(code, start, end, out)
        self.stdout.write(f"已导出 {n} 行到 {out}")

    def _import(self, opts) -> None:
        from minqing.ledgers.importers import DEFAULT_REGION, LedgerImportError, load_ledger

        t0 = time.perf_counter()
        try:
            result = load_ledger(opts["file"], mapping=opts["mapping"], region=opts["region"] or DEFAULT_REGION,
                                 dry_run=opts["dry_run"], limit=opts["limit"])
        except LedgerImportError as exc:
            raise CommandError(exc.report()) from exc
        self.stdout.write(f"{result.summary()}（{time.perf_counter() - t0:.1f} 秒）")
