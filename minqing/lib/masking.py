"""Masked forms of personal data: what every page, export, log and audit event shows by default."""

from __future__ import annotations


def mask_id_number(value: str) -> str:
    """511722199001011234 → 511722********1234 (region kept, birth date hidden)."""
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if not value:
        return ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_name(value: str) -> str:
    """张三丰 → 张**: for public pages only; staff see names."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
