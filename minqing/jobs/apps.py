from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "minqing.jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from minqing.regions import jurisdiction

        from . import kinds  # noqa: F401 - registers the built-in kinds
        from .access import OwnerPolicy
        from .models import Job

        jurisdiction.register(Job, OwnerPolicy())
