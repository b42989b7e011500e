"""The administrative tree: province → city → county → township → village, keyed by code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.lib import regioncode


class Level(models.IntegerChoices):
    PROVINCE = regioncode.PROVINCE, _("Province")
    CITY = regioncode.CITY, _("City")
    COUNTY = regioncode.COUNTY, _("County")
    TOWNSHIP = regioncode.TOWNSHIP, _("Township")
    VILLAGE = regioncode.VILLAGE, _("Village")


class Region(models.Model):
    """One division. The 12-digit code is the key: records point at it and subtree filters are
    code ranges. A village that merges into another is kept (abolished, with its successor), so
    history stays readable; its records move to the successor by a recorded event."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    abolished_on = models.DateField(_("abolished on"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="predecessors",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return regioncode.prefix(self.code)

    def full_name(self, upto: int = regioncode.COUNTY) -> str:
        """Names from `upto` level down to this one, e.g. 天生镇新芽村 (no query per level: codes)."""
        codes = []
        code: str | None = self.code
        while code and regioncode.level_of(code) >= upto:
            codes.append(code)
            code = regioncode.parent_code(code)
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        return "".join(names.get(c, "") for c in reversed(codes))


class VillageGroup(models.Model):
    """村民小组 (组): a part of a village that households belong to."""

    region = models.ForeignKey(Region, verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="groups")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("village group")
        verbose_name_plural = _("village groups")
        constraints = [models.UniqueConstraint(fields=["region", "number"], name="uniq_group_number")]
        ordering = ["region", "number"]

    def __str__(self) -> str:
        return self.name
