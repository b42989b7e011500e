"""A 12345 work order (工单) as the hotline sent it: its number (工单号, unique: re-importing a file
or re-posting an order changes nothing) and what the hotline says that the case does not hold, next to
the case it became (channel 12345; the caller is the case's Report, phone encrypted there)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HotlineOrder(models.Model):
    class Via(models.TextChoices):
        FILE = "file", _("file")
        API = "api", _("API")

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("appeal"), on_delete=models.PROTECT,
                                  related_name="hotline_order")
    order_no = models.CharField(_("12345 order number"), max_length=64, unique=True)  # 工单号
    order_type = models.CharField(_("order type"), max_length=20, blank=True)  # 诉求类型 as the hotline says
    address = models.CharField(pgettext_lazy("hotline", "where"), max_length=200, blank=True)  # 问题发生地
    unit_name = models.CharField(_("handling unit (hotline)"), max_length=100, blank=True)  # 承办单位
    time_limit = models.DateTimeField(_("hotline deadline"), null=True, blank=True)  # 办理时限
    via = models.CharField(max_length=4, choices=Via.choices, default=Via.FILE)
    batch = models.CharField(max_length=40)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.order_no
