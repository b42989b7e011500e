"""TOTP second factor with recovery codes (django-otp): who must use one, enrolment, checking a code.
Every change is atomic and audited; secrets never reach an audit event."""

from __future__ import annotations

import functools
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from minqing.audit.log import record

from . import scope_source

RECOVERY_CODES = 10


def required(user) -> bool:
    """The post (or operator account) must use a second factor (settings.OTP_REQUIRED_ROLES)."""
    wanted = settings.OTP_REQUIRED_ROLES
    if not wanted:
        return False
    if user.is_superuser and "superuser" in wanted:
        return True
    from .models import Post

    today = timezone.localdate()
    return Post.objects.filter(user_id=user.pk, role__in=wanted).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)).exists()


@functools.cache
def _device_tables() -> tuple[str, ...]:
    """The tables of django-otp's device kinds (fixed once the app registry is ready)."""
    from django_otp import device_classes

    return tuple(model._meta.db_table for model in device_classes())


def pending_step(user) -> str | None:
    """"verify" (has a device, has not given a code this session), "enrol" (must have one), or None.
    Asked on every request of a person who has not given a code, in one statement that also reads the
    posts held today for the jurisdiction filter of the same request (scope_source.remember): an EXISTS
    per device kind, EXISTS of a post requiring a factor, and the posts as a LEFT JOIN
    (docs/decisions/0063, 0070). Same rules as django-otp's user_has_device(confirmed=True) and required()."""
    from .models import Post, Unit, User

    q = connection.ops.quote_name
    params: list = []
    flags = []
    for table in _device_tables():
        flags.append(f'EXISTS(SELECT 1 FROM {q(table)} d WHERE d."user_id" = me."id" AND d."confirmed")')
    wanted = sorted(settings.OTP_REQUIRED_ROLES)
    operator = bool(wanted) and user.is_superuser and "superuser" in wanted
    today = scope_source.today_param()
    if wanted and not operator:
        flags.append(f'EXISTS(SELECT 1 FROM {q(Post._meta.db_table)} r WHERE r."user_id" = me."id" AND r."role" IN '
                     f'({", ".join(["%s"] * len(wanted))}) AND (r."ended_on" IS NULL OR r."ended_on" >= %s))')
        params += [*wanted, today]
    sql = (f'SELECT {", ".join(flags)}, {scope_source.POST_COLUMNS.format(p="p", u="u")} '
           f'FROM {q(User._meta.db_table)} me '
           f'LEFT JOIN {q(Post._meta.db_table)} p ON p."user_id" = me."id" AND {scope_source.HELD_TODAY.format(p="p")} '
           f'LEFT JOIN {q(Unit._meta.db_table)} u ON u."id" = p."unit_id" WHERE me."id" = %s')
    with connection.cursor() as cur:
        cur.execute(sql, [*params, today, today, user.pk])
        rows = cur.fetchall()
    if not rows:
        return None
    n = len(_device_tables())
    scope_source.remember(user, scope_source.post_scopes(row[len(flags):] for row in rows))
    if any(rows[0][:n]):
        return "verify"
    return "enrol" if operator or (len(flags) > n and rows[0][n]) else None


def draft_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per person; made on first visit)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def confirm(user, device: TOTPDevice, code: str, *, ip: str | None = None) -> list[str]:
    """Confirm the draft device with a code from the app; answers the recovery codes (shown once)."""
    if not device.verify_token((code or "").strip().replace(" ", "")):
        raise ValidationError("验证码不正确，请核对手机时间后重新输入")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        record("account.second_factor_enrolled", actor=user, obj=user, object_type="accounts.user", ip=ip)
    return codes


def _new_recovery_codes(user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def renew_recovery_codes(user, *, ip: str | None = None) -> list[str]:
    if not user_has_device(user):
        raise ValidationError("尚未启用第二重身份验证")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record("account.recovery_codes_renewed", actor=user, obj=user, object_type="accounts.user", ip=ip)
    return codes


def check(user, code: str):
    """The device that accepts the code (a TOTP code or an unused recovery code), or a Chinese error."""
    device = match_token(user, (code or "").strip().replace(" ", "").replace("-", ""))
    if device is None:
        raise ValidationError("验证码不正确")
    return device


def remove_all(user, *, actor, ip: str | None = None) -> None:
    """The security administrator removes a person's devices (lost phone); they enrol again."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        record("account.second_factor_removed", actor=actor, obj=user, object_type="accounts.user", ip=ip)
