from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "minqing.appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from minqing.regions import jurisdiction

        from . import access
        from .models import Appeal, Report

        jurisdiction.register(Appeal, access.appeal_policy())
        jurisdiction.register(Report, access.appeal_policy(prefix="appeal__", region_field="region"))
        from minqing.lib import figures

        from .dispatch_metrics import section

        figures.register("dispatch", _("Dispatch"), section, order=5)
