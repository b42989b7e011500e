from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    verbose_name = _("Field work")

    def ready(self) -> None:
        from minqing.appeals.access import appeal_policy
        from minqing.regions import jurisdiction
        from minqing.regions.jurisdiction import PlacePolicy

        from . import models as m
        from .access import OwnRecordPolicy

        # Field records belong to their place; an appeal link is as narrow as the appeal itself
        # (a 举报 raised at a door stays with the discipline commission). A department head who
        # held an on-site office day sees that record although households are not theirs to see.
        jurisdiction.register(m.Visit, OwnRecordPolicy(region_field="region", own_fields=("visitor", "created_by")))
        jurisdiction.register(m.Activity, OwnRecordPolicy(region_field="region", own_fields=("leader", "created_by")))
        jurisdiction.register(m.ResearchTopic, OwnRecordPolicy(region_field="region", own_fields=("leader",)))
        jurisdiction.register(m.ResearchSubtopic, OwnRecordPolicy(region_field="region", own_fields=("leader",)))
        for model in (m.VisitHelp, m.VisitRound, m.VillageList, m.VillageListItem, m.VisitPolicy, m.QuotaRule,
                      m.SyncReceipt):
            jurisdiction.register(model, PlacePolicy(region_field="region"))
        jurisdiction.register(m.FieldAppeal, appeal_policy(prefix="appeal__", region_field="region"))
        from minqing.lib import figures

        from .metrics import section

        figures.register("fieldwork", _("Field work"), section, order=10)
