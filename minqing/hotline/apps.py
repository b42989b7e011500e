from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "minqing.hotline"
    verbose_name = _("12345 hotline and Open311")

    def ready(self) -> None:
        from minqing.appeals.access import appeal_policy
        from minqing.audit import actions
        from minqing.lib import figures as registry
        from minqing.regions import jurisdiction

        from . import jobs  # noqa: F401 - registers the import job kind
        from .figures import section
        from .models import HotlineOrder

        # A work order is exactly as visible as the case it became.
        jurisdiction.register(HotlineOrder, appeal_policy(prefix="appeal__", region_field="appeal__region"))
        registry.register("hotline", _("12345 hotline"), section, order=50)
        actions.register("hotline", {"hotline.import": _("12345 work orders imported")})
        from minqing.appeals import deadlines

        from .deadline import order_time_limit

        deadlines.register_ceiling(order_time_limit)
