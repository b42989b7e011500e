"""Field work (四下基层): household visits, group activities, research topics, the three lists,
visit rounds of the five-person teams, and the county's visit-plan and quota settings.

Every record carries its place (a region code) so the jurisdiction filter is one indexed range.
Records made on a phone carry the phone's `client_id` (unique): a resend finds the first copy.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.audit.softdelete import KeptModel


class Visit(KeptModel):
    """入户走访: one visit to one household, by one cadre (optionally with companions or a team)."""

    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)  # offline idempotence
    household = models.ForeignKey("households.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="visits")
    # Copied from the household at the time of the visit: the jurisdiction filter reads it.
    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="+")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT,
                                related_name="field_visits")
    companions = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("companions"), blank=True,
                                        related_name="field_visits_joined")
    team = models.ForeignKey("accounts.VisitTeam", verbose_name=_("visit team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="field_visits")
    round = models.ForeignKey("VisitRound", verbose_name=_("visit round"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="visits")
    subtopic = models.ForeignKey("ResearchSubtopic", verbose_name=_("research sub-topic"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    note = models.TextField(_("diary note"), blank=True)  # 民情日记
    tags_added = models.JSONField(_("tags added"), default=list, blank=True)
    tags_removed = models.JSONField(_("tags removed"), default=list, blank=True)
    problems_found = models.BooleanField(_("problems found"), default=False)  # any appeal raised
    device = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(default=1)  # an offline update names the version it saw
    # 人次: the residents met, from the register (residents_met) plus those met who are not on it;
    # never less than one (someone opened the door). Kept as a number so 人次 is one SUM.
    people_met = models.PositiveSmallIntegerField(_("people met"), default=1)
    residents_met = models.ManyToManyField("households.Resident", verbose_name=_("residents met"), blank=True,
                                           related_name="visits_met")
    # 带案下访 / 上门家访: the cases this visit was about (a leader taking a case down, a petitioner visited).
    cases = models.ManyToManyField("appeals.Appeal", verbose_name=_("cases taken down"), blank=True,
                                   related_name="field_visits_about")

    class Meta:
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["region", "visited_at"], name="visit_region_at"),
            models.Index(fields=["household", "visited_at"], name="visit_household_at"),
            models.Index(fields=["visitor", "visited_at"], name="visit_visitor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_at:%Y-%m-%d}"


class HelpKind(models.TextChoices):
    SURVIVAL_CHECK = "survival_check", _("Pension survival check")  # 社保生存认证
    TEMPORARY_RELIEF = "temporary_relief", _("Temporary relief")  # 临时救助
    CONDOLENCE_MONEY = "condolence_money", _("Condolence money")  # 慰问金
    CONDOLENCE_GOODS = "condolence_goods", _("Condolence goods")  # 慰问品
    PAPERWORK = "paperwork", _("Paperwork done for them")  # 代办
    OTHER = "other", _("Other help")


class VisitHelp(models.Model):
    """上门帮办: help given at the door during a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="help")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=HelpKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    goods_count = models.PositiveIntegerField(_("goods (pieces)"), default=0)  # 慰问物资N件
    # The person helped, when the help was for one member (a care file's history reads it).
    resident = models.ForeignKey("households.Resident", verbose_name=_("resident helped"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="help_received")
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("help at the door")
        verbose_name_plural = _("help at the door")


class ActivityKind(models.TextChoices):
    COURTYARD = "courtyard", _("Courtyard meeting")  # 院坝会
    ASSEMBLY = "assembly", _("Villagers' assembly")  # 村民大会
    FIELD_COUNCIL = "field_council", _("Field-side council")  # 田坎议事
    BABA = "baba", _("Open-air meeting")  # 坝坝会
    OUTREACH = "outreach", _("Policy outreach talk")  # 宣讲
    NIGHT_SCHOOL = "night_school", _("Farmers' evening school")  # 农民夜校
    RESEARCH = "research", _("Field research")  # 调研
    RECEPTION = "reception", _("Reception day")  # 接待日
    ONSITE_OFFICE = "onsite_office", _("On-site office day")  # 现场办公
    MEDIATION = "mediation", _("On-the-spot mediation")  # 田间法庭, 现场调解


MEETING_KINDS = frozenset({ActivityKind.COURTYARD, ActivityKind.ASSEMBLY, ActivityKind.FIELD_COUNCIL,
                           ActivityKind.BABA, ActivityKind.NIGHT_SCHOOL, ActivityKind.OUTREACH,
                           ActivityKind.MEDIATION})


class Activity(KeptModel):
    """Group work in a place: meetings, talks, schools, research, reception and on-site office days."""

    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, db_index=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT,
                               related_name="+")
    held_at = models.DateTimeField(_("held at"), db_index=True)
    place = models.CharField(_("where"), max_length=200, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    documents = models.TextField(_("policy documents"), blank=True)  # 宣讲: what was explained
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    # 接待日 who received; 现场办公 which leader; otherwise who led it.
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="field_activities_led")
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("staff taking part"),
                                          blank=True, related_name="field_activities")
    subtopic = models.ForeignKey("ResearchSubtopic", verbose_name=_("research sub-topic"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="activities")
    findings = models.TextField(_("findings"), blank=True)  # 调研
    decisions = models.TextField(_("decided and solved"), blank=True)  # 现场办公
    note = models.TextField(_("note"), blank=True)
    device = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(default=1)
    # The residents who came, from the register; `attendance` is never less than their number.
    attendees = models.ManyToManyField("households.Resident", verbose_name=_("attendees"), blank=True,
                                       related_name="activities_attended")
    # 带案下访 / 接访: the cases a reception day or an on-site office day was about.
    cases = models.ManyToManyField("appeals.Appeal", verbose_name=_("cases taken down"), blank=True,
                                   related_name="field_activities_about")

    class Meta:
        verbose_name = _("field activity")
        verbose_name_plural = _("field activities")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["region", "held_at"], name="activity_region_at"),
                   models.Index(fields=["leader", "held_at"], name="activity_leader_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class FieldAppeal(models.Model):
    """An appeal raised in the field, and where: the visit or activity it came from. The phone's
    client_id is unique here too, so a resent record never opens a second case."""

    appeal = models.OneToOneField("appeals.Appeal", on_delete=models.PROTECT, related_name="field_origin")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals")
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="appeals")
    client_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    solved_on_spot = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appeal raised in the field")
        verbose_name_plural = _("appeals raised in the field")


class ResearchTopic(KeptModel):
    """调研课题 of a leader, split into sub-topics."""

    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("title"), max_length=200)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT,
                               related_name="research_topics")
    year = models.PositiveSmallIntegerField(_("year"))
    plan = models.TextField(_("plan"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class ResearchSubtopic(KeptModel):
    """子课题: owned by a leader, with its plan; visits and research activities point at it."""

    topic = models.ForeignKey(ResearchTopic, verbose_name=_("research topic"), on_delete=models.PROTECT,
                              related_name="subtopics")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("title"), max_length=200)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT,
                               related_name="research_subtopics")
    plan = models.TextField(_("plan"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("research sub-topic")
        verbose_name_plural = _("research sub-topics")
        ordering = ["topic_id", "id"]

    def __str__(self) -> str:
        return self.title


class VisitRound(KeptModel):
    """One round (轮次) of a 五人走访组 over its villages, with the round's results counted in
    households: visited → with problems found → sent to the township → sent to the county.

    The results are counted from the round's visits and cases (desk.round_results_from_visits); the
    four stored figures are the team's typed count, shown only as a correction beside the counted
    one, with its reason (``correction_reason``; empty: no correction — the stored figures are the
    last count). ``led_by`` is the county leader who led the round (县级领导带队)."""

    team = models.ForeignKey("accounts.VisitTeam", verbose_name=_("visit team"), on_delete=models.PROTECT,
                             related_name="rounds")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")  # the team's region: the jurisdiction filter reads it
    villages = models.ManyToManyField("regions.Region", verbose_name=_("villages"), blank=True,
                                      related_name="visit_rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("round"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    households_visited = models.PositiveIntegerField(_("households visited"), default=0)
    households_with_problems = models.PositiveIntegerField(_("households with problems"), default=0)
    sent_to_township = models.PositiveIntegerField(_("sent to the township"), default=0)
    sent_to_county = models.PositiveIntegerField(_("sent to the county"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    led_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("led by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="rounds_led")
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    corrected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("visit round")
        verbose_name_plural = _("visit rounds")
        ordering = ["-year", "-number", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "year", "number"], name="uniq_visit_round")]

    def __str__(self) -> str:
        return f"{self.team} {self.year}-{self.number}"


class VillageList(KeptModel):
    """三张清单 of a village for a round of visits: prepared before, ticked off during."""

    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="+")
    round = models.ForeignKey(VisitRound, verbose_name=_("visit round"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="village_lists")
    title = models.CharField(_("title"), max_length=200)
    prepared_on = models.DateField(_("prepared on"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("three lists")
        verbose_name_plural = _("three lists")
        ordering = ["-prepared_on", "id"]

    def __str__(self) -> str:
        return self.title


class ListKind(models.TextChoices):
    POLICY = "policy", _("Policy to explain")  # 政策宣传清单
    SERVICE = "service", _("Service at the door")  # 上门服务清单
    QUESTION = "question", _("Question to ask")  # 问需问计清单


class VillageListItem(models.Model):
    village_list = models.ForeignKey(VillageList, on_delete=models.PROTECT, related_name="items")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    done_note = models.CharField(_("how it went"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["village_list_id", "kind", "position", "id"]


class VisitPolicy(models.Model):
    """The county's visit frequency for households with no tag that sets one (tags carry their
    own `visits_per_year`; the most frequent applies)."""

    region = models.OneToOneField("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                                  related_name="+")
    default_visits_per_year = models.PositiveSmallIntegerField(_("visits a year for other households"), default=4)

    class Meta:
        verbose_name = _("visit plan setting")
        verbose_name_plural = _("visit plan settings")


class QuotaMeasure(models.TextChoices):
    ONSITE_OFFICE_DAYS = "onsite_office_days", _("On-site office days")  # 现场办公
    FRONTLINE_DAYS = "frontline_days", _("Front-line days")  # 下基层天数
    PAIRED_VISITS = "paired_visits", _("Monthly visit of every paired household")  # 包联户走访
    RECEPTION_DAYS = "reception_days", _("Reception days on the set day")  # 接待日


class QuotaPeriod(models.TextChoices):
    MONTH = "month", pgettext_lazy("period", "Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", pgettext_lazy("period", "Year")


class QuotaRule(models.Model):
    """A quota from the county's rules: who it binds (posts), what is counted, how many per period.

    required per report = target × the number of whole or part periods the report spans (for
    paired visits: × paired households × months). Yellow when done ≥ yellow_ratio × required."""

    region = models.ForeignKey("regions.Region", verbose_name=_("county"), on_delete=models.PROTECT,
                               related_name="+")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    roles = models.JSONField(_("posts bound"), default=list)  # Role values
    measure = models.CharField(_("what is counted"), max_length=30, choices=QuotaMeasure.choices)
    target = models.PositiveSmallIntegerField(_("target per period"))
    period = models.CharField(_("period"), max_length=10, choices=QuotaPeriod.choices)
    # Reception days: the day of month each post receives on ({"county_secretary": 10, "county_head": 20}).
    days_of_month = models.JSONField(_("days of month"), default=dict, blank=True)
    yellow_ratio = models.DecimalField(_("yellow from"), max_digits=3, decimal_places=2, default=0.5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("quota rule")
        verbose_name_plural = _("quota rules")
        ordering = ["region_id", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="uniq_quota_rule")]

    def __str__(self) -> str:
        return self.name


class SyncReceipt(models.Model):
    """An update sent from a phone, kept by its client_id: the same update sent again answers
    "duplicate" instead of a conflict with itself. (New records keep their client_id on the row.)"""

    client_id = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=20)
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField()
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()


class VisitPhoto(KeptModel):
    """A photo taken on a visit, compressed on the phone and stored without its metadata. A problem
    raised on the same visit gets a copy as its 整改前 photo (appeals.Attachment)."""

    visit = models.ForeignKey(Visit, verbose_name=_("household visit"), on_delete=models.PROTECT,
                              related_name="photos")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the visit's
    file = models.FileField(upload_to="visits/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["uploaded_at", "id"]


class CareKind(models.TextChoices):
    LEFT_BEHIND_ELDER = "left_behind_elder", _("Left-behind elder")  # 留守老人
    LIVING_ALONE = "living_alone", _("Elder living alone")  # 独居老人
    CHILD_IN_DIFFICULTY = "child_in_difficulty", _("Child in difficulty")  # 困境儿童
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")  # 留守儿童
    DISABLED = "disabled", _("Person with a disability")  # 残疾人
    OTHER = "other", _("Other vulnerable person")


class CareFile(KeptModel):
    """关爱服务档案: one vulnerable person under care, the cadre who looks after them, and (read from
    the visits to their household) the help given over time."""

    resident = models.ForeignKey("households.Resident", verbose_name=_("person cared for"),
                                 on_delete=models.PROTECT, related_name="care_files")
    household = models.ForeignKey("households.Household", verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="care_files")
    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="+")  # copied from the household: the jurisdiction filter
    kind = models.CharField(_("kind of care"), max_length=30, choices=CareKind.choices)
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("carer"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="care_files")
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("care file")
        verbose_name_plural = _("care files")
        ordering = ["region_id", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["resident", "kind"], condition=models.Q(deleted_at=None),
                                               name="uniq_care_file")]

    def __str__(self) -> str:
        return f"{self.resident} {self.get_kind_display()}"


class PetitionLevel(models.TextChoices):
    COUNTY = "county", _("To the county")  # 到县
    CITY = "city", _("To the city")  # 到市
    PROVINCE = "province", _("To the province")  # 到省
    CAPITAL = "capital", _("To Beijing")  # 进京


class GroupPetition(models.Model):
    """集访: a petition case brought by a group (five or more people) to an office of one level, with
    its headcount and the representatives it chose. One row is one 批 (batch)."""

    appeal = models.OneToOneField("appeals.Appeal", verbose_name=_("case"), on_delete=models.PROTECT,
                                  related_name="group_petition")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")  # the case's place
    level = models.CharField(_("petitioned at"), max_length=10, choices=PetitionLevel.choices)
    occurred_on = models.DateField(_("date"), db_index=True)
    headcount = models.PositiveIntegerField(_("headcount"))
    representatives = models.TextField(_("representatives"), blank=True)  # one name a line
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("group petition")
        verbose_name_plural = _("group petitions")
        ordering = ["-occurred_on", "-id"]

    def representative_names(self) -> list[str]:
        return [n.strip() for n in self.representatives.splitlines() if n.strip()]


class Deed(KeptModel):
    """为民办实事: a practical thing done for the people of a place, linked to the case it answered or not."""

    region = models.ForeignKey("regions.Region", verbose_name=_("place"), on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("what was done"), max_length=200)
    description = models.TextField(_("deed details"), blank=True)
    done_on = models.DateField(_("done on"), db_index=True)
    beneficiaries = models.PositiveIntegerField(_("people who benefit"), null=True, blank=True)
    cost = models.DecimalField(_("cost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    appeal = models.ForeignKey("appeals.Appeal", verbose_name=_("case answered"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="deeds")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible leader"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="deeds_led")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("practical thing done")
        verbose_name_plural = _("practical things done")
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return self.title
