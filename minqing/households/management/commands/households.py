"""minqing households import FILE --region CODE [--dry-run] [--map 字段=表头 ...] [--user NAME]
minqing households --user NAME print (--household ID | --region CODE) --out FILE.docx|FILE.pdf
minqing households move ID --region CODE [--group N] [--number 户号] [--reason TEXT]
minqing households split ID --residents ID,ID --head ID --number 户号 [--reason TEXT]
minqing households merge TARGET SOURCE --reason TEXT
minqing households mark RESIDENT living|moved_away|deceased [--on DATE] --reason TEXT

Run as the operator unless --user names a staff account, whose jurisdiction then applies."""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.lib import regioncode


class Command(BaseCommand):
    help = "一户一档：导入花名册、打印户档、迁移、分户、合户、标记迁出或死亡"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default=None, help="以该工作人员的身份（按其管辖范围）操作")
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入花名册（.xlsx/.csv，全部成功或全部不写入）")
        imp.add_argument("file")
        imp.add_argument("--region", required=True, help="导入到的区划（县、乡镇或村的代码）")
        imp.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        imp.add_argument("--map", action="append", default=[], metavar="字段=表头",
                         help="表头与标准不同时指定列对应，如 id_number=身份证号；字段见 columns.COLUMNS")
        prt = sub.add_parser("print", help="打印户档（每户一页 A4）")
        prt.add_argument("--household", type=int, default=None)
        prt.add_argument("--region", default=None, help="整村（或乡镇）批量打印")
        prt.add_argument("--out", required=True, help="输出文件 .docx 或 .pdf")
        mov = sub.add_parser("move", help="迁往另一村或小组")
        mov.add_argument("household", type=int)
        mov.add_argument("--region", required=True)
        mov.add_argument("--group", type=int, default=None, help="小组编号")
        mov.add_argument("--number", default=None, help="在新村的户号（默认不变）")
        mov.add_argument("--reason", default="")
        spl = sub.add_parser("split", help="分户")
        spl.add_argument("household", type=int)
        spl.add_argument("--residents", required=True, help="分出成员的编号，逗号分隔")
        spl.add_argument("--head", type=int, required=True)
        spl.add_argument("--number", required=True, help="新户的户号")
        spl.add_argument("--reason", default="")
        mrg = sub.add_parser("merge", help="合户：SOURCE 的成员并入 TARGET")
        mrg.add_argument("target", type=int)
        mrg.add_argument("source", type=int)
        mrg.add_argument("--reason", required=True)
        mark = sub.add_parser("mark", help="标记成员在户、迁出或死亡")
        mark.add_argument("resident", type=int)
        mark.add_argument("status", choices=["living", "moved_away", "deceased"])
        mark.add_argument("--on", default=None, help="日期 YYYY-MM-DD（默认今天）")
        mark.add_argument("--reason", default="")

    def handle(self, *args, **opts) -> None:
        actor = None
        if opts["user"]:
            from minqing.accounts.models import User

            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有名为“{opts['user']}”的在职账号")
        try:
            getattr(self, f"_{opts['action']}")(opts, actor)
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [])) or str(exc)) from exc

    def _import(self, opts, actor) -> None:
        from minqing.households.imports import HouseholdImportError, import_roster

        mapping = {}
        for item in opts["map"]:
            key, sep, header = item.partition("=")
            if not sep:
                raise CommandError(f"--map 须写成 字段=表头（现为“{item}”）")
            mapping[key.strip()] = header.strip()
        t0 = time.perf_counter()
        try:
            result = import_roster(opts["file"], region=opts["region"], actor=actor, mapping=mapping,
                                   dry_run=opts["dry_run"])
        except HouseholdImportError as exc:
            raise CommandError(exc.report()) from exc
        self.stdout.write(f"{result.summary()}（{time.perf_counter() - t0:.1f} 秒）")

    def _print(self, opts, actor) -> None:
        from minqing.households import printing
        from minqing.households.models import Household
        from minqing.households.printing import docx, pdf

        if actor is None:  # what a file shows (visits, appeals) is what its reader may see
            raise CommandError("打印户档须用 --user 指定工作人员，按其管辖范围取数")
        if bool(opts["household"]) == bool(opts["region"]):
            raise CommandError("请指定 --household 或 --region 之一")
        if opts["household"]:
            chosen = list(Household.objects.filter(pk=opts["household"]))
        else:
            try:
                code = regioncode.normalize(opts["region"])
            except regioncode.RegionCodeError as exc:
                raise CommandError(str(exc)) from exc
            chosen = printing.village_households(actor, code)
        out = opts["out"]
        writer = pdf if out.lower().endswith(".pdf") else docx if out.lower().endswith(".docx") else None
        if writer is None:
            raise CommandError("输出文件须以 .docx 或 .pdf 结尾")
        if writer is pdf and not pdf.available():
            raise CommandError("没有可用的中文字体，无法生成 PDF；请改用 .docx")
        with open(out, "wb") as f:
            n = writer.write(printing.sheets(actor, chosen), f)
        self.stdout.write(f"已打印 {n} 户到 {out}")

    def _household(self, pk: int, actor):
        from minqing.households.models import Household
        from minqing.regions import jurisdiction

        qs = jurisdiction.visible(actor, Household) if actor else Household.objects.alive()
        h = qs.filter(pk=pk).first()
        if h is None:
            raise CommandError(f"没有编号为 {pk} 的户")
        return h

    def _move(self, opts, actor) -> None:
        from minqing.households import services
        from minqing.regions.models import VillageGroup

        h = self._household(opts["household"], actor)
        try:
            code = regioncode.normalize(opts["region"])
        except regioncode.RegionCodeError as exc:
            raise CommandError(str(exc)) from exc
        group_id = None
        if opts["group"] is not None:
            group = VillageGroup.objects.filter(region_id=code, number=opts["group"]).first()
            if group is None:
                raise CommandError(f"该村没有第 {opts['group']} 组")
            group_id = group.pk
        services.move_household(h, actor=actor, region_id=code, group_id=group_id, number=opts["number"],
                                reason=opts["reason"])
        self.stdout.write(f"已将 {h} 迁至 {code}")

    def _split(self, opts, actor) -> None:
        from minqing.households import services

        h = self._household(opts["household"], actor)
        try:
            ids = [int(x) for x in opts["residents"].split(",") if x.strip()]
        except ValueError as exc:
            raise CommandError("--residents 须是逗号分隔的编号") from exc
        new = services.split_household(h, actor=actor, resident_ids=ids, head_id=opts["head"],
                                       number=opts["number"], reason=opts["reason"])
        self.stdout.write(f"已分出新户 {new}（编号 {new.pk}）")

    def _merge(self, opts, actor) -> None:
        from minqing.households import services

        target, source = self._household(opts["target"], actor), self._household(opts["source"], actor)
        services.merge_households(target, source, actor=actor, reason=opts["reason"])
        self.stdout.write(f"已将 {source} 并入 {target}")

    def _mark(self, opts, actor) -> None:
        from minqing.households import services
        from minqing.households.models import Resident
        from minqing.regions import jurisdiction

        qs = jurisdiction.visible(actor, Resident) if actor else Resident.objects.alive()
        r = qs.filter(pk=opts["resident"]).first()
        if r is None:
            raise CommandError(f"没有编号为 {opts['resident']} 的居民")
        try:
            on = dt.date.fromisoformat(opts["on"]) if opts["on"] else None
        except ValueError as exc:
            raise CommandError(f"日期“{opts['on']}”无效，应为 YYYY-MM-DD") from exc
        r = services.set_resident_status(r, actor=actor, status=opts["status"], on=on, reason=opts["reason"])
        self.stdout.write(f"已标记 {r.name}：{r.get_status_display()}")
