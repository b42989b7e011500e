"""Limits on what a list request may ask for: a negative or absurd offset is a 400 in Chinese, not a 500."""

from __future__ import annotations

from .errors import BadRequest

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000


def page_window(limit: int, offset: int, most: int = MAX_LIMIT) -> tuple[int, int]:
    """(limit, offset) to slice with: limit clamped to 1…most, offset refused outside 0…MAX_OFFSET."""
    if offset < 0:
        raise BadRequest("起始位置（offset）不能小于 0")
    if offset > MAX_OFFSET:
        raise BadRequest(f"起始位置（offset）不能大于 {MAX_OFFSET}")
    return max(1, min(limit, most)), offset


window = page_window  # the name the API modules use
