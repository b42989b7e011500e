from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "minqing.ledgers"
    verbose_name = _("Ledgers")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the ledger's export and import jobs
