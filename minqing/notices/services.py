"""The notices' one writer: queue a message (inside the caller's transaction), the inbox (mark read),
each person's channels, the channels of a county or unit, and resending a dead letter.

Interface for other parts (documented in docs/decisions/0030):
- ``queue(...)``: any message; the row commits or rolls back with the caller's transaction.
- ``queue_resident_sms(report, kind, ...)``: an SMS to a reporter (acceptance, closure, return visit);
  the portal calls it with ``code=`` for a letter whose writer asked for the tracking code by SMS.
- ``resident_notices(report)`` / ``was_told(report)``: what was sent to that reporter (已告知结果).
- ``rating_token(report)`` / ``report_of_token(token)`` / ``rating_link(report)``: the one token of the
  return-visit link to the portal's rating page (URL name ``portal:rate``, argument ``token``); the
  portal's rating page decodes it with ``report_of_token``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from minqing.accounts.admins import check_county, county_code_of
from minqing.audit.log import record
from minqing.households import crypto
from minqing.lib import regioncode
from minqing.lib.masking import mask_phone
from minqing.lib.phone import PhoneError, clean_phone

from . import delivery
from .models import ROBOTS, ChannelKind, Endpoint, Notice, Preference

RATING_SALT = "minqing.notices.rate"
PERSONAL_CHANNELS = (ChannelKind.SMS.value, ChannelKind.EMAIL.value)


def _mask_address(channel: str, address: str) -> str:
    if channel == ChannelKind.SMS.value:
        return mask_phone(address)
    if channel == ChannelKind.EMAIL.value and "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}***@{domain}"
    return ""


def queue(*, kind: str, channel: str, region_id: str, title: str, body: str, dedup_key: str,
          recipient: Any = None, endpoint: Endpoint | None = None, appeal: Any = None, report: Any = None,
          address: str = "", link: str = "", params: dict[str, str] | None = None,
          now: dt.datetime | None = None) -> Notice:
    """Write one outbox row in the caller's transaction (a rolled-back change sends nothing) and have
    it delivered after the commit. The same ``dedup_key`` again is the same row (ON CONFLICT DO
    NOTHING, which keeps the caller's PostgreSQL transaction usable)."""
    if channel in ROBOTS and (report is not None or address):
        raise ValueError("group robots carry nothing personal")  # a programming error, not user input
    now = now or timezone.now()
    inbox = channel == ChannelKind.INBOX.value
    row = Notice(kind=kind, channel=channel, endpoint=endpoint, recipient=recipient, region_id=region_id,
                 appeal=appeal, report=report, title=title[:200], body=body, link=link[:300], params=params or {},
                 address_enc=crypto.encrypt(address), address_hash=crypto.lookup_hash(address),
                 address_masked=_mask_address(channel, address), dedup_key=dedup_key[:200], created_at=now,
                 state=Notice.State.SENT if inbox else Notice.State.PENDING,
                 sent_at=now if inbox else None, next_try_at=None if inbox else now)
    Notice.objects.bulk_create([row], ignore_conflicts=True)
    if not inbox:
        delivery.after_commit()
    return Notice.objects.get(dedup_key=row.dedup_key)


# --- residents ------------------------------------------------------------------------------------

RESIDENT_KINDS = {
    # kind: (title, SMS text with {placeholders}, the template's parameters in order)
    "resident_accepted": ("诉求已受理", "您反映的问题已受理，编号{number}{code_text}，我们将尽快办理。",
                          ("number", "code")),
    "resident_closed": ("诉求已办结", "您反映的问题（编号{number}）已办结：{reply}", ("number", "reply")),
    "resident_visit": ("请评价办理结果", "您反映的问题（编号{number}）已办理，请评价：{link}", ("number", "link")),
}


# The one rating-link token (the portal's rating page reads it through report_of_token): signed, salted,
# timestamped, naming only the report; it cannot be forged, pointed at another report, or used after
# RATING_DAYS.
RATING_DAYS = 30


def rating_token(report: Any) -> str:
    return signing.dumps({"r": getattr(report, "pk", report)}, salt=RATING_SALT, compress=True)


def report_of_token(token: str, max_age: dt.timedelta = dt.timedelta(days=RATING_DAYS)) -> int | None:
    """The Report id a rating link was made for, or None (forged or older than ``max_age``)."""
    try:
        return int(signing.loads(token, salt=RATING_SALT, max_age=max_age)["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def rating_link(report: Any, base: str = "") -> str:
    """The rating page of one report (URL name portal:rate); the SMS adds the site's address."""
    return f"{base}{reverse('portal:rate', kwargs={'token': rating_token(report)})}"


def queue_resident_sms(report: Any, kind: str, *, reply: str = "", code: str = "", link: str = "",
                       now: dt.datetime | None = None) -> Notice | None:
    """An SMS to the reporter of ``report`` (kind: resident_accepted | resident_closed |
    resident_visit). None when there is nobody to text (anonymous, no phone) or no SMS channel in
    the county. ``code``: the portal tracking code, only when the writer asked for it."""
    if report.anonymous or not report.phone_enc:
        return None
    endpoint = sms_endpoint(report.region_id)
    if endpoint is None:
        return None
    title, text, names = RESIDENT_KINDS[kind]
    appeal = report.appeal
    values = {"number": appeal.number, "code": code, "reply": _first_line(reply), "link": link,
              "code_text": f"，查询码{code}" if code else ""}
    params = {n: values[n] for n in names if values[n] or n != "code"}
    return queue(kind=kind, channel=ChannelKind.SMS.value, endpoint=endpoint, region_id=report.region_id,
                 appeal=appeal, report=report, address=crypto.decrypt(report.phone_enc), title=title,
                 body=text.format(**values), params=params, link=link,
                 dedup_key=f"{kind}:r{report.pk}:{appeal.version}", now=now)


def _first_line(text: str, limit: int = 60) -> str:
    line = next((s.strip() for s in (text or "").splitlines() if s.strip()), "")
    return line if len(line) <= limit else f"{line[:limit - 1]}…"


def resident_notices(report: Any):
    return Notice.objects.filter(report=report).order_by("created_at", "id")


def was_told(report: Any) -> bool:
    """已告知结果: read from the report itself (``notified_at``), the one record of it. The outbox sets
    it (method 短信) when the closure SMS is delivered (delivery.finish → appeals.services.mark_told);
    staff set it when they record 电话/当面."""
    from minqing.appeals.models import Report

    return Report.objects.filter(pk=report.pk, notified_at__isnull=False).exists()


# --- channels of a place ---------------------------------------------------------------------------


def _up(code: str) -> list[str]:
    """The code and its ancestors' codes, nearest first (a village → township → county). One query
    for the usual chain (the code's own ancestors by its digits); where a parent link leaves those
    codes, the rest is walked row by row as the links say (every notice of a change asks this)."""
    from minqing.regions.models import Region

    try:
        guess = [code, *regioncode.ancestors(code)]
    except regioncode.RegionCodeError:
        guess = [code]
    links = dict(Region.objects.filter(code__in=guess).values_list("code", "parent_id"))
    out: list[str] = []
    current: str | None = code
    while current is not None and current in links and current not in out:
        out.append(current)
        current = links[current]
    if current is None or current in out:
        return out
    region = Region.objects.filter(code=current).only("code", "parent_id").first()
    while region is not None:
        out.append(region.code)
        region = Region.objects.filter(code=region.parent_id).only("code", "parent_id").first() \
            if region.parent_id else None
    return out


def sms_endpoint(region_code: str) -> Endpoint | None:
    """The SMS account nearest above the place (a township's own, else the county's)."""
    codes = _up(region_code)
    rows = {e.region_id: e for e in Endpoint.objects.filter(kind=ChannelKind.SMS.value, is_active=True,
                                                            unit__isnull=True, region_id__in=codes)}
    return next((rows[c] for c in codes if c in rows), None)


def unit_robots(unit_id: int | None) -> list[Endpoint]:
    if unit_id is None:
        return []
    return list(Endpoint.objects.filter(kind__in=ROBOTS, unit_id=unit_id, is_active=True))


def nearest_place_robots(region_code: str) -> list[Endpoint]:
    """The robots of the nearest place at or above the code that has any (place_robots of each code
    of _up in turn), read in one query."""
    codes = _up(region_code)
    found: dict[str, list[Endpoint]] = {}
    for endpoint in Endpoint.objects.filter(kind__in=ROBOTS, unit__isnull=True, region_id__in=codes, is_active=True):
        found.setdefault(endpoint.region_id, []).append(endpoint)
    return next((found[c] for c in codes if c in found), [])


def place_robots(region_code: str) -> list[Endpoint]:
    """Robots of a place without a unit (a township's group): get the place's notices."""
    return list(Endpoint.objects.filter(kind__in=ROBOTS, unit__isnull=True, region_id=region_code,
                                        is_active=True))


@transaction.atomic
def add_endpoint(*, actor: Any, kind: str, region_code: str, url: str = "", secret: str = "", name: str = "",
                 unit_id: int | None = None, provider: str = "", key_id: str = "", app_id: str = "",
                 sign_name: str = "", templates: dict[str, str] | None = None, per_minute: int = 20) -> Endpoint:
    from minqing.accounts.models import Unit
    from minqing.regions.models import Region

    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationError(f"地区代码“{region_code}”不存在")
    check_county(actor, region.code)
    if kind not in ChannelKind.values or kind == ChannelKind.INBOX.value:
        raise ValidationError("渠道类型应为 wecom、dingtalk、sms 或 email")
    if kind in ROBOTS and not url.startswith(("https://", "http://")):
        raise ValidationError("请填写机器人的 Webhook 地址（https://…）")
    if kind == ChannelKind.SMS.value and provider not in ("aliyun", "tencent", "log"):
        raise ValidationError("短信服务商应为 aliyun、tencent 或 log")
    if kind == ChannelKind.SMS.value and provider != "log" and not (url and key_id and secret and sign_name):
        raise ValidationError("短信通道需要接口地址、AccessKey/SecretId、密钥和签名名称")
    unit = None
    if unit_id:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None or county_code_of(unit.region_id) != county_code_of(region.code):
            raise ValidationError("单位不存在或不在本县")
    if not 1 <= int(per_minute) <= 600:
        raise ValidationError("每分钟条数应在1到600之间")
    label = name or f"{ChannelKind(kind).label}·{unit.name if unit else region.name}"
    e = Endpoint.objects.create(kind=kind, name=str(label)[:60], region=region, unit=unit, url=url,
                                secret_enc=crypto.encrypt(secret), provider=provider, key_id=key_id, app_id=app_id,
                                sign_name=sign_name, templates=templates or {}, per_minute=per_minute,
                                created_by=actor if getattr(actor, "pk", None) else None)
    record("notices.channel_added", actor=actor, obj=e, region_code=region.code,
           changes={"kind": kind, "unit": unit.name if unit else "", "url": _safe_url(url), "provider": provider})
    return e


def _safe_url(url: str) -> str:
    """The webhook without its key (the key in a robot URL is itself a secret)."""
    return url.split("?", 1)[0]


@transaction.atomic
def set_endpoint_active(endpoint: Endpoint, *, actor: Any, active: bool, reason: str = "") -> Endpoint:
    check_county(actor, endpoint.region_id)
    row = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    row.is_active = active
    row.save(update_fields=["is_active", "updated_at"])
    record("notices.channel_enabled" if active else "notices.channel_disabled", actor=actor, obj=row,
           region_code=row.region_id, reason=reason)
    return row


# --- people ---------------------------------------------------------------------------------------


def preference(user: Any) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@transaction.atomic
def set_preference(user: Any, *, channels: Iterable[str], phone: str = "", email: str = "",
                   muted: Iterable[str] = ()) -> Preference:
    chosen = [c for c in channels if c in PERSONAL_CHANNELS]
    if len(chosen) != len(list(channels)):
        raise ValidationError("只能选择短信或电子邮件")
    pref = Preference.objects.select_for_update().filter(user=user).first() or Preference(user=user)
    if phone:
        try:
            phone = clean_phone(phone)
        except PhoneError as exc:
            raise ValidationError(str(exc)) from exc
        pref.phone_enc, pref.phone_hash, pref.phone_masked = (crypto.encrypt(phone), crypto.lookup_hash(phone),
                                                              mask_phone(phone))
    if "sms" in chosen and not pref.phone_enc:
        raise ValidationError("选择短信提醒请填写手机号码")
    if email:
        pref.email = email.strip()
    if "email" in chosen and not pref.email:
        raise ValidationError("选择邮件提醒请填写电子邮箱")
    pref.channels, pref.muted = chosen, sorted(set(muted))
    pref.save()
    record("notices.preference_set", actor=user, obj=pref, changes={"channels": chosen, "muted": pref.muted})
    return pref


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient=user, channel=ChannelKind.INBOX.value, read_at__isnull=True).count()


def inbox(user: Any):
    return Notice.objects.filter(recipient=user, channel=ChannelKind.INBOX.value).select_related("appeal")


@transaction.atomic
def mark_read(user: Any, ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Mark the person's own inbox rows read (all, or these); answers how many changed."""
    qs = inbox(user).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=now or timezone.now())


# --- dead letters ---------------------------------------------------------------------------------


@transaction.atomic
def resend(notice: Notice, *, actor: Any, now: dt.datetime | None = None) -> Notice:
    """A dead letter back to the queue (重发): attempts start again; the log keeps the old ones."""
    check_county(actor, notice.region_id)  # None: the operator's command line
    row = Notice.objects.select_for_update().get(pk=notice.pk)
    if row.state != Notice.State.DEAD:
        raise ValidationError("只有发送失败的消息可以重发")
    now = now or timezone.now()
    row.state, row.attempts, row.next_try_at, row.lease_token, row.lease_until = (
        Notice.State.PENDING, 0, now, "", None)
    row.save(update_fields=["state", "attempts", "next_try_at", "lease_token", "lease_until"])
    record("notices.resent", actor=actor, obj=row, region_code=row.region_id,
           changes={"channel": row.channel, "kind": row.kind, "last_error": row.last_error})
    delivery.after_commit()
    return row
