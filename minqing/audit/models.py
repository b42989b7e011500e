"""The append-only event log, hash-chained per county so writes in one county never wait on
another's. Each stream keeps its head (last sequence number and hash) in AuditStream; a writer
locks that one row, so a removed or altered event breaks the chain where `verify` can see it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .softdelete import HardDeleteForbidden


class AuditStream(models.Model):
    key = models.CharField(max_length=12, primary_key=True)  # the county code, or "0" for the whole system
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")


RETENTION_DAYS = 180  # 网络安全法 第二十一条: network logs kept no less than six months


class EventQuerySet(models.QuerySet):
    def delete(self):  # noqa: D401 - refuses by design
        raise HardDeleteForbidden(f"审计事件不可删除（至少保存{RETENTION_DAYS}天，且删除会断开审计链）")


class Event(models.Model):
    """One audit event. Never deleted by the application: the retention of at least RETENTION_DAYS
    days (网络安全法 第二十一条) holds because nothing purges; see docs/decisions (audit trail)."""

    stream = models.CharField(max_length=12)
    seq = models.BigIntegerField()
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)  # namespaced: household.updated
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # personal data masked
    reason = models.TextField(_("reason"), blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="uniq_stream_seq")]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]
        ordering = ["stream", "seq"]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"

    def delete(self, *args, **kwargs):
        raise HardDeleteForbidden(f"审计事件不可删除（至少保存{RETENTION_DAYS}天，且删除会断开审计链）")
