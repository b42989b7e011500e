from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the site for years: keys, backup, restore, upgrade."""

    name = "minqing.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from minqing.ops import keyguard

        keyguard.check_at_startup()
