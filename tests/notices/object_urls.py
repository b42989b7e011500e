"""URLs of the notices part that name one object, aimed at village B's (see tests/test_jurisdiction.py):
a notice in village B's cadre's inbox and a robot channel of village B. Village A's cadre gets 404."""

from __future__ import annotations

from typing import Any


def _objects(c: Any) -> dict:
    if "_notices_b" in c.__dict__:
        return c._notices_b
    from django.utils import timezone

    from minqing.notices.models import Endpoint, Notice

    endpoint = Endpoint.objects.create(kind="wecom", name="乙村群", region=c.village_b)
    notice = Notice.objects.create(kind="assigned", channel="inbox", recipient=c.cadre_b, region=c.village_b,
                                   title="乙村的消息", body="乙村的消息", dedup_key="tests:notice-b",
                                   created_at=timezone.now())
    c._notices_b = {"endpoint": endpoint, "notice": notice}
    return c._notices_b


OBJECT_URLS: dict = {
    "notices:open": ("get", lambda c: f"/notices/{_objects(c)['notice'].pk}/open/"),
    "notices:resend": ("post", lambda c: f"/notices/outbox/{_objects(c)['notice'].pk}/resend/"),
    "notices:channel_active": ("post", lambda c: f"/notices/channels/{_objects(c)['endpoint'].pk}/active/"),
}
