from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "minqing.checklists"
    verbose_name = _("Household checklists")

    def ready(self) -> None:
        register_codes()
        from minqing.appeals.access import appeal_policy
        from minqing.regions import jurisdiction
        from minqing.regions.jurisdiction import PlacePolicy

        from . import models as m
        from .access import CountyFormPolicy

        # Definitions are the county's forms; answers are the household's personal data.
        for model in (m.Checklist, m.ChecklistVersion, m.ChecklistItem):
            jurisdiction.register(model, CountyFormPolicy())
        jurisdiction.register(m.ChecklistResponse, PlacePolicy(region_field="region"))
        jurisdiction.register(m.ChecklistAnswer, PlacePolicy(region_field="region"))
        jurisdiction.register(m.ChecklistAppeal, appeal_policy(prefix="appeal__", region_field="region"))
        from minqing.lib import figures

        from .metrics import section

        figures.register("checklists", _("Household checklists"), section, order=20)
        from minqing.fieldwork.sync import register_visit_part

        from .services import apply_visit_answers

        register_visit_part("checklist", apply_visit_answers)  # answers brought by a synced visit


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("checklists", {
        "checklist.created": _("Checklist created"),
        "checklist.version_created": _("Checklist version created"),
        "checklist.version_edited": _("Checklist version edited"),
        "checklist.answered": _("Checklist answered on a visit"),
        "checklist.appeal_raised": _("Case raised from a checklist"),
    })
