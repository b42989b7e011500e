from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NlpConfig(AppConfig):
    name = "minqing.nlp"
    verbose_name = _("Text understanding")

    def ready(self) -> None:
        register_codes()
        from minqing.appeals import hooks
        from minqing.regions import jurisdiction

        from . import follow, jobs
        from .models import CategoryFeedback

        jobs.register_kinds()  # the index and model background jobs
        jurisdiction.register(CategoryFeedback, jurisdiction.PlacePolicy(region_field="region"))
        # The index follows every appeal change after commit (bulk loads: `minqing search rebuild`);
        # the model suggests a category at registration; corrections of its suggestions are feedback.
        hooks.on_change("nlp", follow.on_appeal_changed)
        hooks.set_suggester("nlp", follow.suggest_category)
        # fieldwork sits above nlp: its visit services mark their visits with follow.touch themselves.


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("nlp", {
        "nlp.category_feedback": _("Category correction kept for the model"),
        "search_synonyms.seeded": _("Common search synonyms adopted"),
        "search_synonyms.created": _("Search synonym group added"),
        "search_synonyms.saved": _("Search synonym group changed"),
        "search_synonyms.deactivated": _("Search synonym group switched off"),
        "search_synonyms.reactivated": _("Search synonym group switched on again"),
    })
