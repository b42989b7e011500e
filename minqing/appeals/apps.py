from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "minqing.appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from minqing.audit import actions
        from minqing.audit.trail import register_withholding
        from minqing.households.printing import register_list
        from minqing.jobs import periodic
        from minqing.lib import figures
        from minqing.regions import jurisdiction

        from . import access, labels, sweeps
        from .dispatch_metrics import section
        from .models import Appeal, Report
        from .queries import household_lines

        jurisdiction.register(Appeal, access.appeal_policy())
        jurisdiction.register(Report, access.appeal_policy(prefix="appeal__", region_field="region"))
        labels.register()  # its codes in the action registry (minqing.audit.actions)
        register_list("appeals", household_lines)  # a household's appeals on its printed file
        register_withholding("appeals.appeal", access.withheld_ids)  # 举报 content kept from the trail
        figures.register("dispatch", _("Dispatch"), section, order=5)
        from . import repeats
        from .models import RepeatLink

        jurisdiction.register(RepeatLink, access.appeal_policy(prefix="appeal__"))
        actions.register_values("basis", repeats.BASIS_LABELS)  # 重复件: why it was matched
        actions.register_values("decision", repeats.DECISION_LABELS)
        actions.register_keys({"earlier": _("earlier case"), "repeat": _("repeated by"), "basis": _("matched by"),
                               "similarity": _("similarity"), "earlier_closed": _("earlier case already closed")})
        # 重复诉求率 (numerator / denominator) on the dashboard, in the briefing and /api/v1/metrics/repeats
        figures.register("repeats", _("Repeat appeals"), repeats.figures, order=15)
        # the yellow/red sweep runs by itself inside `minqing serve` and `minqing worker`
        periodic.register("sweep", periodic.minutes_setting("MINQING_SWEEP_MINUTES", 5), sweeps.periodic_sweep)
