"""The residents' portal (我给书记写封信): a letter is an appeal (channel 书记信箱) plus what only the
portal knows — the hashed tracking code and the resident's own rating. Rate-limit counters live
here too, in the database, so every worker process of the site shares them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.appeals import workflow as wf
from minqing.audit.softdelete import KeptModel

SATISFACTION_CHOICES = [
    (wf.Satisfaction.VERY_SATISFIED.value, pgettext_lazy("portal", "Very satisfied")),  # 非常满意
    (wf.Satisfaction.SATISFIED.value, pgettext_lazy("portal", "Satisfied")),  # 满意
    (wf.Satisfaction.BASICALLY_SATISFIED.value, pgettext_lazy("portal", "Basically satisfied")),  # 基本满意
    (wf.Satisfaction.UNSATISFIED.value, pgettext_lazy("portal", "Unsatisfied")),  # 不满意
    (wf.Satisfaction.VERY_UNSATISFIED.value, pgettext_lazy("portal", "Very unsatisfied")),  # 非常不满意
]


class Letter(KeptModel):
    """One letter sent through the portal. The tracking code itself is never stored: only its keyed
    hash (HMAC with the site's hash key), so a database dump does not open anyone's letter."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("appeal"), on_delete=models.PROTECT,
                                  related_name="portal_letter")
    region = models.ForeignKey("regions.Region", verbose_name=_("written to"), on_delete=models.PROTECT,
                               related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    has_photo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("portal letter")
        verbose_name_plural = _("portal letters")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"letter {self.pk}"


class Rating(KeptModel):
    """The resident's rating of the outcome, once per letter. `counted` says whether it was also
    recorded on the appeal as its return visit (services.do_return_visit), and so is already in
    the appeal metrics; the others are figures of their own (figures.rating_counts)."""

    letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT, related_name="rating")
    # A rating from the return-visit SMS link (rating.py) belongs to one report (one resident) instead.
    report = models.OneToOneField("appeals.Report", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rating")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=SATISFACTION_CHOICES)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("rated at"), db_index=True)
    counted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-at", "-id"]


class Hit(models.Model):
    """One counted request in a sliding window (throttle.py). `key` is a keyed hash of the client
    address or of the tracking code: no address or code is stored in clear."""

    bucket = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "key", "at"], name="portal_hit_bucket_key_at")]
