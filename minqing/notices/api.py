"""My inbox through the API, mounted at /api/v1/notices/: what /notices/ shows, for a phone app or a
county's own portal. One's own notices only (services.inbox); marking read is the one write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from minqing.api.schemas import Page, paginate

from . import services, triggers
from .models import Notice

router = Router(tags=["notices"])


class NoticeOut(Schema):
    id: int
    kind: str
    label: str
    title: str
    body: str
    link: str
    appeal: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxPage(Page[NoticeOut]):
    unread: int


class ReadIn(Schema):
    ids: list[int] | None = Field(default=None, description="the notices to mark read; none: all of mine")


class ReadOut(Schema):
    marked: int
    unread: int


def _out(n: Notice) -> dict[str, Any]:
    return {"id": n.pk, "kind": n.kind, "label": str(triggers.KIND_LABELS.get(n.kind, n.kind)), "title": n.title,
            "body": n.body, "link": n.link, "appeal": n.appeal_id, "created_at": n.created_at, "read_at": n.read_at}


@router.get("", response=InboxPage, summary="My inbox, newest first")
def notices_inbox(request, unread: bool = False, limit: int = 50, offset: int = 0):
    qs = services.inbox(request.user).order_by("-created_at", "-id")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    page = paginate(qs, limit, offset)
    page["items"] = [_out(n) for n in page["items"]]
    page["unread"] = services.unread_count(request.user)
    return page


@router.post("/read", response=ReadOut, summary="Mark my notices read (these, or all)")
def notices_read(request, body: ReadIn):
    marked = services.mark_read(request.user, body.ids)
    return {"marked": marked, "unread": services.unread_count(request.user)}
