from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "minqing.households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from minqing.regions import jurisdiction

        from . import jobs, models  # noqa: F401 - jobs registers its kinds

        jurisdiction.register(models.Household, jurisdiction.PlacePolicy(reveal=models.reveal_rule))
        jurisdiction.register(models.Resident, jurisdiction.PlacePolicy(reveal=models.reveal_rule))
