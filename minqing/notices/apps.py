from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "minqing.notices"
    label = "notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from minqing.appeals import hooks
        from minqing.audit import actions
        from minqing.jobs import runner

        from . import delivery, triggers

        # Inside every appeal change's transaction: the outbox rows commit or roll back with it.
        hooks.on_change("notices", triggers.on_appeal_changed)
        # `minqing worker` sends what is due on each pass (docs/decisions/0030).
        runner.register_pass("notices", delivery.worker_pass)
        actions.register("notices", {
            "notices.channel_added": _("Notice channel added"),
            "notices.channel_enabled": _("Notice channel switched on"),
            "notices.channel_disabled": _("Notice channel switched off"),
            "notices.preference_set": _("Notice preferences set"),
            "notices.resent": _("Failed notice sent again"),
            "notices.dead_letter": _("Notice given up after its retries"),
        })
