from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the site for years: keys, backup, restore, upgrade."""

    name = "minqing.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from minqing.ops import keyguard, querylimits

        connection_created.connect(querylimits.on_connection_created)
        keyguard.check_at_startup()
