"""API authentication: `Authorization: Bearer TOKEN` from POST /auth/token, or the web session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from minqing.accounts.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = ApiToken.objects.user_for(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]
