from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DemoConfig(AppConfig):
    name = "minqing.demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        register_codes()


def register_codes() -> None:
    """This part's audit codes in the action registry (minqing.audit.actions)."""
    from minqing.audit import actions

    actions.register("demo", {
        "demo.loaded": _("Demo data loaded"),
    }, seen_by=actions.AUDITOR_ONLY)
    actions.register_keys({"seed": pgettext_lazy("demo", "random seed"), "anchor": pgettext_lazy("demo", "demo date"),
                           "households": pgettext_lazy("demo", "households")})
