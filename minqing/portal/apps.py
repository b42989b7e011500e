from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "minqing.portal"
    verbose_name = _("Residents' portal")

    def ready(self) -> None:
        register_codes()
        from minqing.appeals.access import appeal_policy
        from minqing.regions import jurisdiction

        from .models import Letter, Rating
        from .progress import register_public

        # Staff reading letters or ratings see exactly what they see of the appeal behind them
        # (举报 only for the discipline commission, never for a person it names).
        jurisdiction.register(Letter, appeal_policy(prefix="appeal__", region_field="appeal__region"))
        jurisdiction.register(Rating, appeal_policy(prefix="appeal__", region_field="appeal__region"))
        register_public()  # what the resident reads for each appeal event (after appeals registered its codes)


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("portal", {
        "portal.letter_received": _("Letter received on the portal"),
        "portal.rated": _("Resident's rating on the portal"),
        "portal.rated_by_link": _("Resident's rating from the SMS link"),
    })
