"""The rows dispatch adds (imported by models.py): the county's dispatch catalogue (派单目录, versioned),
its 退单 setting, and each case's co-handling units (协办), mirrored from the workflow snapshot so that a
co-unit's posts see the case in their lists and its own on-time rate can be counted in SQL."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchRule(models.Model):
    """派单目录: category × place → the responsible unit and its default co-units. An edit writes a new
    version and retires the old one (kept, with who retired it and when): the catalogue of any past
    day can be read back."""

    category = models.ForeignKey("appeals.Category", verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT,
                             related_name="+")
    co_units = models.ManyToManyField("accounts.Unit", verbose_name=_("co-handling units"), blank=True,
                                      related_name="+")
    duty = models.CharField(_("duty (from the list of powers and duties)"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("dispatch catalogue entry")
        verbose_name_plural = _("dispatch catalogue")
        ordering = ["category__code", "region_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["category", "region", "version"], name="uniq_dispatch_version"),
            models.UniqueConstraint(fields=["category", "region"], condition=models.Q(is_current=True),
                                    name="uniq_dispatch_current"),
        ]


class DispatchSetting(models.Model):
    """A county's dispatch settings: how many working days after receipt a unit may return a case."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+")
    return_days = models.PositiveSmallIntegerField(_("working days to return a case"), default=1)


class CoUnit(models.Model):
    """协办: one co-handling unit's part of a case (a dropped part stays, inactive)."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="co_units")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("co-handling unit"), on_delete=models.PROTECT,
                             related_name="co_appeals")
    part = models.TextField(_("part"))
    since = models.DateTimeField()
    due_at = models.DateTimeField(_("deadline"))
    reply = models.TextField(_("reply"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)  # a pending 退单
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["since", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "unit", "since"], name="uniq_co_unit_part")]
        indexes = [models.Index(fields=["unit", "active"], name="counit_unit_active")]
