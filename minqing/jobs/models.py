"""Background jobs: long work (ledger exports, briefing files) with progress and a result file."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel


class Job(KeptModel):
    class Status(models.TextChoices):
        # In the "jobs" context: other catalogues translate these common words otherwise.
        QUEUED = "queued", pgettext_lazy("jobs", "Queued")
        RUNNING = "running", pgettext_lazy("jobs", "Running")
        DONE = "done", pgettext_lazy("jobs", "Done")
        FAILED = "failed", pgettext_lazy("jobs", "Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="+")
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict)
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)  # 0–100
    message = models.CharField(pgettext_lazy("job", "message"), max_length=300, blank=True)
    result = models.FileField(_("result file"), upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)  # the heartbeat of a running job
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # runner.Runner as text (host/pid/start/token): who runs it, or, queued in thread mode, who will start it
    runner = models.CharField(_("runner"), max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)  # runs started (claims)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_created")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PeriodicRun(models.Model):
    """The last start of a periodic task (the deadline sweep …): the lease that lets one process of
    many (web workers, `minqing worker`, several machines) run it once per interval (jobs/periodic.py)."""

    name = models.CharField(max_length=40, unique=True)
    last_started_at = models.DateTimeField()
    last_finished_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=120, blank=True)
    message = models.CharField(max_length=300, blank=True)
