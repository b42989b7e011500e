from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "minqing.audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        register_codes()


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("audit", {
        "audit.exported": _("Audit trail exported"),
        "audit.rechained": _("Audit chain re-keyed"),
    }, seen_by=actions.AUDITOR_ONLY)
    # the operator's admin site writes admin.<app>.<model>.<verb> for any model (audit.admin_site)
    actions.register_family("admin.", lambda what: _("Operator's admin: %(what)s") % {"what": what})
