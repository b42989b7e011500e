from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FieldworkConfig(AppConfig):
    name = "minqing.fieldwork"
    verbose_name = _("Field work")

    def ready(self) -> None:
        register_codes()
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
        jurisdiction.register(m.Deed, OwnRecordPolicy(region_field="region", own_fields=("leader", "created_by")))
        jurisdiction.register(m.GroupPetition, appeal_policy(prefix="appeal__", region_field="region"))
        for model in (m.CareFile, m.VisitHelp, m.VisitRound, m.VillageList, m.VillageListItem, m.VisitPolicy,
                      m.QuotaRule, m.SyncReceipt, m.VisitPhoto):
            jurisdiction.register(model, PlacePolicy(region_field="region"))
        jurisdiction.register(m.FieldAppeal, appeal_policy(prefix="appeal__", region_field="region"))
        from minqing.lib import figures

        from .metrics import section

        figures.register("fieldwork", _("Field work"), section, order=10)
        from . import people

        # 人次、场次, help at the door, 带案下访, 集访 and 为民办实事 (people.py: one definition per figure)
        figures.register("people", _("Work with the people"), people.section, order=11)
        from . import household_lists

        household_lists.register()  # visits and help on the printed household file
        from . import hotspot_actions

        hotspot_actions.register()  # a hot spot turned into a courtyard meeting or a research topic


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("fieldwork", {
        "field.activity.created": _("Field activity created"),
        "field.activity.updated": _("Field activity updated"),
        "field.care.closed": _("Care file closed"),
        "field.care.opened": _("Care file opened"),
        "field.deed.recorded": _("Practical thing done recorded"),
        "field.group_petition.recorded": _("Group petition recorded"),
        "field.lists.prepared": _("Visit lists prepared"),
        "field.lists.ticked": _("Visit list ticked"),
        "field.round.created": _("Research round created"),
        "field.round.results": _("Research round results"),
        "field.round.corrected": _("Visit round results corrected"),
        "field.round.leader": _("Visit round leader named"),
        "field.subtopic.created": _("Research sub-topic created"),
        "field.subtopic.findings": _("Research sub-topic findings"),
        "field.topic.conclusions": _("Research topic conclusions"),
        "field.topic.created": _("Research topic created"),
        "field.visit.created": _("Visit recorded"),
        "field.visit.updated": _("Visit updated"),
        "field.visit.photo_added": _("Visit photo added"),
    })
    from .models import HelpKind

    # a visit's details name the help given at the door by its kinds (送慰问品, not condolence_goods)
    actions.register_keys({"help": pgettext_lazy("detail", "help at the door")})
    actions.register_values("help", dict(HelpKind.choices))
