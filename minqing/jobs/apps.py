from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "minqing.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        register_codes()
        from minqing.regions import jurisdiction

        from .access import OwnerPolicy
        from .models import Job

        jurisdiction.register(Job, OwnerPolicy())


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("jobs", {
        "job.submitted": _("Background job submitted"),
        "job.done": _("Background job done"),
        "job.failed": _("Background job failed"),
        "job.recovered": _("Background job recovered"),
    }, seen_by=actions.AUDITOR_ONLY)
