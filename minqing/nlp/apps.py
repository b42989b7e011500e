from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NlpConfig(AppConfig):
    name = "minqing.nlp"
    verbose_name = _("Text understanding")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from minqing.appeals.models import Appeal, AppealEvent, Progress, Report
        from minqing.regions import jurisdiction

        from . import search, signals
        from .models import CategoryFeedback

        jurisdiction.register(CategoryFeedback, jurisdiction.PlacePolicy(region_field="region"))
        # The index follows every write of the texts it holds (bulk loads: `minqing search rebuild`).
        post_save.connect(signals.on_appeal, sender=Appeal, dispatch_uid="nlp_appeal")
        post_save.connect(signals.on_report, sender=Report, dispatch_uid="nlp_report")
        post_save.connect(signals.on_progress, sender=Progress, dispatch_uid="nlp_progress")
        post_save.connect(signals.on_event, sender=AppealEvent, dispatch_uid="nlp_event")  # replies, results
        Visit = search.visit_model()
        if Visit is not None:
            post_save.connect(signals.on_visit, sender=Visit, dispatch_uid="nlp_visit")
