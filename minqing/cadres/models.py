"""Cadres judged and kept at their post: residents' ratings of the cadre who served them (群众评议),
the duty roster (值班带班) and check-ins at the post (the basis of the 走读 report).

Every row carries the place it belongs to (a region code), as every record here does, so the
jurisdiction filter is one indexed range; who may read a cadre's ratings is narrower than the place
(oversight.py: the cadre's leaders, never peers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.appeals.labels import SATISFACTION_LABELS
from minqing.audit.softdelete import KeptModel

SATISFACTION_CHOICES = list(SATISFACTION_LABELS.items())  # the five levels of the case's own rating


class RatingSource(models.TextChoices):
    RETURN_VISIT = "return_visit", _("Return visit")  # 回访时由群众评价
    SMS_LINK = "sms_link", _("Rating link")  # 回访短信的评价链接


class CadreRating(KeptModel):
    """One resident's rating of the cadre who handled their case, on the five levels of 好差评.
    The cadre's unit and place are copied at the time: a cadre who moves keeps their ratings where
    they were earned."""

    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT,
                              related_name="ratings_received")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT,
                               related_name="+")  # the cadre's post's place (where leaders read it)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("appeal"), on_delete=models.PROTECT,
                               related_name="+")
    report = models.ForeignKey("appeals.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=20, choices=RatingSource.choices)
    satisfaction = models.CharField(_("rating"), max_length=20, choices=SATISFACTION_CHOICES)
    at = models.DateTimeField(_("rated at"), db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("resident's rating of a cadre")
        verbose_name_plural = _("residents' ratings of cadres")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["region", "at"], name="cadrerating_region_at"),
                   models.Index(fields=["cadre", "at"], name="cadrerating_cadre_at")]
        # One rating of the cadre per resident's report (the SMS link), one per return visit event.
        constraints = [models.UniqueConstraint(fields=["report"], condition=models.Q(report__isnull=False),
                                               name="uniq_cadre_rating_report")]


class DutyKind(models.TextChoices):
    ON_DUTY = "on_duty", _("On duty")  # 值班
    LEADING = "leading", _("Leading the duty")  # 带班（领导）


class DutyShift(KeptModel):
    """One person on the roster of a township or county office for one day."""

    region = models.ForeignKey("regions.Region", verbose_name=_("office of"), on_delete=models.PROTECT,
                               related_name="+")  # a township or the county
    day = models.DateField(_("day"))
    kind = models.CharField(_("duty"), max_length=10, choices=DutyKind.choices)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="duty_shifts")
    phone_note = models.CharField(_("note"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["day", "region_id", "kind", "id"]
        indexes = [models.Index(fields=["region", "day"], name="dutyshift_region_day"),
                   models.Index(fields=["person", "day"], name="dutyshift_person_day")]


class CheckIn(models.Model):
    """在岗签到 on the phone: at the post on a working day, or for a duty shift. The basis of the 走读
    report (a working day with no check-in is a day away from post). Never edited or deleted."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                               related_name="check_ins")
    region = models.ForeignKey("regions.Region", verbose_name=_("post"), on_delete=models.PROTECT,
                               related_name="+")  # the place of the post checked in at
    shift = models.ForeignKey(DutyShift, null=True, blank=True, on_delete=models.PROTECT, related_name="check_ins")
    day = models.DateField(_("day"))  # local date of `at`
    at = models.DateTimeField(_("checked in at"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "day"], name="checkin_person_day"),
                   models.Index(fields=["region", "day"], name="checkin_region_day")]
