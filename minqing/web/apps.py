from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _

# Third-party tables shown in the admin, which ship no Chinese: their names in the project catalogue.
THIRD_PARTY_NAMES = {
    "axes": (_("Failed log-in lock"), {"accessattempt": (_("failed log-in attempt"), _("failed log-in attempts")),
                                       "accessfailurelog": (_("log-in failure"), _("log-in failures")),
                                       "accesslog": (_("log-in record"), _("log-in records"))}),
    "otp_static": (_("Backup codes"), {"staticdevice": (_("backup code set"), _("backup code sets")),
                                       "statictoken": (_("backup code"), _("backup codes"))}),
    "otp_totp": (_("Authenticator apps"), {"totpdevice": (_("authenticator app"), _("authenticator apps"))}),
}


class WebConfig(AppConfig):
    name = "minqing.web"
    verbose_name = _("Web")

    def ready(self) -> None:
        for label, (app_name, models) in THIRD_PARTY_NAMES.items():
            if not apps.is_installed(label) and label not in apps.app_configs:
                continue
            config = apps.get_app_config(label)
            config.verbose_name = app_name
            for model_name, (one, many) in models.items():
                try:
                    meta = config.get_model(model_name)._meta
                except LookupError:
                    continue
                meta.verbose_name, meta.verbose_name_plural = one, many
