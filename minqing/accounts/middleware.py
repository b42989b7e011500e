"""Second factor (等保 level 3: 两种或两种以上组合的鉴别技术): a person who has a TOTP device must
give a code after the password; a person whose post requires one and has none is sent to enrol.
Until then only the pages to verify, enrol and log out answer; the API answers 403."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import otp

OPEN_PREFIXES = ("/static/", "/i18n/", "/login/", "/logout/", "/account/2fa/", "/password/reset/")


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (getattr(user, "is_authenticated", False) and not user.is_verified()
                and not request.path.startswith(OPEN_PREFIXES)):
            step = otp.pending_step(user)
            if step is not None:
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "请先完成第二重身份验证"}, status=403)
                target = reverse("accounts:verify" if step == "verify" else "accounts:enrol")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
