"""Shared API shapes: every list answers {"items": [...], "count": N}."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from ninja.errors import HttpError

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class Error(Schema):
    detail: str


MAX_OFFSET = 10**9  # past any real list; larger values overflow the database's integers


def window(limit: int, offset: int, most: int = 500) -> tuple[int, int]:
    """(limit, offset) of one page: limit clamped to 1..most; a negative or absurd offset is a 400."""
    if offset < 0:
        raise HttpError(400, "offset（起始位置）不能小于 0")
    if offset > MAX_OFFSET:
        raise HttpError(400, "offset（起始位置）过大")
    return max(1, min(limit, most)), offset


def paginate(qs, limit: int, offset: int) -> dict:
    limit, offset = window(limit, offset)
    return {"items": list(qs[offset: offset + limit]), "count": qs.count()}
