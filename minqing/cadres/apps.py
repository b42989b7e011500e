from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    name = "minqing.cadres"
    verbose_name = _("Cadres")

    def ready(self) -> None:
        register_codes()
        from minqing.appeals import hooks
        from minqing.fieldwork.access import OwnRecordPolicy
        from minqing.lib import figures as figure_registry
        from minqing.regions import jurisdiction
        from minqing.regions.jurisdiction import PlacePolicy

        from . import figures
        from .models import CadreRating, CheckIn, DutyShift
        from .ratings import on_appeal_change

        # Rows belong to their place; who reads a cadre's ratings is narrower still (oversight.py),
        # applied by the queries that read them. A check-in is also its maker's own.
        jurisdiction.register(CadreRating, PlacePolicy(region_field="region"))
        jurisdiction.register(DutyShift, OwnRecordPolicy(region_field="region", own_fields=("person",)))
        jurisdiction.register(CheckIn, OwnRecordPolicy(region_field="region", own_fields=("person",)))
        hooks.on_change("cadres", on_appeal_change)  # the rating of the cadre asked at the return visit
        figure_registry.register("cadres", _("Cadres"), figures.section, order=200)


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("cadres", {
        "cadre.rated": _("Resident's rating of a cadre"),
        "duty.shift_added": _("Duty shift added"),
        "duty.shift_cancelled": _("Duty shift cancelled"),
        "duty.checked_in": _("Checked in at the post"),
    })
    from minqing.appeals.labels import SATISFACTION_LABELS

    from .models import RatingSource

    actions.register_values("source", dict(RatingSource.choices))
    actions.register_values("cadre_rating", SATISFACTION_LABELS)
    actions.register_keys({"cadre_rating": _("rating of the cadre"), "cadre": _("cadre"),
                           "located": _("location recorded"), "shift": _("duty shift")})
