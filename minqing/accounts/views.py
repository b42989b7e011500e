"""Pages of one's own account (password, second factor, API tokens), the second-factor step of
log-in, and the security administrator's page. Views stay thin: the
rules are in security.py and otp.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from minqing.accounts.models import ApiToken, User

from . import otp, security


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _errors(exc: ValidationError) -> list[str]:
    return list(getattr(exc, "messages", [str(exc)]))


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


def _next(request, default: str = "web:home"):
    return redirect(_safe_next(request) or default)


@login_required
def account(request):
    return render(request, "accounts/account.html", {
        "has_device": user_has_device(request.user), "required": otp.required(request.user),
        "tokens": security.tokens_visible_to(request.user).filter(user=request.user)[:50],
        "is_secadmin": security.is_secadmin(request.user),
    })


@login_required
def password_change(request):
    errors: list[str] = []
    if request.method == "POST":
        try:
            security.change_password(request.user, old=request.POST.get("old", ""), new=request.POST.get("new", ""),
                                     repeat=request.POST.get("repeat", ""), ip=_ip(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            update_session_auth_hash(request, request.user)  # this session stays, others end
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return render(request, "accounts/password_change.html",
                  {"errors": errors, "rules": password_validators_help_texts()}, status=400 if errors else 200)


def password_reset(request):
    """The reset page of old: the one page for every one-time code is /setup/activate/ (first log-in
    and reset alike)."""
    target = reverse("sysadmin:activate")
    return redirect(f"{target}?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else target)


@login_required
def enrol(request):
    """Set up the authenticator app: QR code and secret, then one code to confirm."""
    errors: list[str] = []
    codes: list[str] = []
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect("accounts:verify")
    device = otp.draft_device(request.user)
    if request.method == "POST":
        try:
            codes = otp.confirm(request.user, device, request.POST.get("code", ""), ip=_ip(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            otp_login(request, device)
    return render(request, "accounts/enrol.html", {
        "errors": errors, "codes": codes, "enrolled": user_has_device(request.user),
        "secret": otp.secret_of(device), "qr": otp.qr_svg(device), "next": _safe_next(request),
    }, status=400 if errors else 200)


@login_required
@require_POST
def recovery_codes(request):
    if not request.user.is_verified():
        return redirect("accounts:verify")
    try:
        codes = otp.renew_recovery_codes(request.user, ip=_ip(request))
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
        return redirect("accounts:account")
    return render(request, "accounts/enrol.html", {"codes": codes, "enrolled": True, "errors": []})


@login_required
def verify(request):
    """The second step of log-in: a code from the app, or one recovery code."""
    if request.user.is_verified() or not user_has_device(request.user):
        return _next(request)
    errors: list[str] = []
    if request.method == "POST":
        try:
            device = otp.check(request.user, request.POST.get("code", ""))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            otp_login(request, device)
            return _next(request)
    return render(request, "accounts/verify.html", {"errors": errors, "next": _safe_next(request)},
                  status=400 if errors else 200)


@login_required
@require_POST
def token_new(request):
    """A token for a script or the phone app, ended with this web session."""
    raw, token = ApiToken.objects.issue(request.user, session_key=request.session.session_key or "",
                                        label=request.POST.get("label", "").strip())
    return render(request, "accounts/token_new.html", {"raw": raw, "token": token})


@login_required
@require_POST
def token_revoke(request, pk: int):
    security.revoke_token(pk, actor=request.user, ip=_ip(request))
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:security" if request.POST.get("back") == "security" else "accounts:account")


def _secadmin_or_404(request) -> None:
    if not security.is_secadmin(request.user):
        raise Http404


@login_required
def security_page(request):
    """安全管理员: accounts (reset code, second factor) and every live API token."""
    _secadmin_or_404(request)
    users = User.objects.order_by("username")
    has_device = {d for d in otp.TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)}
    tokens = security.tokens_visible_to(request.user).filter(revoked_at__isnull=True)[:200]
    return render(request, "accounts/security.html", {
        "rows": [(u, u.pk in has_device) for u in users[:500]], "tokens": tokens,
    })


@login_required
@require_POST
def security_reset(request, pk: int):
    _secadmin_or_404(request)
    target = get_object_or_404(User, pk=pk)
    try:
        code = security.issue_reset_code(target, actor=request.user, ip=_ip(request))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
        return redirect("accounts:security")
    return render(request, "accounts/reset_code.html", {"target": target, "code": code})


@login_required
@require_POST
def security_otp_remove(request, pk: int):
    _secadmin_or_404(request)
    target = get_object_or_404(User, pk=pk)
    otp.remove_all(target, actor=request.user, ip=_ip(request))
    messages.success(request, _("The second factor of %(user)s has been removed; they enrol again.") % {
        "user": target})
    return redirect("accounts:security")
