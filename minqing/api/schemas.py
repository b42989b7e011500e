"""Shared API shapes: every list answers {"items": [...], "count": N}."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema

from .bounds import window  # re-exported: the API modules page through it

T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


class Error(Schema):
    detail: str


def paginate(qs, limit: int, offset: int) -> dict:
    limit, offset = window(limit, offset)
    return {"items": list(qs[offset: offset + limit]), "count": qs.count()}
