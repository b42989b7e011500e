from django.core.management.base import BaseCommand, CommandError

from minqing.audit import checkpoint
from minqing.audit.log import verify
from minqing.audit.models import AuditStream, Event
from minqing.audit.rechain import RechainRefused, rechain


class Command(BaseCommand):
    help = ("审计日志：verify 校验哈希链与检查点并列出每一处断点（有断点时非零退出）；checkpoint 将各链链头签名"
            "写入 var/audit 下当日的检查点文件并记入运维日志（每日运行）；"
            "rechain 为启用密钥前写入的事件重建带密钥的链（一次性）")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "checkpoint", "rechain"])
        parser.add_argument("--stream", action="append", help="only this county's chain (6 digits)")

    def handle(self, *args, action: str, stream=None, **options):
        if action == "checkpoint":
            path = checkpoint.write()
            self.stdout.write(f"检查点已写入 {path}")
            return
        if action == "rechain":
            try:
                done = rechain(stream)
            except RechainRefused as exc:
                for b in exc.breaks:
                    self.stderr.write(f"审计链断裂 — {b}")
                raise CommandError("审计链已有断点，拒绝重建；请先查明原因") from exc
            for r in done:
                self.stdout.write(f"链 {r.stream}：" + (f"重建 {r.events} 个事件" if r.events else "已带密钥，未改动"))
            self.stdout.write("请接着运行 minqing audit checkpoint")
            return
        breaks = verify(stream)
        if breaks:
            for b in breaks:
                self.stderr.write(f"审计链断裂 — {b}")
            raise CommandError(f"审计链校验失败：{len(breaks)} 处断点")
        streams = AuditStream.objects.filter(key__in=stream) if stream else AuditStream.objects.all()
        self.stdout.write(f"审计链完好：{streams.count()} 条链，{Event.objects.count()} 个事件")
