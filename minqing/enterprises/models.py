"""Key enterprises and projects (重点企业, 重点项目) and the leaders paired with them (一张表、心连心).

County leaders and heads of county departments each liaise with at least one; each visits at
least once a month. A visit records who went, when and what was raised; what it raises becomes
appeals of the enterprise (EnterpriseAppeal links them), routed and supervised like any other.
Enterprise data is not personal, except the contact's phone: encrypted, hashed, shown masked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Key enterprise")  # 重点企业
    PROJECT = "project", _("Key project")  # 重点项目


class Enterprise(KeptModel):
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT,
                               related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EnterpriseKind.choices)
    sector = models.CharField(_("sector"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("key enterprise or project")
        verbose_name_plural = _("key enterprises and projects")
        ordering = ["region_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class LiaisonPairing(models.Model):
    """A leader paired with an enterprise for a time (ended pairings are kept)."""

    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="pairings")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL,
                               verbose_name=pgettext_lazy("enterprise", "leader"), on_delete=models.PROTECT,
                               related_name="enterprise_pairings")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the enterprise's
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("liaison pairing")
        verbose_name_plural = _("liaison pairings")
        ordering = ["enterprise_id", "-started_on", "id"]


class EnterpriseVisit(KeptModel):
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)  # offline idempotence
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="visits")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT,
                                related_name="enterprise_visits")
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    raised = models.TextField(_("what was raised"), blank=True)
    note = models.TextField(_("note"), blank=True)
    device = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("enterprise visit")
        verbose_name_plural = _("enterprise visits")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["visitor", "visited_at"], name="ent_visit_visitor_at"),
                   models.Index(fields=["region", "visited_at"], name="ent_visit_region_at")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.visited_at:%Y-%m-%d}"


class EnterpriseAppeal(models.Model):
    """An appeal of an enterprise, and the visit it was raised at (if any)."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="enterprise_origin")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="appeals")
    visit = models.ForeignKey(EnterpriseVisit, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="appeals")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appeal of an enterprise")
        verbose_name_plural = _("appeals of enterprises")
