"""minqing backup OUT [--keep N] — database snapshot + sealed keys + files in one archive."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.ops import archive

PASSPHRASE_ENV = "MINQING_BACKUP_PASSPHRASE"


def add_passphrase_option(parser: CommandParser) -> None:
    parser.add_argument("--passphrase-file", help=f"口令文件（第一行）；也可用环境变量 {PASSPHRASE_ENV}，否则交互输入")


def read_passphrase(opts: dict, *, confirm: bool) -> str:
    if opts.get("passphrase_file"):
        return Path(opts["passphrase_file"]).read_text(encoding="utf-8").splitlines()[0].strip()
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        raise CommandError(f"请用 --passphrase-file 或环境变量 {PASSPHRASE_ENV} 提供备份口令")
    first = getpass.getpass("备份口令：")
    if confirm and getpass.getpass("再输入一次：") != first:
        raise CommandError("两次输入的口令不一致")
    return first


class Command(BaseCommand):
    help = "备份：数据库快照、用口令加密的密钥、上传文件和任务文件，写成一个文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="备份文件名，或目录（自动按时间命名）")
        parser.add_argument("--keep", type=int, default=0, help="OUT 为目录时只保留最新的 N 份（0：全部保留）")
        add_passphrase_option(parser)

    def handle(self, *args, **opts) -> None:
        if opts["keep"] < 0:
            raise CommandError("--keep 不能为负数")
        if opts["keep"] and not archive.is_directory(opts["out"]):
            raise CommandError("--keep 只用于目录：OUT 应为存放备份的目录")
        try:
            written = archive.backup(opts["out"], read_passphrase(opts, confirm=True))
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(f"已写出备份 {written}（{written.stat().st_size / 1e6:.1f} MB）")
        if opts["keep"]:
            for gone in archive.prune(written.parent, opts["keep"]):
                self.stdout.write(f"已删除过期备份 {gone.name}")
