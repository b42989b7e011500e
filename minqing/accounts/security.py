"""Account security services (等保 身份鉴别): password change and reset by the security
administrator, API token revocation. Each is atomic and writes one audit event."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minqing.audit.log import record

from . import codes
from .models import ApiToken, CodePurpose, User
from .roles import Role


def is_secadmin(user) -> bool:
    """A current 安全管理员 post (an operator account is not one: it administers, it does not hold posts)."""
    from .models import Post

    if not getattr(user, "is_authenticated", False):
        return False
    today = timezone.localdate()
    return Post.objects.filter(user_id=user.pk, role=Role.SECADMIN).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)).exists()


def change_password(user: User, *, old: str, new: str, repeat: str, ip: str | None = None) -> None:
    if not user.check_password(old):
        raise ValidationError("原密码不正确")
    if new != repeat:
        raise ValidationError("两次输入的新密码不一致")
    if new == old:
        raise ValidationError("新密码不能与原密码相同")
    password_validation.validate_password(new, user)
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        record("account.password_changed", actor=user, obj=user, object_type="accounts.user", ip=ip)


def issue_reset_code(target: User, *, actor, ip: str | None = None, now=None) -> str:
    """A one-time code (shown once to the security administrator) with which `target` sets a new
    password at the same page as a first log-in (codes.py). Earlier open codes of the account end."""
    if not is_secadmin(actor):
        raise PermissionDenied("只有安全管理员可以重置密码")
    return codes.issue(target, actor=actor, purpose=CodePurpose.RESET, ip=ip, now=now)


def tokens_visible_to(actor):
    """Its owner sees their tokens; the security administrator sees everyone's."""
    qs = ApiToken.objects.select_related("user")
    return qs if is_secadmin(actor) else qs.filter(user_id=actor.pk)


def revoke_token(token_id: int, *, actor, ip: str | None = None, now=None) -> ApiToken:
    from django.http import Http404

    now = now or timezone.now()
    with transaction.atomic():
        token = tokens_visible_to(actor).select_for_update().filter(pk=token_id).first()
        if token is None:
            raise Http404
        if token.revoked_at is None:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record("account.token_revoked", actor=actor, obj=token.user, object_type="accounts.user",
                   changes={"token": token.pk}, ip=ip, at=now)
    return token


def end_session_tokens(user, session_key: str | None, *, now=None) -> int:
    """Log-out: the tokens this web session made end with it."""
    if not session_key:
        return 0
    now = now or timezone.now()
    with transaction.atomic():
        n = ApiToken.objects.filter(user_id=user.pk, session_key=session_key, revoked_at__isnull=True).update(
            revoked_at=now)
        if n:
            record("account.tokens_ended_with_session", actor=user, obj=user, object_type="accounts.user",
                   changes={"tokens": n}, at=now)
    return n
