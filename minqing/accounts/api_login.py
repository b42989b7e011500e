"""POST /auth/token: user name and password → a bearer token. Throttled by django-axes."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django_otp import user_has_device
from ninja import Router, Schema

from minqing.accounts import otp
from minqing.accounts.models import ApiToken
from minqing.api.schemas import Error

router = Router(tags=["auth"])


class Credentials(Schema):
    username: str
    password: str
    otp: str = ""  # the authenticator code, for an account with a second factor


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post("/token", auth=None, response={200: TokenOut, 401: Error, 429: Error},
             operation_id="minqing_api_auth_api_issue_token")  # as before the module moved (clients keep it)
def issue_token(request, body: Credentials):
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        return 429, {"detail": "登录失败次数过多，请15分钟后再试"}
    if user is None or not user.is_active:
        return 401, {"detail": "用户名或密码错误"}
    if user_has_device(user) or otp.required(user):
        try:
            otp.check(user, body.otp)
        except ValidationError:
            return 401, {"detail": "需要第二重身份验证：请在 otp 中填写身份验证器上的验证码"}
    raw, token = ApiToken.objects.issue(user)
    return 200, {"token": raw, "expires_at": token.expires_at}
