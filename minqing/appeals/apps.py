from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "minqing.appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from minqing.audit.trail import register_withholding
        from minqing.households.printing import register_list
        from minqing.lib import figures
        from minqing.regions import jurisdiction

        from . import access, labels
        from .dispatch_metrics import section
        from .models import Appeal, Report
        from .queries import household_lines

        jurisdiction.register(Appeal, access.appeal_policy())
        jurisdiction.register(Report, access.appeal_policy(prefix="appeal__", region_field="region"))
        labels.register()  # its codes in the action registry (minqing.audit.actions)
        register_list("appeals", household_lines)  # a household's appeals on its printed file
        register_withholding("appeals.appeal", access.withheld_ids)  # 举报 content kept from the trail
        figures.register("dispatch", _("Dispatch"), section, order=5)
