from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SysadminConfig(AppConfig):
    name = "minqing.sysadmin"
    label = "sysadmin"
    verbose_name = _("System settings")

    def ready(self) -> None:
        register_codes()


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("sysadmin", {
        "category.created": _("Category created"),
        "category.saved": _("Category saved"),
        "category.deactivated": _("Category deactivated"),
        "category.reactivated": _("Category reactivated"),
        "deadline_rule.created": _("Deadline rule created"),
        "deadline_rule.saved": _("Deadline rule saved"),
        "deadline_rule.withdrawn": _("Deadline rule withdrawn"),
        "dispute_kind.created": _("Kind of dispute created"),
        "dispute_kind.saved": _("Kind of dispute saved"),
        "dispute_kind.deactivated": _("Kind of dispute deactivated"),
        "dispute_kind.reactivated": _("Kind of dispute reactivated"),
        "quota.created": _("Quota created"),
        "quota.saved": _("Quota saved"),
        "quota.deactivated": _("Quota deactivated"),
        "quota.reactivated": _("Quota reactivated"),
        "holidays.year_entered": _("Year's holidays entered"),
        "visit_policy.saved": _("Visit policy saved"),
    })
