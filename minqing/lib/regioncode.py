"""Statistical division codes (统计用区划代码): 12 digits, hierarchical by position.

2 province | 2 city | 2 county | 3 township | 3 village. A region's subtree is every code that
starts with its significant prefix, so "everything in 宣汉县" is a range scan on an indexed
column: 511722000000 <= code <= 511722999999. Plain B-tree ranges work on SQLite and
PostgreSQL alike (LIKE 'x%' needs a special operator class on PostgreSQL).
"""

from __future__ import annotations

import unicodedata

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = 1, 2, 3, 4, 5
PREFIX_LEN = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
LEN_LEVEL = {v: k for k, v in PREFIX_LEN.items()}


class RegionCodeError(ValueError):
    pass


def normalize(code: str | int) -> str:
    """Any accepted form (51, 5117, 511722, 511722100, 12 digits) → the full 12-digit code."""
    # Full-width digits (５１１７２２, typed on a Chinese keyboard) become ASCII; any other
    # Unicode digit ("²", "١") is refused rather than stored as a code.
    text = unicodedata.normalize("NFKC", str(code)).strip()
    if not (text.isascii() and text.isdigit()) or len(text) not in LEN_LEVEL:
        raise RegionCodeError(f"区划代码“{text}”无效：应为2、4、6、9或12位数字")
    return text.ljust(12, "0")


def level_of(code: str) -> int:
    """Level of a full 12-digit code, read from its trailing zero groups."""
    full = normalize(code)
    if full[9:] != "000":
        return VILLAGE
    if full[6:9] != "000":
        return TOWNSHIP
    if full[4:6] != "00":
        return COUNTY
    if full[2:4] != "00":
        return CITY
    return PROVINCE


def prefix(code: str) -> str:
    """The significant prefix: what every code in the subtree starts with."""
    full = normalize(code)
    return full[: PREFIX_LEN[level_of(full)]]


def subtree_range(code: str) -> tuple[str, str]:
    """Inclusive (low, high) bounds of the subtree's 12-digit codes."""
    p = prefix(code)
    return p.ljust(12, "0"), p.ljust(12, "9")


def contains(outer: str, inner: str) -> bool:
    return normalize(inner).startswith(prefix(outer))


def parent_code(code: str) -> str | None:
    full = normalize(code)
    level = level_of(full)
    if level == PROVINCE:
        return None
    return full[: PREFIX_LEN[level - 1]].ljust(12, "0")


def ancestors(code: str) -> list[str]:
    """Every level above a code, nearest first (a village → its township, county, city, province)."""
    out = []
    parent = parent_code(code)
    while parent:
        out.append(parent)
        parent = parent_code(parent)
    return out


def county_of(code: str) -> str:
    """The 6-digit county part (the audit chain of a county is keyed by it)."""
    return normalize(code)[:6]
