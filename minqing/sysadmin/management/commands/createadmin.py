from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from minqing.accounts import services


class Command(BaseCommand):
    help = "建立一个县的第一位系统管理员，并打印一次性验证码（本人用它设置密码）"

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="the county's region code, e.g. 511722")
        parser.add_argument("--username", default="admin", help="log-in name (default: admin)")
        parser.add_argument("--name", default="", help="the person's name")

    def handle(self, *args, region, username, name, **options):
        try:
            user, code = services.create_county_admin(county=region, username=username, display_name=name)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        hours = services.SETUP_CODE_HOURS
        self.stdout.write(f"已建立系统管理员 {user.username}（{user.county.name}）。")
        self.stdout.write(f"一次性验证码：{code}（{hours} 小时内有效，只显示这一次）")
        self.stdout.write("请本人打开 /setup/activate/ ，输入登录名和验证码，设置自己的密码。")
