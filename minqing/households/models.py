"""Households (户), their residents and tags. Personal fields are stored encrypted, with a keyed
hash for look-up and a masked copy for display."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.accounts.roles import REVEAL_FUNCTIONS, VILLAGE_CADRE_ROLES, UnitKind
from minqing.audit.softdelete import KeptModel
from minqing.lib import regioncode
from minqing.regions.jurisdiction import keeps_register

BUILTIN_TAGS = [
    # code, name, default visits a year (the county may change it)
    ("dibao", "低保户", 12),
    ("tekun", "五保户/特困", 12),
    ("tuopin", "脱贫户", 4),
    ("jiance", "防返贫监测户", 12),
    ("canji", "残疾", 4),
    ("dujulaoren", "独居老人", 12),
    ("liushouertong", "留守儿童", 4),
    ("xingdongbubian", "行动不便", 12),
]


class Tag(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    is_builtin = models.BooleanField(_("built in"), default=False)
    visits_per_year = models.PositiveSmallIntegerField(_("visits a year"), default=4)

    class Meta:
        verbose_name = _("household tag")
        verbose_name_plural = _("household tags")
        ordering = ["-is_builtin", "id"]

    def __str__(self) -> str:
        return self.name


class Household(KeptModel):
    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="households")
    group = models.ForeignKey("regions.VillageGroup", verbose_name=_("village group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="households")
    number = models.CharField(_("household number"), max_length=30)
    head_name = models.CharField(_("householder"), max_length=50)
    address = models.CharField(_("address"), max_length=200)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="households")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    version = models.PositiveIntegerField(default=1)  # offline edits carry the version they saw

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [models.UniqueConstraint(fields=["region", "number"], name="uniq_household_number")]
        indexes = [models.Index(fields=["region", "deleted_at"], name="household_region_idx")]
        ordering = ["region_id", "number"]

    def __str__(self) -> str:
        return f"{self.head_name}户"


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Householder")  # 户主
    SPOUSE = "spouse", _("Spouse")  # 配偶
    CHILD = "child", _("Child")  # 子女
    PARENT = "parent", _("Parent")  # 父母
    GRANDCHILD = "grandchild", _("Grandchild")  # 孙子女
    SIBLING = "sibling", _("Sibling")  # 兄弟姐妹
    CHILD_IN_LAW = "child_in_law", _("Child-in-law")  # 儿媳/女婿
    OTHER = "other", _("Other")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    MOVED_AWAY = "moved_away", _("Moved away")  # 迁出
    DECEASED = "deceased", _("Deceased")  # 死亡


class Resident(KeptModel):
    PERSONAL_FIELDS = ("id_number", "phone")

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="residents")
    # Copied from the household so the jurisdiction filter is one indexed range on this table.
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    relation = models.CharField(_("relation to householder"), max_length=20, choices=Relation.choices,
                                default=Relation.OTHER)
    id_number_enc = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # 迁出/死亡: the person stays on file (never deleted) and leaves the household's member list.
    status = models.CharField(_("status"), max_length=12, choices=ResidentStatus.choices,
                              default=ResidentStatus.LIVING)
    status_on = models.DateField(_("status since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        indexes = [models.Index(fields=["region", "deleted_at"], name="resident_region_idx")]
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name


def reveal_rule(scope, obj) -> bool:
    """Who may see a resident's ID number and phone in clear (docs/domain.md "Privacy"): the
    village's own cadres, the township's 民政/社保 stations and the county 民政局 — each within
    their jurisdiction (the caller has already checked that the record is visible)."""
    code = obj.region_id
    for post in scope.posts:
        if not regioncode.contains(post.region_code, code):
            continue
        if post.role in VILLAGE_CADRE_ROLES and regioncode.level_of(post.region_code) == regioncode.VILLAGE:
            return True
        if post.unit_kind == UnitKind.TOWNSHIP_STATION and post.unit_function in REVEAL_FUNCTIONS:
            return True  # the township's 民政/社保 station
        if keeps_register(post):
            return True  # the county 民政局 (a county 人社局 does not reveal)
    return False
