"""Staff, their units and posts, 包联 pairings, visit teams and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import Rank, Role, TeamRole, UnitKind


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # The county whose system administrator manages this account (None: the operator's accounts).
    county = models.ForeignKey("regions.Region", verbose_name=_("county"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    # What the seeds count of cadres (党员, 35岁以下, 职级), entered by the county's system administrator.
    # None: not entered — never counted as "no" (a party member's figure must not shrink by a blank).
    party_member = models.BooleanField(_("Party member"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    rank = models.CharField(_("rank"), max_length=20, choices=Rank.choices, blank=True, default="")

    class Meta:
        verbose_name = _("staff account")
        verbose_name_plural = _("staff accounts")

    def __str__(self) -> str:
        return self.display_name or self.username


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    # What the unit does, for routing and privacy: civil_affairs (民政), social_security (社保),
    # housing (住建), transport (交通), education, health, agriculture, water, justice …
    function = models.CharField(_("function"), max_length=30, blank=True)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="units")
    parent = models.ForeignKey("self", verbose_name=_("parent unit"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="uniq_unit_name")]

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A staff account's post in a unit, covering a region subtree (its jurisdiction)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("staff"), on_delete=models.PROTECT,
                             related_name="posts")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="posts")
    role = models.CharField(_("post"), max_length=30, choices=Role.choices)
    region = models.ForeignKey("regions.Region", verbose_name=_("jurisdiction"), on_delete=models.PROTECT,
                               related_name="+")
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["user", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_role_display()}"


class Pairing(models.Model):
    """包联: a cadre answers for a village, or for one household in it."""

    cadre = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("cadre"), on_delete=models.PROTECT,
                              related_name="pairings")
    region = models.ForeignKey("regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
                               related_name="+")
    household = models.ForeignKey("households.Household", verbose_name=_("household"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="pairings")
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")


class VisitTeam(models.Model):
    """五人走访组: a county leader, the village-pairing leader, the work team leader, the first
    secretary and the village's two committees, visiting a set of villages."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    villages = models.ManyToManyField("regions.Region", verbose_name=_("villages"), related_name="visit_teams",
                                      blank=True)
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("visit team")
        verbose_name_plural = _("visit teams")

    def __str__(self) -> str:
        return self.name


class VisitTeamMember(models.Model):
    team = models.ForeignKey(VisitTeam, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=30, choices=TeamRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenManager(models.Manager["ApiToken"]):
    def issue(self, user: User, *, now=None, session_key: str = "", label: str = "") -> tuple[str, ApiToken]:
        now = now or timezone.now()
        raw = secrets.token_urlsafe(32)
        token = self.create(user=user, key_hash=_hash_token(raw), created_at=now, session_key=session_key or "",
                            label=label[:100], expires_at=now + timedelta(hours=settings.API_TOKEN_TTL_HOURS))
        return raw, token

    def live(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now(), revoked_at__isnull=True)

    def user_for(self, raw: str, *, now=None) -> User | None:
        now = now or timezone.now()
        token = self.live(now=now).select_related("user").filter(key_hash=_hash_token(raw)).first()
        if token is None or not token.user.is_active:
            return None
        if token.session_key and not _session_alive(token.session_key, now):
            return None  # made by a web session that has ended (log-out or idle time-out)
        return token.user


def _session_alive(session_key: str, now) -> bool:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=session_key, expire_date__gt=now).exists()


class ApiToken(models.Model):
    """Only the token's hash is stored: a leaked database does not leak live tokens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The web session that made the token (empty for POST /auth/token): the token ends with it.
    session_key = models.CharField(max_length=40, blank=True, default="", db_index=True)
    label = models.CharField(_("label"), max_length=100, blank=True, default="")

    objects = ApiTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]


class CodePurpose(models.TextChoices):
    FIRST_LOGIN = "first_login", _("first log-in")
    RESET = "reset", _("password reset")


class SetupCode(models.Model):
    """A one-time code with which a person sets their own password: for the first log-in (issued by
    the county's system administrator) or after a reset (issued by the security administrator).
    Shown once to the administrator who issued it; only its keyed hash is stored; it expires and
    locks after a few wrong tries. The rules are in codes.py."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="setup_codes")
    purpose = models.CharField(max_length=20, choices=CodePurpose.choices, default=CodePurpose.FIRST_LOGIN)
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]
