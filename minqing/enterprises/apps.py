from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "minqing.enterprises"
    verbose_name = _("Enterprises and projects")

    def ready(self) -> None:
        register_codes()
        from minqing.appeals.access import appeal_policy
        from minqing.regions import jurisdiction

        from . import models as m
        from .access import FigurePolicy

        jurisdiction.register(m.Enterprise, FigurePolicy(own_fields=("pairings__leader",)))
        jurisdiction.register(m.LiaisonPairing, FigurePolicy(own_fields=("leader",)))
        jurisdiction.register(m.EnterpriseVisit, FigurePolicy(own_fields=("visitor", "created_by")))
        # An enterprise's appeal is as narrow as the appeal itself (a 举报 stays with 纪委).
        jurisdiction.register(m.EnterpriseAppeal, appeal_policy(prefix="appeal__", region_field="region"))
        from minqing.lib import figures

        from .metrics import liaison_section

        figures.register("liaison", _("Enterprise liaison"), liaison_section, order=30)


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("enterprises", {
        "enterprise.created": _("Enterprise created"),
        "enterprise.paired": _("Leader paired with an enterprise"),
        "enterprise.unpaired": _("Leader's pairing ended"),
        "enterprise.visited": _("Enterprise visited"),
        "enterprise.appeal_raised": _("Case raised from an enterprise visit"),
    })
