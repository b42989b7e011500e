from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minqing.accounts import services
from minqing.accounts.admins import county_code_of
from minqing.accounts.models import User
from minqing.accounts.staff_import import import_staff
from minqing.lib import regioncode
from minqing.lib.cells import LedgerImportError


class Command(BaseCommand):
    help = ("人员：staff import FILE --region COUNTY [--dry-run] | staff code USERNAME | "
            "staff deactivate USERNAME --reason TEXT")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        imp = sub.add_parser("import", help="import staff from .xlsx/.csv (登录名, 姓名, 单位, 职务[, 辖区代码])")
        imp.add_argument("file")
        imp.add_argument("--region", required=True, help="the county's code")
        imp.add_argument("--dry-run", action="store_true")
        code = sub.add_parser("code", help="issue a one-time code with which the person sets their password")
        code.add_argument("username")
        off = sub.add_parser("deactivate", help="deactivate an account (never deleted)")
        off.add_argument("username")
        off.add_argument("--reason", required=True)

    def handle(self, *args, what, **o):
        try:
            if what == "import":
                county = county_code_of(o["region"])
                self.stdout.write(import_staff(o["file"], actor=None, county=county, dry_run=o["dry_run"]).summary())
                return
            user = User.objects.filter(username=o["username"]).first()
            if user is None:
                raise CommandError(f"没有登录名为“{o['username']}”的账号")
            if what == "code":
                code = services.issue_setup_code(user, actor=None)
                self.stdout.write(f"一次性验证码：{code}（{services.SETUP_CODE_HOURS} 小时内有效，只显示这一次）")
            else:
                services.deactivate_staff(user, actor=None, reason=o["reason"])
                self.stdout.write(f"已停用 {user.username}")
        except LedgerImportError as exc:
            raise CommandError(exc.report()) from exc
        except (ValidationError, regioncode.RegionCodeError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc
