"""Appeals (诉求): the case, the reports that raised it, its workflow events, return visits,
progress notes and attachments; plus the county's category tree, deadline policies and holiday
table. The case's status and the columns statistics need are denormalised on Appeal and kept
in step by services.py (the only writer); AppealEvent holds every transition with indexed
columns, so metrics are SQL over events and cases, not over the JSON of the audit chain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel

from . import workflow as wf


def _choices(enum, labels) -> list[tuple[str, str]]:
    return [(m.value, labels.get(m, m.value)) for m in enum]


# The pages' names of the statuses, kinds and levels: the workflow's Chinese labels (states.py, used in
# its own messages) in the catalogue, so an English page shows English badges.
STATUS_NAMES = {
    wf.Status.REGISTERED: pgettext_lazy("status", "Registered"),
    wf.Status.ESCALATED: pgettext_lazy("status", "Escalated, awaiting review"),
    wf.Status.ASSIGNED: pgettext_lazy("status", "Assigned with a deadline"),
    wf.Status.IN_PROGRESS: pgettext_lazy("status", "In progress"),
    wf.Status.EXTENSION_REQUESTED: pgettext_lazy("status", "Extension requested"),
    wf.Status.SUSPENDED: pgettext_lazy("status", "Suspended"),
    wf.Status.AWAITING_VERIFICATION: pgettext_lazy("status", "Awaiting verification"),
    wf.Status.AWAITING_RETURN_VISIT: pgettext_lazy("status", "Awaiting a return visit"),
    wf.Status.AWAITING_CLOSURE: pgettext_lazy("status", "Awaiting closure"),
    wf.Status.CLOSED_SOLVED: pgettext_lazy("status", "Closed (solved)"),
    wf.Status.SOLVED_ON_SPOT: pgettext_lazy("status", "Solved on the spot"),
    wf.Status.EXPLAINED: pgettext_lazy("status", "Policy explained"),
    wf.Status.CLOSED_UNSOLVED: pgettext_lazy("status", "Closed (not solved)"),
    wf.Status.REFERRED: pgettext_lazy("status", "Referred to the statutory channel"),
    wf.Status.MERGED: pgettext_lazy("status", "Merged"),
    wf.Status.RETURN_REQUESTED: pgettext_lazy("status", "Return awaiting approval"),
    wf.Status.REFER_PROPOSED: pgettext_lazy("status", "Referral awaiting confirmation"),
    wf.Status.RECHECKING: pgettext_lazy("status", "Being rechecked"),
    wf.Status.REEXAMINING: pgettext_lazy("status", "Being re-examined"),
}
KIND_NAMES = {
    wf.Kind.PROBLEM: pgettext_lazy("appeal kind", "Problem"),
    wf.Kind.SUGGESTION: pgettext_lazy("appeal kind", "Suggestion"),
    wf.Kind.PETITION: pgettext_lazy("appeal kind", "Petition"),
    wf.Kind.DISPUTE: pgettext_lazy("appeal kind", "Dispute"),
    wf.Kind.MISCONDUCT: pgettext_lazy("appeal kind", "Misconduct report"),
    wf.Kind.HELP: pgettext_lazy("appeal kind", "Request for help"),
    wf.Kind.CONSULTATION: pgettext_lazy("appeal kind", "Question"),
}
LEVEL_NAMES = {wf.Level.VILLAGE: pgettext_lazy("level", "Village"),
               wf.Level.TOWNSHIP: pgettext_lazy("level", "Township"), wf.Level.COUNTY: pgettext_lazy("level", "County")}
KIND_CHOICES = _choices(wf.Kind, KIND_NAMES)
STATUS_CHOICES = _choices(wf.Status, STATUS_NAMES)
GROUP_CHOICES = [(g.value, g.value) for g in wf.Group]
LEVEL_CHOICES = _choices(wf.Level, LEVEL_NAMES)


class Channel(models.TextChoices):
    VISIT = "visit", _("Door-to-door visit")  # 入户走访
    MEETING = "meeting", _("Courtyard or village meeting")  # 院坝会, 村民大会, 田坎议事
    RECEPTION = "reception", _("Reception day")  # 接待日
    PHONE = "phone", _("Phone call")  # 来电
    LETTER = "letter", _("Letter")  # 来信
    MAILBOX = "mailbox", _("Secretary's mailbox")  # 书记信箱
    EMAIL = "email", _("E-mail")  # 电子邮件
    WEB = "web", _("Web")  # 网络
    SOCIAL = "social", _("Social media")  # 微博/微信
    TRANSFER = "transfer", _("Transferred from above")  # 上级转办
    IMPORT = "import", _("Imported ledger")  # 导入台账
    HOTLINE = "12345", _("12345 hotline")  # 12345 政务服务便民热线工单
    OPEN311 = "open311", _("Open311 client")  # Open311 GeoReport v2 (an app or another platform)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")  # 紧急
    EMERGENCY = "emergency", _("Emergency")  # 特急


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MISCONDUCT = "misconduct", _("Misconduct report")  # 举报: 纪委 only
    FAMILY = "family", _("Family dispute")  # 婚姻家庭: mediators and leaders only


class Triage(models.TextChoices):
    """How the case was decided at its last review (研判)."""

    NONE = "", _("Not yet reviewed")
    ON_SPOT = "solve_on_spot", _("Solved on the spot")  # 现场解决/立行立改
    ASSIGN = "assign", _("Assigned with a deadline")  # 限期办理/限期整改
    EXPLAIN = "explain", _("Policy explanation")  # 政策解答
    ESCALATE = "escalate", _("Escalated")  # 上报


class Category(models.Model):
    """The county's category tree (the seeds' 5 classes, the 附件1 tree …)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    scheme = models.CharField(_("scheme"), max_length=20, default="county")  # seeds | taidi | county
    default_unit_function = models.CharField(max_length=30, blank=True)  # routing hint
    is_active = models.BooleanField(_("active"), default=True)
    # The national standard GB/T 39666 code, when the county maps its class onto it (optional).
    gbt_code = models.CharField(_("GB/T 39666 code"), max_length=20, blank=True)
    # "/root id/…/own id/": the list filters a class with its subtree by this prefix, without joining
    # the tree (docs/decisions/0053-list21-appeal-list-at-scale.md). Kept by save(), moves included.
    path = models.CharField(max_length=200, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["scheme", "code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        old = self.path
        parent = Category.objects.filter(pk=self.parent_id).values_list("path", flat=True).first() \
            if self.parent_id else ""
        self.path = f"{parent or '/'}{self.pk}/"
        if self.path != old:
            Category.objects.filter(pk=self.pk).update(path=self.path)
            if old:  # moved: its subtree's paths follow
                for sub in Category.objects.filter(path__startswith=old).exclude(pk=self.pk):
                    Category.objects.filter(pk=sub.pk).update(path=self.path + sub.path[len(old):])

    @staticmethod
    def subtree_of(pk: int) -> list[int]:
        """The class and every class under it, in one query (an unset path matches nothing below).
        Written as SQL: built with the ORM it cost a list request more Python than the other four of
        its statements together (docs/decisions/0070-list23-request-statements.md)."""
        from django.db import connection

        t = connection.ops.quote_name(Category._meta.db_table)
        sql = (f'SELECT c."id" FROM {t} c WHERE c."id" = %s OR c."path" LIKE '
               f'(SELECT p."path" FROM {t} p WHERE p."id" = %s AND p."path" <> %s) || %s')
        with connection.cursor() as cur:  # a path is "/1/5/": digits and slashes, nothing LIKE reads
            cur.execute(sql, [pk, pk, "", "%"])
            return [r[0] for r in cur.fetchall()] or [pk]


class Appeal(KeptModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=KIND_CHOICES, default=wf.Kind.PROBLEM.value)
    status = models.CharField(_("status"), max_length=30, choices=STATUS_CHOICES, db_index=True)
    group = models.CharField(max_length=20, choices=GROUP_CHOICES, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=LEVEL_CHOICES)
    max_level = models.CharField(max_length=10, choices=LEVEL_CHOICES)  # highest level it reached
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT,
                               related_name="+")
    household = models.ForeignKey("households.Household", verbose_name=_("household"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="appeals")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="appeals")
    # Who chose the category: a person, or the model's confident suggestion at registration
    # (a person's later correction is fed back to the model as training data).
    category_source = models.CharField(_("category chosen by"), max_length=10, blank=True, default="",
                                       choices=[("person", _("a person")), ("model", _("the model (suggested)"))])
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    sensitivity = models.CharField(max_length=12, choices=Sensitivity.choices, default=Sensitivity.NORMAL)
    title = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("description"))
    anonymous = models.BooleanField(_("anonymous"), default=False)
    received_at = models.DateTimeField(_("received at"), db_index=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    triage = models.CharField(_("decision"), max_length=20, choices=Triage.choices, blank=True, default="")
    # 限期办理: the responsible unit and named person, the measures and the deadline.
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("responsible unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="appeals")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="handled_appeals")
    handler_name = models.CharField(_("responsible person"), max_length=50, blank=True)  # imported ledgers
    measures = models.TextField(_("measures"), blank=True)
    response_due_at = models.DateTimeField(_("respond by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    due_estimated = models.BooleanField(default=False)  # deadline in a year with no holiday table
    warning = models.CharField(max_length=6, blank=True, default="")  # '', yellow, red (set by the sweep)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_on_time = models.BooleanField(null=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, blank=True, default="")
    reopen_count = models.PositiveSmallIntegerField(default=0)
    remind_count = models.PositiveSmallIntegerField(default=0)
    supervised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervising leader"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="supervised_appeals")
    supervise_level = models.CharField(max_length=10, choices=LEVEL_CHOICES, blank=True, default="")
    cost = models.DecimalField(_("cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    fund_source = models.CharField(_("source of funds"), max_length=100, blank=True)
    accountability = models.BooleanField(default=False)  # flagged for 追责问责
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_appeals")
    reported_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")  # 举报对象
    state = models.JSONField(default=dict)  # the workflow snapshot (workflow.AppealState)
    source_ref = models.CharField(max_length=80, null=True, blank=True, unique=True)  # import idempotence
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["region", "received_at"], name="appeal_region_received"),
            models.Index(fields=["region", "group", "due_at"], name="appeal_region_group_due"),
            models.Index(fields=["unit", "group", "due_at"], name="appeal_unit_group_due"),
            models.Index(fields=["region", "closed_at"], name="appeal_region_closed"),
            # The county-wide dashboard (metrics.summary_with_children, the monthly trend): the open
            # petitions of 积案存量, and counts by received / closed date read from the index alone
            # (id last: PostgreSQL counts it) — docs/decisions/0013-dashboard-at-scale.md.
            models.Index(fields=["kind", "closed_at"], name="appeal_kind_closed"),
            models.Index(fields=["received_at", "region", "group", "deleted_at", "category", "id"],
                         name="appeal_received_cover"),
            models.Index(fields=["closed_at", "region", "group", "status", "deleted_at", "id"],
                         name="appeal_closed_cover"),
            # The list (listing.py): equality on the group (and category), newest first by (received_at, id)
            # for keyset pages; then what the jurisdiction filter reads, so the capped count stays in the
            # index — docs/decisions/0053-list21-appeal-list-at-scale.md.
            models.Index(fields=["group", "received_at", "id", "region", "unit", "sensitivity", "deleted_at"],
                         name="appeal_list_group"),
            models.Index(fields=["category", "group", "received_at", "id", "region", "unit", "sensitivity",
                                 "deleted_at"], name="appeal_list_category"),
            # The case page's similar cases closed within the repeat window (nlp.duplicates.candidate_reads):
            # equality on the group, newest closing first, the jurisdiction's columns in the index —
            # docs/decisions/0057-detail21-case-page-at-scale.md.
            models.Index(fields=["group", "closed_at", "id", "region", "unit", "sensitivity", "deleted_at"],
                         name="appeal_closed_group"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Report(models.Model):
    """One resident raising the case, by one channel (uReport's report vs case). Merging a case
    moves its reports to the target: every reporter stays attached and is told the outcome."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="reports")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    resident = models.ForeignKey("households.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="reports")
    household = models.ForeignKey("households.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="reports")
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    anonymous = models.BooleanField(default=False)
    text = models.TextField(_("what they said"), blank=True)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)  # offline idempotence
    notified_at = models.DateTimeField(null=True, blank=True)  # told of the outcome
    notified_method = models.CharField(_("told by"), max_length=10, blank=True, default="")  # 电话/当面/短信/门户

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["received_at", "id"]


class AppealEvent(models.Model):
    """Every workflow transition, with the columns metrics filter on."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30)
    level = models.CharField(max_length=10, blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    payload = models.JSONField(default=dict, blank=True)  # personal data masked
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["region", "action", "at"], name="appealevent_region_action_at"),
            models.Index(fields=["appeal", "at"], name="appealevent_appeal_at"),
        ]


class ReturnVisit(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="return_visits")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField(default=True)
    satisfaction = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)


class Progress(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="progress_notes")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField()
    cost = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    fund_source = models.CharField(max_length=100, blank=True)


class PhotoPhase(models.TextChoices):
    """整改佐证: a photo of the problem as found, or of the work done."""

    BEFORE = "before", _("Before rectification")
    AFTER = "after", _("After rectification")


class Attachment(KeptModel):
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="attachments")
    progress = models.ForeignKey(Progress, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="attachments")
    file = models.FileField(upload_to="appeals/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()
    phase = models.CharField(_("phase"), max_length=10, choices=PhotoPhase.choices, blank=True)  # "": not evidence


class DeadlineRule(models.Model):
    """County policy: how long a stage may take, by kind, category and urgency (most specific wins)."""

    class Stage(models.TextChoices):
        RESPONSE = "response", _("Respond")
        RESOLVE = "resolve", _("Resolve")

    class Unit(models.TextChoices):
        HOURS = "hours", _("hours")
        CALENDAR_DAYS = "calendar_days", _("calendar days")
        WORKDAYS = "workdays", _("working days")

    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    kind = models.CharField(_("kind of appeal"), max_length=20, choices=KIND_CHOICES, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(_("unit of time"), max_length=15, choices=Unit.choices)
    is_active = models.BooleanField(_("active"), default=True)  # a withdrawn rule is kept, for the record

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")


class HolidayOverride(models.Model):
    """The county's editable 节假日/调休 table, on top of the announced years."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("holiday or working-day change")
        verbose_name_plural = _("holidays and working-day changes")


class RepeatLink(models.Model):
    """重复件: a new appeal that repeats an earlier one (same household, reporter or place, similar text),
    found at intake (repeats.py). A repeat of an open case is offered for merge (附议); a repeat after
    closure waits for the dispatcher: reopen the earlier case, or handle the new one as new. Counted in
    重复诉求率 unless the dispatcher says it is not a repeat."""

    class Decision(models.TextChoices):
        PENDING = "", _("Awaiting the dispatcher")
        REOPEN = "reopen", _("Earlier case reopened")
        NEW = "new", _("Handled as a new case")
        MERGED = "merged", _("Merged into the earlier case")
        NOT_REPEAT = "not_repeat", _("Not a repeat")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="repeat_links")  # the new case
    earlier = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="repeated_by")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the new case's
    earlier_closed = models.BooleanField(default=False)  # closed when the repeat came in
    basis = models.JSONField(default=list)  # why: ["household", "phone", "id", "place"]
    similarity = models.FloatField(default=0)
    found_at = models.DateTimeField()
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [models.UniqueConstraint(fields=["appeal", "earlier"], name="repeat_link_once")]
        indexes = [models.Index(fields=["region", "found_at"], name="repeat_region_found")]


from .dispatch_models import CoUnit, DispatchRule, DispatchSetting  # noqa: E402,F401 - Django finds them here
from .rollup_models import AppealRollup, AppealRollupHousehold, AppealRollupUp  # noqa: E402,F401 - Django finds them here
