from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HouseholdsConfig(AppConfig):
    name = "minqing.households"
    verbose_name = _("Households")

    def ready(self) -> None:
        from minqing.regions import jurisdiction

        from . import jobs, models  # noqa: F401 - jobs registers its kinds

        # The register: place posts, plus the county 民政局 (jurisdiction.keeps_register).
        for model in (models.Household, models.Resident):
            jurisdiction.register(model, jurisdiction.PlacePolicy(reveal=models.reveal_rule, codes="register_codes"))
