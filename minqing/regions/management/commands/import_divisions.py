from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minqing.regions.importer import DivisionImportError, import_divisions, shipped_divisions


class Command(BaseCommand):
    help = "导入区划：pcas-code.json、省/市/县/乡 CSV 或村级 CSV（code,name,parent_code）；全部成功或全部不写入"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="file or folder (default: the copy shipped in the package)")

    def handle(self, *args, path=None, **options):
        try:
            report = import_divisions(Path(path) if path else shipped_divisions())
        except DivisionImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(report.summary())
