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
        from django.utils.translation import gettext_lazy as _

        from minqing.lib import figures

        from . import repeats
        from .models import RepeatLink

        jurisdiction.register(RepeatLink, access.appeal_policy(prefix="appeal__"))
        # 重复诉求率 (numerator / denominator) on the dashboard, in the briefing and /api/v1/metrics/repeats
        figures.register("repeats", _("Repeat appeals"), repeats.figures, order=15)
