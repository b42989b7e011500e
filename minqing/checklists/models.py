"""Household checklists (两不愁三保障, 一达标, 安全饮水 …): what a county checks at every door.

A Checklist belongs to a county and applies to households carrying one of its tags (none = all).
Its items live in a ChecklistVersion; once a version has been answered it is frozen — changes
make a new version, so old answers keep meaning what they meant. Answers are stored per visit
(ChecklistResponse) and per item (ChecklistAnswer, with `passed` computed when answered), and a
failed answer can open an appeal (ChecklistAppeal links the two).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel


class Checklist(KeptModel):
    region = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(pgettext_lazy("checklist", "description"), blank=True)
    # Household tag codes (households.Tag.code) the checklist applies to; empty = every household.
    tags = models.JSONField(_("applies to tags"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        ordering = ["region_id", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="uniq_checklist_code")]

    def __str__(self) -> str:
        return self.name


class ChecklistVersion(models.Model):
    checklist = models.ForeignKey(Checklist, verbose_name=_("checklist"), on_delete=models.PROTECT,
                                  related_name="versions")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the county
    number = models.PositiveSmallIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        ordering = ["checklist_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["checklist", "number"], name="uniq_checklist_version")]

    def __str__(self) -> str:
        return f"{self.checklist} v{self.number}"


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")
    NUMBER = "number", pgettext_lazy("answer type", "Number")
    CHOICE = "choice", _("Choice")
    NOTE = "note", _("Note")


class Comparison(models.TextChoices):
    GTE = "gte", _("at least")
    LTE = "lte", _("at most")


class ChecklistItem(models.Model):
    """One question and its pass rule: yes/no passes on `pass_value`; a number passes when it is
    at least (or at most) `threshold`; a choice passes when it is in `passing_choices`; a note is
    never pass or fail."""

    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="items")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(_("code"), max_length=40)  # stable across versions: counts follow it
    label = models.CharField(_("question"), max_length=200)
    group = models.CharField(_("group"), max_length=40, blank=True)  # 两不愁 / 三保障 / 一达标
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices)
    pass_value = models.BooleanField(_("passes when"), null=True, blank=True)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison.choices, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    passing_choices = models.JSONField(_("passing choices"), default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["version_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_checklist_item")]

    def __str__(self) -> str:
        return self.label


class ChecklistResponse(KeptModel):
    """One checklist filled in on one visit to one household."""

    visit = models.ForeignKey("fieldwork.Visit", on_delete=models.PROTECT, related_name="checklist_responses")
    version = models.ForeignKey(ChecklistVersion, on_delete=models.PROTECT, related_name="responses")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="+")
    answered_at = models.DateTimeField(_("answered at"), db_index=True)  # the visit's time
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    failed = models.PositiveSmallIntegerField(_("items failed"), default=0)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("checklist answered")
        verbose_name_plural = _("checklists answered")
        ordering = ["-answered_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["visit", "version"], name="uniq_checklist_response")]
        indexes = [models.Index(fields=["region", "answered_at"], name="cl_response_region_at")]


class ChecklistAnswer(models.Model):
    response = models.ForeignKey(ChecklistResponse, on_delete=models.PROTECT, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    household = models.ForeignKey("households.Household", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()
    value_bool = models.BooleanField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    value_text = models.CharField(max_length=500, blank=True)  # the choice, or the note
    passed = models.BooleanField(null=True, blank=True)  # None for notes

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="uniq_checklist_answer")]
        indexes = [models.Index(fields=["region", "answered_at"], name="cl_answer_region_at")]

    @property
    def value(self) -> object:
        t = self.item.answer_type
        if t == AnswerType.YES_NO:
            return self.value_bool
        if t == AnswerType.NUMBER:
            return self.value_number
        return self.value_text


class ChecklistAppeal(models.Model):
    """An appeal opened from a failed answer (at most one per answer)."""

    answer = models.OneToOneField(ChecklistAnswer, on_delete=models.PROTECT, related_name="appeal_link")
    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="checklist_origin")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appeal from a checklist")
        verbose_name_plural = _("appeals from checklists")
