from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HouseholdsConfig(AppConfig):
    name = "minqing.households"
    verbose_name = _("Households")

    def ready(self) -> None:
        register_codes()
        from minqing.regions import jurisdiction, services

        from . import jobs, models, region_moves  # noqa: F401 - jobs registers its kinds

        # The register: place posts, plus the county 民政局 (jurisdiction.keeps_register).
        for model in (models.Household, models.Resident):
            jurisdiction.register(model, jurisdiction.PlacePolicy(reveal=models.reveal_rule, codes="register_codes"))
        # A village that merges or splits takes its households along (regions imports no higher part).
        services.register_movers("households", services.Movers(merge=region_moves.merge_into,
                                                               split=region_moves.split_into))


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("households", {
        "household.created": _("Household created"),
        "household.updated": _("Household updated"),
        "household.moved": _("Household moved"),
        "household.split": _("Household split"),
        "household.merged": _("Households merged"),
        "household.removed": _("Household closed"),
        "households.import": _("Roster imported"),
        "resident.created": _("Resident added"),
        "resident.updated": _("Resident updated"),
        "resident.status": _("Resident's status changed"),
        "resident.revealed": _("Resident's personal data shown in clear"),
        "resident.erased": _("Resident's personal data erased"),
    })
    from .models import BUILTIN_TAGS

    actions.register_values("tags", {code: name for code, name, _per_year in BUILTIN_TAGS})  # 户类别 in details
    personal = {"id_number": pgettext_lazy("detail", "ID number"), "phone": pgettext_lazy("detail", "phone"),
                "birth_date": pgettext_lazy("detail", "date of birth")}
    actions.register_keys({
        "erased": pgettext_lazy("detail", "erased"), "field": pgettext_lazy("detail", "field shown"),
        "new_household": pgettext_lazy("detail", "new household"),
        "from_household": pgettext_lazy("detail", "merged from household"),
        "households_created": pgettext_lazy("detail", "households created"),
        "households_updated": pgettext_lazy("detail", "households updated"),
        "residents_created": pgettext_lazy("detail", "residents created"),
        "residents_updated": pgettext_lazy("detail", "residents updated"),
        "region_id": pgettext_lazy("detail", "place"), "residents": pgettext_lazy("detail", "residents"),
    })
    actions.register_values("erased", personal)
    actions.register_values("field", personal)
