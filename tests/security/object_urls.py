"""URLs of the account and security pages that name one object, aimed at village B's cadre (see
tests/test_jurisdiction.py). name -> (method, lambda county: url). Every such URL must answer 404 to
village A's cadre: another person's token, and the security administrator's actions on an account."""

from __future__ import annotations

from typing import Any


def _token_b(c: Any) -> Any:
    """An API token of village B's cadre (made once per county fixture)."""
    if not hasattr(c, "_token_b"):
        from minqing.accounts.models import ApiToken

        c._token_b = ApiToken.objects.issue(c.cadre_b, label="乙村手机")[1]
    return c._token_b


OBJECT_URLS: dict = {
    "accounts:token_revoke": ("post", lambda c: f"/account/tokens/{_token_b(c).pk}/revoke/"),
    "accounts:security_reset": ("post", lambda c: f"/security/users/{c.cadre_b.pk}/reset/"),
    "accounts:security_otp_remove": ("post", lambda c: f"/security/users/{c.cadre_b.pk}/2fa/remove/"),
}
