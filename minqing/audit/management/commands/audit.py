from django.core.management.base import BaseCommand, CommandError

from minqing.audit.log import verify
from minqing.audit.models import AuditStream, Event


class Command(BaseCommand):
    help = "审计日志：audit verify 校验哈希链，发现断点时以非零状态退出并指出第一条问题事件"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--stream", action="append", help="only this county's chain (6 digits)")

    def handle(self, *args, action: str, stream=None, **options):
        breaks = verify(stream)
        if breaks:
            for b in breaks:
                self.stderr.write(f"审计链断裂 — {b}")
            raise CommandError(f"{len(breaks)} 条审计链校验失败")
        streams = AuditStream.objects.filter(key__in=stream) if stream else AuditStream.objects.all()
        self.stdout.write(f"审计链完好：{streams.count()} 条链，{Event.objects.count()} 个事件")
