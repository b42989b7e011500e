from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SysadminConfig(AppConfig):
    name = "minqing.sysadmin"
    label = "sysadmin"
    verbose_name = _("System settings")
