"""One-time codes with which a person sets their own password, for the first log-in (issued by the
county's system administrator, services.issue_setup_code) or after a forgotten password (issued by
the security administrator, security.issue_reset_code). One rule for both: only a keyed hash is
kept, the code expires, locks after a few wrong tries, works once, and a new code revokes the
person's other open ones. The callers check who may issue; this module checks the code."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from minqing.audit.log import record

from .models import CodePurpose, SetupCode, User

HOURS = {CodePurpose.FIRST_LOGIN: 72, CodePurpose.RESET: 24}
TRIES = 5
# No 0/O, 1/I/L: the code is read out or copied by hand.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# Audit actions by purpose (the names the trail already used before the two kinds were merged).
_ISSUED = {CodePurpose.FIRST_LOGIN: "staff.setup_code_issued", CodePurpose.RESET: "account.reset_code_issued"}
_USED = {CodePurpose.FIRST_LOGIN: "staff.password_set", CodePurpose.RESET: "account.password_reset"}


def _hash(code: str) -> str:
    normal = (code or "").replace("-", "").replace(" ", "").upper()
    return hmac.new(settings.SECRET_KEY.encode(), normal.encode(), hashlib.sha256).hexdigest()


def _open(user: User):
    return SetupCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True)


@transaction.atomic
def issue(user: User, *, actor, purpose: str, ip: str | None = None, now: dt.datetime | None = None) -> str:
    """A new code for `user`; the person's other open codes (of either purpose) are revoked. The clear
    code is returned once, to be shown to the administrator."""
    if not user.is_active:
        raise ValidationError("该账号已停用，请先启用")
    purpose = CodePurpose(purpose)
    now = now or timezone.now()
    _open(user).update(revoked_at=now)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    entry = SetupCode.objects.create(
        user=user, purpose=purpose, code_hash=_hash(code), issued_by=actor if getattr(actor, "pk", None) else None,
        created_at=now, expires_at=now + dt.timedelta(hours=HOURS[purpose]))
    record(_ISSUED[purpose], actor=actor, obj=user, region_code=user.county_id,
           changes={"purpose": purpose.value, "expires_at": entry.expires_at}, ip=ip, at=now)
    return code


def redeem(*, username: str, code: str, password: str, password2: str, ip: str | None = None,
           now: dt.datetime | None = None) -> User:
    """The person sets their own password with the code. A wrong code counts against it; after TRIES
    it is locked and a new one must be issued. Errors say nothing about which of the name or the code
    was wrong. A weak or mistyped password leaves the code usable."""
    now = now or timezone.now()
    wrong = ValidationError("登录名或一次性验证码不正确，或验证码已过期")
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise wrong
    with transaction.atomic():
        entry = (_open(user).select_for_update().filter(expires_at__gt=now).order_by("-created_at").first())
        if entry is None or entry.failed_attempts >= TRIES:
            raise wrong
        right = hmac.compare_digest(entry.code_hash, _hash(code))
        if not right:
            entry.failed_attempts += 1
            entry.save(update_fields=["failed_attempts"])
            record("staff.setup_code_failed", actor=None, obj=user, region_code=user.county_id,
                   changes={"purpose": entry.purpose, "failed_attempts": entry.failed_attempts}, ip=ip, at=now)
    # The failed try is committed above, before the error leaves (a rollback would forget it).
    if not right:
        raise wrong
    if password != password2:
        raise ValidationError("两次输入的密码不一致")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None
    with transaction.atomic():
        # Used by a concurrent request in the meantime: refuse (single use).
        if _open(user).filter(pk=entry.pk).update(used_at=now) != 1:
            raise wrong
        _open(user).update(revoked_at=now)
        user.set_password(password)
        user.save(update_fields=["password"])
        record(_USED[CodePurpose(entry.purpose)], actor=user, obj=user, region_code=user.county_id,
               changes={"purpose": entry.purpose}, ip=ip, at=now)
    return user
