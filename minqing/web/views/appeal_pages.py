"""The workbench list's pages at a million rows: numbered near the start, by cursor beyond (keyset on
received_at, id), and a count said as exact, about (约) or more than (超过) — never a full count.
docs/decisions/0053-list21-appeal-list-at-scale.md."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from minqing.appeals import listing


def _cursor(value: str | None) -> listing.Cursor | None:
    try:
        return listing.Cursor.parse(value) if value else None
    except listing.BadCursor:  # a mangled link starts again at the first page
        return None


def paged(request, qs: QuerySet, size: int) -> dict[str, Any]:
    """The page asked for by ?page=N (N ≤ MAX_OFFSET / size + 1) and ?after= / ?before= cursors."""
    raw = request.GET.get("page") or ""
    number = max(1, int(raw)) if raw.isdigit() else 1
    after, before = _cursor(request.GET.get("after")), _cursor(request.GET.get("before"))
    counted = listing.count(qs)
    pages = -(-counted.n // size) if counted.exact else None
    if after is None and before is None:
        number = min(number, listing.MAX_OFFSET // size + 1, pages or number) or 1
    elif before is not None and number <= 2:  # back to the top: the first page, counted from the start
        before, number = None, 1
    page = listing.page(qs, size=size, offset=(number - 1) * size if not (after or before) else 0,
                        after=after, before=before, counted=counted)
    nav: dict[str, str] = {}
    if page.next:
        nav["next"] = f"page={number + 1}&after={page.next}"
    if page.prev and number > 1:
        nav["prev"] = "page=1" if number == 2 else f"page={number - 1}&before={page.prev}"
    return {"page": page, "rows": page.rows, "count": counted, "number": number, "pages": pages, "nav": nav}
