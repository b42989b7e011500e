"""minqing notify add-channel wecom|dingtalk|sms|email URL [--secret S] --scope PLACE-CODE [--unit NAME]
minqing notify channels [--scope CODE]
minqing notify deliver [--once]
minqing notify dead [--scope CODE]  |  minqing notify resend ID

Run as the operator (no person): the command line is for whoever runs the server."""

from __future__ import annotations

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.lib import regioncode


class Command(BaseCommand):
    help = "消息通道：添加企业微信/钉钉群机器人或短信通道，查看、发送、重发"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add-channel", help="添加通道（机器人的 Webhook 地址，钉钉加签密钥用 --secret）")
        add.add_argument("kind", choices=["wecom", "dingtalk", "sms", "email"])
        add.add_argument("url", nargs="?", default="")
        add.add_argument("--secret", default="", help="钉钉加签密钥，或短信的 AccessKeySecret/SecretKey")
        add.add_argument("--scope", required=True, help="通道所属地区代码（县或乡镇）")
        add.add_argument("--unit", default="", help="单位名称：该单位的消息发到这个机器人")
        add.add_argument("--name", default="")
        add.add_argument("--provider", default="", help="短信服务商：aliyun、tencent 或 log")
        add.add_argument("--key-id", default="")
        add.add_argument("--app-id", default="")
        add.add_argument("--sign-name", default="")
        add.add_argument("--template", action="append", default=[], metavar="事项=模板代码")
        add.add_argument("--per-minute", type=int, default=20)
        lst = sub.add_parser("channels", help="列出通道")
        lst.add_argument("--scope", default="")
        dl = sub.add_parser("deliver", help="发送到期的消息（通常由 minqing worker 完成）")
        dl.add_argument("--once", action="store_true")
        dead = sub.add_parser("dead", help="列出发送失败的消息")
        dead.add_argument("--scope", default="")
        rs = sub.add_parser("resend", help="重发一条发送失败的消息")
        rs.add_argument("id", type=int)

    def handle(self, *args, **opts) -> None:
        action = opts["action"].replace("-", "_")
        try:
            getattr(self, f"do_{action}")(opts)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc

    def do_add_channel(self, opts) -> None:
        from minqing.accounts.models import Unit
        from minqing.notices import services

        code = regioncode.normalize(opts["scope"]) if opts["scope"].isdigit() else opts["scope"]
        unit_id = None
        if opts["unit"]:
            low, high = regioncode.subtree_range(regioncode.county_of(code)) if code.isdigit() else ("", "")
            units = list(Unit.objects.filter(name=opts["unit"], region_id__gte=low, region_id__lte=high))
            if len(units) != 1:
                raise CommandError(f"本县没有（或有多个）名为“{opts['unit']}”的单位")
            unit_id = units[0].pk
        templates = dict(t.split("=", 1) for t in opts["template"] if "=" in t)
        e = services.add_endpoint(actor=None, kind=opts["kind"], region_code=code, url=opts["url"],
                                  secret=opts["secret"], name=opts["name"], unit_id=unit_id,
                                  provider=opts["provider"], key_id=opts["key_id"], app_id=opts["app_id"],
                                  sign_name=opts["sign_name"], templates=templates, per_minute=opts["per_minute"])
        self.stdout.write(f"已添加通道 #{e.pk}：{e.name}")

    def do_channels(self, opts) -> None:
        from minqing.notices.models import Endpoint

        rows = Endpoint.objects.select_related("region", "unit").order_by("region_id", "pk")
        if opts["scope"]:
            low, high = regioncode.subtree_range(opts["scope"])
            rows = rows.filter(region_id__gte=low, region_id__lte=high)
        for e in rows:
            state = "启用" if e.is_active else "停用"
            self.stdout.write(f"#{e.pk}\t{e.kind}\t{e.region.name}\t{e.unit.name if e.unit else '-'}\t"
                              f"{e.url.split('?', 1)[0]}\t{state}")

    def do_deliver(self, opts) -> None:
        from minqing.notices import delivery

        while True:
            counts = delivery.deliver_due()
            if any(counts.values()):
                self.stdout.write("，".join(f"{k} {v}" for k, v in counts.items() if v))
            if opts["once"]:
                return
            time.sleep(2)

    def do_dead(self, opts) -> None:
        from minqing.notices.models import Notice

        rows = Notice.objects.filter(state=Notice.State.DEAD).order_by("-created_at")
        if opts["scope"]:
            low, high = regioncode.subtree_range(opts["scope"])
            rows = rows.filter(region_id__gte=low, region_id__lte=high)
        for n in rows[:200]:
            self.stdout.write(f"#{n.pk}\t{n.created_at:%Y-%m-%d %H:%M}\t{n.channel}\t{n.kind}\t{n.last_error}")

    def do_resend(self, opts) -> None:
        from minqing.notices import services
        from minqing.notices.models import Notice

        n = Notice.objects.filter(pk=opts["id"]).first()
        if n is None:
            raise CommandError(f"没有编号为 {opts['id']} 的消息")
        services.resend(n, actor=None)
        self.stdout.write(f"已重新排队：#{n.pk}")
