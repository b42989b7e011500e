"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations

from typing import Any


def _enterprise_b(c: Any) -> Any:
    """A key project in village B (made once per county fixture)."""
    cache = c.__dict__.setdefault("_enterprises_b", {})
    if "enterprise" not in cache:
        from minqing.enterprises.services import register_enterprise

        cache["enterprise"] = register_enterprise(actor=c.township_leader, region=c.village_b.code,
                                                  name="乙村茶叶加工厂", kind="enterprise", phone="13900001111")
    return cache["enterprise"]


OBJECT_URLS: dict = {
    "api:enterprise_get": ("get", lambda c: f"/api/v1/enterprises/{_enterprise_b(c).pk}"),
    "api:enterprise_pair": ("post", lambda c: f"/api/v1/enterprises/{_enterprise_b(c).pk}/pairings"),
    "api:enterprise_raise_appeal": ("post", lambda c: f"/api/v1/enterprises/{_enterprise_b(c).pk}/appeals"),
    "enterprises:detail": ("get", lambda c: f"/enterprises/{_enterprise_b(c).pk}/"),
    "enterprises:record_visit": ("post", lambda c: f"/enterprises/{_enterprise_b(c).pk}/visits/"),
}
