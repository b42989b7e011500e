"""URLs of this part that name one object, aimed at village B (see tests/test_jurisdiction.py).
name -> (method, lambda county: url). Every such URL must answer 404 to village A's cadre."""

from __future__ import annotations

from typing import Any


def _appeal_b(c: Any) -> Any:
    if not hasattr(c, "_nlp_appeal_b"):
        from minqing.appeals.services import register_appeal

        c._nlp_appeal_b = register_appeal(actor=c.cadre_b, region=c.village_b.code, kind="problem", channel="visit",
                                          title="乙村路灯坏了", text="乙村村口路灯坏了一个月")
    return c._nlp_appeal_b


OBJECT_URLS: dict = {
    "api:nlp_appeal_duplicates": ("get", lambda c: f"/api/v1/nlp/appeals/{_appeal_b(c).pk}/duplicates"),
}
