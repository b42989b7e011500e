"""minqing restore FILE [--replace] — put a backup back: database, keys (var/keys.json), files."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.ops import archive

from .backup import add_passphrase_option, read_passphrase


class Command(BaseCommand):
    help = "从备份恢复：先验证备份中的密钥能打开其中的数据，再恢复数据库、密钥和文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="minqing backup 写出的备份文件")
        parser.add_argument("--replace", action="store_true", help="目标数据库已有数据时仍然覆盖")
        add_passphrase_option(parser)

    def handle(self, *args, **opts) -> None:
        try:
            done = archive.restore(Path(opts["file"]), read_passphrase(opts, confirm=False),
                                   replace=opts["replace"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已恢复 {done.created_at} 的备份（{done.engine}，{done.files} 个文件），"
                          "密钥已写入 var/keys.json。下一步：minqing upgrade，然后 minqing audit verify。")
