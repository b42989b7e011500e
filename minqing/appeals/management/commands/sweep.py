import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from minqing.appeals.sweeps import sweep


class Command(BaseCommand):
    help = "截止期限巡检：设置诉求红黄灯，逾期时记录事件（建议每几分钟运行一次）"

    def add_arguments(self, parser):
        parser.add_argument("--now", default=None, help="pretend it is this time (ISO 8601, with offset)")

    def handle(self, *args, now: str | None, **options):
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError as exc:
                raise CommandError("--now 格式无效，应为 ISO 8601 时间，如 2025-03-03T09:00+08:00") from exc
            if at.tzinfo is None:
                raise CommandError("--now 须带时区，如 +08:00")
        result = sweep(at)
        self.stdout.write(f"黄灯 {result.yellow} 件，红灯（新逾期）{result.red} 件，熄灯 {result.cleared} 件")
        if at is None:
            from minqing.audit.checkpoint import ensure_today

            written = ensure_today()  # the day's signed audit checkpoint, once a day
            if written:
                self.stdout.write(f"审计链检查点已写入 {written}")
