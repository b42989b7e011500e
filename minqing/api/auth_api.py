"""POST /auth/token: user name and password → a bearer token. Throttled by django-axes."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from ninja import Router, Schema

from minqing.accounts.models import ApiToken
from minqing.api.schemas import Error

router = Router(tags=["auth"])


class Credentials(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post("/token", auth=None, response={200: TokenOut, 401: Error, 429: Error})
def issue_token(request, body: Credentials):
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        return 429, {"detail": "登录失败次数过多，请15分钟后再试"}
    if user is None or not user.is_active:
        return 401, {"detail": "用户名或密码错误"}
    raw, token = ApiToken.objects.issue(user)
    return 200, {"token": raw, "expires_at": token.expires_at}
