"""Shared API shapes: every list answers {"items": [...], "count": N}."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class Error(Schema):
    detail: str


def paginate(qs, limit: int, offset: int) -> dict:
    from .bounds import page_window

    limit, offset = page_window(limit, offset)
    return {"items": list(qs[offset: offset + limit]), "count": qs.count()}
