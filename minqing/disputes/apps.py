from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "minqing.disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from minqing.appeals import hooks
        from minqing.appeals.access import appeal_policy
        from minqing.regions import jurisdiction

        from . import models as m
        from . import services

        # The dispute follows its appeal through an audited service call in the appeal's transaction.
        hooks.on_change("disputes", services.on_appeal_changed)

        # Every row follows its appeal's policy (place, unit, and the family-dispute rule), reached
        # through the foreign keys: a dispute is exactly as visible as the appeal it is.
        jurisdiction.register(m.Dispute, appeal_policy(prefix="appeal__"))
        for model in (m.Party, m.RiskReview, m.MediationStage, m.MediationSession, m.Agreement, m.FollowUp,
                      m.Referral):
            jurisdiction.register(model, appeal_policy(prefix="dispute__appeal__"))
        jurisdiction.register(m.Term, appeal_policy(prefix="agreement__dispute__appeal__"))
        jurisdiction.register(m.TermCheck, appeal_policy(prefix="follow_up__dispute__appeal__"))
        jurisdiction.register(m.PartyAccess, appeal_policy(prefix="party__dispute__appeal__"))
        jurisdiction.register(m.PartyMessage, appeal_policy(prefix="dispute__appeal__"))
        from minqing.lib import figures

        from .metrics import summary

        figures.register("disputes", _("Disputes"), summary, order=40)
