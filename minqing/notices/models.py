"""Notices: the outbox (one row per message per channel, written in the transaction that causes it),
the log of every delivery attempt, the configured channels (group robots, SMS provider) and each
person's choice of channels. The in-app inbox is the outbox's ``inbox`` channel: the same rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ChannelKind(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    WECOM = "wecom", _("WeCom group robot")  # 企业微信群机器人
    DINGTALK = "dingtalk", _("DingTalk group robot")  # 钉钉群机器人
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


ROBOTS = (ChannelKind.WECOM.value, ChannelKind.DINGTALK.value)


class Endpoint(models.Model):
    """A configured channel of a county or a unit: a group robot's webhook (with its 加签 secret) or
    the county's SMS account (provider, key id, secret, sign name, template codes). Never deleted:
    switched off (is_active) and kept for the attempts that name it."""

    class Provider(models.TextChoices):
        NONE = "", "-"
        ALIYUN = "aliyun", _("Aliyun SMS")
        TENCENT = "tencent", _("Tencent Cloud SMS")
        LOG = "log", _("Log only (demo)")

    kind = models.CharField(pgettext_lazy("notices", "channel"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=60)
    region = models.ForeignKey("regions.Region", verbose_name=pgettext_lazy("notices", "place"),
                               on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    url = models.URLField(_("address (webhook or API endpoint)"), max_length=500, blank=True)
    secret_enc = models.TextField(blank=True)  # 加签 secret / API secret, encrypted like phones
    provider = models.CharField(_("SMS provider"), max_length=10, choices=Provider.choices, blank=True,
                                default="")
    key_id = models.CharField(_("access key id / SecretId"), max_length=100, blank=True)
    app_id = models.CharField(_("SmsSdkAppId (Tencent)"), max_length=40, blank=True)
    sign_name = models.CharField(_("signature name"), max_length=40, blank=True)
    templates = models.JSONField(_("template codes"), default=dict, blank=True)  # notice kind → code
    per_minute = models.PositiveSmallIntegerField(_("messages per minute"), default=20)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notice channel")
        verbose_name_plural = _("notice channels")
        ordering = ["region_id", "kind", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def safe_url(self) -> str:
        """The address without its query: a robot's key (?key=, ?access_token=) is itself a secret."""
        return self.url.split("?", 1)[0] + ("?…" if "?" in self.url else "")


class Notice(models.Model):
    """One message to one recipient by one channel (the outbox row). ``dedup_key`` is unique: the
    same event queued twice (a retried request, a hook run again) is one message."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEAD = "dead", _("Failed (dead letter)")

    kind = models.CharField(pgettext_lazy("notices", "event"), max_length=30, db_index=True)
    channel = models.CharField(pgettext_lazy("notices", "channel"), max_length=10, choices=ChannelKind.choices)
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="notices")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    appeal = models.ForeignKey("appeals.Appeal", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    report = models.ForeignKey("appeals.Report", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    address_enc = models.TextField(blank=True)  # a phone or e-mail address, encrypted
    address_hash = models.CharField(max_length=64, blank=True, db_index=True)  # per-number SMS limits
    address_masked = models.CharField(pgettext_lazy("notices", "to"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    link = models.CharField(_("link"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)  # SMS template parameters
    dedup_key = models.CharField(max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("notices", "attempts"), default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)  # a claim by a worker holds until then
    lease_token = models.CharField(max_length=40, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_try_at"], name="notice_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notice_inbox"),
            models.Index(fields=["endpoint", "sent_at"], name="notice_endpoint_sent"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.dedup_key}"


class Attempt(models.Model):
    """Every delivery attempt, answered or not (kept: the dead-letter page shows them)."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="attempt_log")
    # Copied from the notice: the rate limits count a channel's and a number's attempts of the window.
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address_hash = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(_("at"))
    ok = models.BooleanField(_("delivered"))
    status = models.IntegerField(_("HTTP status"), null=True, blank=True)
    detail = models.CharField(_("answer"), max_length=300, blank=True)
    worker = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["notice", "at"], name="attempt_notice_at"),
                   models.Index(fields=["endpoint", "at"], name="attempt_endpoint_at"),
                   models.Index(fields=["address_hash", "at"], name="attempt_address_at")]


class Preference(models.Model):
    """The channels a person chose besides the inbox (always on), and where to reach them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notice_pref")
    channels = models.JSONField(default=list, blank=True)  # subset of ["sms", "email"]
    muted = models.JSONField(default=list, blank=True)  # notice kinds the person does not want sent out
    phone_enc = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True)
    phone_masked = models.CharField(pgettext_lazy("notices", "phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
