"""Records are never hard-deleted: deletion sets `deleted_at` and is an audit event."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HardDeleteForbidden(Exception):
    pass


class KeptQuerySet(models.QuerySet):
    def delete(self):  # noqa: D401 - refuses by design
        raise HardDeleteForbidden("记录不可物理删除，请使用注销（软删除）")

    def alive(self) -> KeptQuerySet:
        return self.filter(deleted_at__isnull=True)


class KeptModel(models.Model):
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise HardDeleteForbidden("记录不可物理删除，请使用注销（软删除）")
