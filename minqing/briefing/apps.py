from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingConfig(AppConfig):
    name = "minqing.briefing"
    verbose_name = _("Briefings")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the briefing's .docx job
