from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputesConfig(AppConfig):
    name = "minqing.disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        register_codes()
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


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("disputes", {
        "dispute.adopted": _("Dispute taken up from a case"),
        "dispute.party_message": _("Message from a party"),
        "dispute.agreement_photo": _("Photo of the agreement added"),
        "dispute.agreement_recorded": _("Mediation agreement recorded"),
        "dispute.followed_appeal": _("Dispute followed its case"),
        "dispute.followed_up": _("Dispute followed up"),
        "dispute.party_added": _("Party added"),
        "dispute.party_code_issued": _("Party's code issued"),
        "dispute.party_code_revoked": _("Party's code revoked"),
        "dispute.party_messages_read": _("Parties' messages read"),
        "dispute.referred": _("Dispute referred"),
        "dispute.registered": _("Dispute registered"),
        "dispute.reopened": _("Dispute reopened"),
        "dispute.risk_reviewed": _("Risk reviewed"),
        "dispute.session_added": _("Mediation session recorded"),
        "dispute.stage_started": _("Mediation stage started"),
    })
    # the details of a dispute's audit events, in words (docs/decisions/0024)
    actions.register_keys({
        "follow_up": _("follow-up visit"), "agreement": _("mediation agreement"), "kept": _("terms kept"),
        "broken": _("terms broken"), "broken_terms": _("terms broken"), "party": _("party"),
        "revoked": _("codes revoked"), "term": _("term"), "household": _("household"),
        "disputes": _("disputes"), "count": pgettext_lazy("detail", "how many"),
        "handed_from": pgettext_lazy("detail", "handed over from"), "parties": pgettext_lazy("detail", "parties"),
        "referral": pgettext_lazy("detail", "referred to"),
        "session": pgettext_lazy("detail", "mediation session"), "stage": pgettext_lazy("detail", "mediation stage"),
    })
    from .models import SessionResult, StageResult

    # "result" of a stage or a session event: the dispute has no such field, the stage and session do
    actions.register_values("result", {**{c: label for c, label in StageResult.choices if c},
                                       **dict(SessionResult.choices)})
