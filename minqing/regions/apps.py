from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "minqing.regions"
    verbose_name = _("Places")

    def ready(self) -> None:
        from . import jurisdiction, models

        jurisdiction.register(models.Region, jurisdiction.RegionTreePolicy())
        jurisdiction.register(models.VillageGroup, jurisdiction.PlacePolicy())
