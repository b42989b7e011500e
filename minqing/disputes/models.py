"""Disputes (矛盾纠纷): what a mediator needs on top of the appeal a dispute is.

A dispute IS an appeal of kind "dispute" (minqing.appeals): the appeal carries the place, the
status and the timeline (AppealEvent), and changes only through minqing.appeals.services. The
rows here hang off it (Dispute → Appeal one-to-one) and hold the mediation: the parties and
their claims, the screening (排查) risk, the stages of 三调联动, the sessions, the agreement with
its terms, the follow-up visits (履行回访) and a referral when mediation fails. Every row is kept
(KeptModel); every change is an audit event written by services.py, the only writer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel


class DisputeKind(models.Model):
    """The county's kinds of dispute (configurable; seeded with the seeds' list).
    `category_code` names the appeals category the appeal is filed under; a `family` kind is
    filed under 婚姻家庭, which makes the appeal a family dispute (mediators and leaders only)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    category_code = models.CharField(_("appeal category code"), max_length=40, blank=True)
    family = models.BooleanField(_("family dispute"), default=False)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("kind of dispute")
        verbose_name_plural = _("kinds of dispute")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")  # 一般
    MEDIUM = "medium", _("Medium")  # 较大
    HIGH = "high", _("High")  # 重大


RISK_ORDER = {RiskLevel.HIGH: 0, RiskLevel.MEDIUM: 1, RiskLevel.LOW: 2}


class Source(models.TextChoices):
    """Where the dispute was found (排查)."""

    VISIT = "visit", _("Door-to-door visit")  # 走访排查
    MEETING = "meeting", _("Courtyard or village meeting")  # 院坝会, 村民大会
    REPORT = "report", _("Raised by a resident")  # 群众反映
    TRANSFER = "transfer", _("Transferred from above")  # 上级转办
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    NONE = "", _("Not yet")
    AGREED = "agreed", _("Agreement reached")  # 达成调解协议
    REFERRED = "referred", _("Referred elsewhere")  # 转诉讼、仲裁等


class Dispute(KeptModel):
    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="dispute")
    kind = models.ForeignKey(DisputeKind, verbose_name=_("kind of dispute"), on_delete=models.PROTECT,
                             related_name="disputes")
    found_at = models.DateTimeField(_("found at"), db_index=True)  # = appeal.received_at, for figures
    source = models.CharField(_("found by"), max_length=12, choices=Source.choices, default=Source.VISIT)
    # Loose links to what it was found on (a fieldwork visit, a meeting): ids, no foreign keys, so
    # this part does not depend on tables another part may reshape.
    source_visit_id = models.PositiveIntegerField(_("visit id"), null=True, blank=True)
    source_meeting_id = models.PositiveIntegerField(_("meeting id"), null=True, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_petition = models.BooleanField(_("may turn into a petition"), default=False)
    risk_group = models.BooleanField(_("may turn into a group incident"), default=False)
    risk_violence = models.BooleanField(_("may turn violent"), default=False)
    next_review_on = models.DateField(_("next risk review"), null=True, blank=True, db_index=True)
    last_reviewed_at = models.DateTimeField(_("last risk review"), null=True, blank=True)
    # The person responsible now and the deadline (the current mediation stage's).
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    owner_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    due_at = models.DateTimeField(_("deadline"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)  # agreement reached, not broken
    referred_at = models.DateTimeField(_("referred at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)  # agreements broken
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-found_at", "-id"]

    def __str__(self) -> str:
        return f"{self.appeal.number} {self.appeal.title}"

    @property
    def risks(self) -> list[str]:
        return [name for name, on in (("petition", self.risk_petition), ("group", self.risk_group),
                                      ("violence", self.risk_violence)) if on]


class PartyKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    HOUSEHOLD = "household", _("Household")
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIT = "unit", _("Unit")  # a government unit, village collective …
    OTHER = "other", _("Other")


class Party(KeptModel):
    """One party to the dispute, on one side, with the claim in their own words."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="parties")
    side = models.PositiveSmallIntegerField(_("side"), default=1)  # 1 = 甲方, 2 = 乙方 …
    kind = models.CharField(_("kind"), max_length=12, choices=PartyKind.choices)
    name = models.CharField(_("name"), max_length=100)
    resident = models.ForeignKey("households.Resident", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    household = models.ForeignKey("households.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # An enterprise: a name plus an optional id (credit code or a future enterprises row), no FK yet.
    enterprise_ref = models.CharField(_("enterprise id"), max_length=40, blank=True)
    claim = models.TextField(_("claim"), blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["side", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def appeal(self):
        return self.dispute.appeal


class RiskReview(KeptModel):
    """A screening review of the risk (排查研判), on the schedule the risk level sets."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="risk_reviews")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    level_before = models.CharField(max_length=8, choices=RiskLevel.choices, blank=True)
    level = models.CharField(max_length=8, choices=RiskLevel.choices)
    risks = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class StageKind(models.TextChoices):
    """三调联动, in the order a dispute is handed on."""

    PEOPLE = "people", _("People's mediation")  # 人民调解
    ADMINISTRATIVE = "administrative", _("Administrative mediation")  # 行政调解
    JUDICIAL = "judicial", _("Judicial mediation")  # 司法调解


STAGE_ORDER = {StageKind.PEOPLE: 0, StageKind.ADMINISTRATIVE: 1, StageKind.JUDICIAL: 2}


class StageLevel(models.TextChoices):
    VILLAGE = "village", _("Village")
    TOWNSHIP = "township", _("Township")
    COUNTY = "county", _("County")


class StageResult(models.TextChoices):
    ONGOING = "", _("Ongoing")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Failed, handed on")
    REFERRED = "referred", _("Referred elsewhere")


class MediationStage(KeptModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="stages")
    number = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(_("mediation"), max_length=16, choices=StageKind.choices)
    level = models.CharField(_("level"), max_length=10, choices=StageLevel.choices)
    body = models.CharField(_("mediating body"), max_length=100)  # 村调委会, 镇司法所, 人民法庭 …
    unit = models.ForeignKey("accounts.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    mediator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    mediator_name = models.CharField(_("mediator"), max_length=50, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=StageResult.choices, blank=True, default="")
    reason = models.TextField(_("reason"), blank=True)  # why it failed and was handed on
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class Venue(models.TextChoices):
    COURTYARD = "courtyard", _("Courtyard meeting")  # 院坝会
    REASONING = "reasoning", _("Courtyard reasoning meeting")  # 院坝讲理会
    FIELD_COURT = "field_court", _("Court in the fields")  # 田间法庭
    NIGHT_TALK = "night_talk", _("Evening talk")  # 巴山夜话
    MEDIATION_ROOM = "mediation_room", _("Mediation room")  # 调解室
    HOME = "home", _("At home")  # 入户
    OFFICE = "office", _("Office")  # 乡镇、部门办公场所
    OTHER = "other", _("Other")


class SessionResult(models.TextChoices):
    CONTINUE = "continue", _("To be continued")
    AGREED = "agreed", _("Agreed")
    FAILED = "failed", pgettext_lazy("mediation", "Failed")


class MediationSession(KeptModel):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="sessions")
    stage = models.ForeignKey(MediationStage, on_delete=models.PROTECT, related_name="sessions")
    held_at = models.DateTimeField(_("session held at"))
    venue = models.CharField(_("form"), max_length=16, choices=Venue.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    attendees = models.JSONField(_("attended"), default=list, blank=True)  # names as written
    statements = models.JSONField(default=list, blank=True)  # [{"party": id, "name": …, "text": …}]
    outcome = models.TextField(_("outcome"))
    result = models.CharField(max_length=10, choices=SessionResult.choices, default=SessionResult.CONTINUE)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["held_at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class AgreementStatus(models.TextChoices):
    PERFORMING = "performing", _("Being performed")  # 履行中
    FULFILLED = "fulfilled", _("Fulfilled")  # 履行完毕
    BROKEN = "broken", _("Broken")  # 未履行, dispute reopened


class Agreement(KeptModel):
    """调解协议: the terms, signed by the parties (a photo of the signed paper is the proof)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="agreements")
    stage = models.ForeignKey(MediationStage, on_delete=models.PROTECT, related_name="agreements")
    session = models.ForeignKey(MediationSession, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    signed_on = models.DateField(_("signed on"))
    summary = models.TextField(_("agreement"))
    signed_by = models.JSONField(default=list)  # party ids
    photo = models.ForeignKey("appeals.Attachment", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")  # the signed paper, validated by appeals.services
    status = models.CharField(max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.PERFORMING)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class TermStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    KEPT = "kept", _("Term kept")
    BROKEN = "broken", _("Broken")


class Term(KeptModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("term"))
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+")  # who owes
    due_on = models.DateField(_("perform by"))
    status = models.CharField(max_length=8, choices=TermStatus.choices, default=TermStatus.PENDING)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number", "id"]

    @property
    def appeal(self):
        return self.agreement.dispute.appeal


class FollowUp(KeptModel):
    """履行回访: a visit checking the terms of an agreement."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="follow_ups")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="follow_ups")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, blank=True)  # 上门, 电话 …
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class TermCheck(KeptModel):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="checks")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="checks")
    kept = models.BooleanField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    @property
    def appeal(self):
        return self.follow_up.dispute.appeal


class ReferralTo(models.TextChoices):
    COURT = "court", _("Court (litigation)")  # 诉讼
    ARBITRATION = "arbitration", _("Arbitration")  # 仲裁 (劳动、土地承包)
    OTHER = "other", _("Another body")  # 行政裁决、信访 …


class Referral(KeptModel):
    """No agreement: the dispute goes to a court, an arbitration board or another body."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="referrals")
    to = models.CharField(_("referred to"), max_length=12, choices=ReferralTo.choices)
    body = models.CharField(_("body"), max_length=100)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal


class PartyAccess(KeptModel):
    """当事人查询码: lets one party follow the dispute without a log-in (parties.py). Only a keyed
    hash of the code is kept; issuing a new code revokes the party's earlier ones."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="accesses")
    code_hash = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    @property
    def appeal(self):
        return self.party.dispute.appeal


class PartyMessage(KeptModel):
    """What a party tells the mediators through the code page (e.g. a term not performed)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="party_messages")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="messages")
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    text = models.TextField(pgettext_lazy("mediation", "message"))
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")

    class Meta:
        ordering = ["at", "id"]

    @property
    def appeal(self):
        return self.dispute.appeal
