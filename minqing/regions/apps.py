from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RegionsConfig(AppConfig):
    name = "minqing.regions"
    verbose_name = _("Places")

    def ready(self) -> None:
        register_codes()
        from . import jurisdiction, models

        jurisdiction.register(models.Region, jurisdiction.RegionTreePolicy())
        jurisdiction.register(models.VillageGroup, jurisdiction.PlacePolicy())


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("regions", {
        "region.merged": _("Places merged"),
        "region.split": _("Place split"),
        "region.renamed": _("Place renamed"),
        "regions.imported": _("Places imported"),
        "village_group.created": _("Village group created"),
        "village_group.renamed": _("Village group renamed"),
    })
    actions.register_keys({"into": pgettext_lazy("detail", "merged into"),
                           "on": pgettext_lazy("detail", "effective on")})
